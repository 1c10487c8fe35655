/**
 * Which stylesheet and colour mode a page is rendered with, from the user's settings (theme, colourMode), the
 * site's THEME and THEMES_ALLOWED. The server renders it into <html> and <head>, so the first paint is already
 * right and no script has to fix it up (no flash, no inline script under the CSP).
 */
import type { Config } from '../../config/index.js';
import { darkOnlyThemes } from '../../config/index.js';
import type { UserSettings } from '../../userdata/index.js';

export type ColourMode = UserSettings['colourMode'];

export interface Appearance {
  theme: string;
  /** The theme's Bootstrap stylesheet. */
  stylesheet: string;
  /**
   * The theme's dark rules under @media (prefers-color-scheme: dark), scoped to [data-bs-theme-auto] (built by
   * scripts/auto-dark-css.mjs). Linked whatever the mode, so switching to auto in the page needs no new request.
   * Absent for dark-only themes.
   */
  autoStylesheet?: string;
  /** The mode in effect; a dark-only theme is always 'dark'. */
  colourMode: ColourMode;
  /** The attributes for <html>: data-bs-theme for light/dark, data-bs-theme-auto for auto, none for dark-only themes. */
  htmlAttributes: string;
  /** The theme has no light/dark/auto choice (themes/themes.json, darkOnly). */
  darkOnly: boolean;
  /**
   * <meta name="color-scheme">: the browser's own canvas, scrollbars and form controls match before and after the
   * stylesheets load (dark-only themes set no color-scheme themselves, so without it their scrollbars are light).
   */
  colorScheme: 'light' | 'dark' | 'light dark';
}

const base = (theme: string): string => (theme === 'default' ? '/build/vendor' : `/build/vendor/bootswatch/${theme}`);

export function themeStylesheet(theme: string): string {
  return theme === 'default' ? '/build/vendor/bootstrap.min.css' : `${base(theme)}/bootstrap.min.css`;
}

export function autoStylesheet(theme: string): string {
  return theme === 'default' ? '/build/vendor/bootstrap-auto.css' : `${base(theme)}/auto.css`;
}

/** The HTML attributes that select a mode; the client module sets the same ones when the user switches. */
export function modeAttributes(mode: ColourMode): string {
  return mode === 'auto' ? ' data-bs-theme-auto' : ` data-bs-theme="${mode}"`;
}

export function appearanceFor(site: Config['site'], settings: Pick<UserSettings, 'theme' | 'colourMode'> | undefined): Appearance {
  // A stored theme the admin no longer allows falls back to the site's default, like '' does.
  const chosen = settings?.theme;
  const theme = chosen && site.themesAllowed.includes(chosen) ? chosen : site.theme;
  const darkOnly = darkOnlyThemes().includes(theme);
  if (darkOnly) {
    // Their own :root palette is the dark one; Bootstrap's generic dark variables would replace their colours.
    return { theme, stylesheet: themeStylesheet(theme), colourMode: 'dark', htmlAttributes: '', darkOnly, colorScheme: 'dark' };
  }
  // Signed-out pages (no settings) follow the device.
  const colourMode = settings?.colourMode ?? 'auto';
  const colorScheme = colourMode === 'auto' ? 'light dark' : colourMode;
  return { theme, stylesheet: themeStylesheet(theme), autoStylesheet: autoStylesheet(theme), colourMode, htmlAttributes: modeAttributes(colourMode), darkOnly, colorScheme };
}
