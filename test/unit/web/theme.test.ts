// Issue 14, themes and colour modes without a server: THEMES_ALLOWED is checked at start-up with a message that
// names the problem; the page's appearance follows the stored settings within what is allowed; the auto
// stylesheet copies exactly Bootstrap's dark rules under prefers-color-scheme; `back` never leaves the site.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { autoDarkCss } from '../../../scripts/auto-dark-css.mjs';
import { availableThemes, ConfigError, darkOnlyThemes, loadConfig, notOfferedMessage, shippedThemes } from '../../../src/config/index.js';
import { appearanceFor } from '../../../src/web/theme/appearance.js';
import { safeBackPath } from '../../../src/web/theme/routes.js';

const configError = (env: NodeJS.ProcessEnv): ConfigError => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('no ConfigError');
};

describe('THEMES_ALLOWED', () => {
  it('defaults to every theme, and keeps the listed ones (each once)', () => {
    expect(loadConfig({}).site.themesAllowed).toContain('zephyr');
    expect(loadConfig({ THEME: 'flatly', THEMES_ALLOWED: 'flatly, darkly,flatly' }).site.themesAllowed).toEqual(['flatly', 'darkly']);
  });

  it('fails at start-up naming unknown themes, and when THEME is not among the allowed', () => {
    expect(configError({ THEMES_ALLOWED: 'default,flatlly,nope' }).message).toMatch(/^THEMES_ALLOWED: unknown themes "flatlly", "nope"; themes are default, brite,/);
    expect(configError({ THEMES_ALLOWED: 'flatly,darkly' }).message).toBe('THEME: "default" is not in THEMES_ALLOWED (flatly, darkly); add it there or choose one of those');
    expect(configError({ THEMES_ALLOWED: ' , ' }).message).toMatch(/^THEMES_ALLOWED: expected a comma-separated list of theme names/);
  });
});

describe('themes not offered (themes/themes.json "notOffered")', () => {
  it('are shipped but neither THEME nor THEMES_ALLOWED may name them, and the message says why', () => {
    expect(shippedThemes()).toContain('minty');
    expect(availableThemes()).not.toContain('minty');
    expect(loadConfig({}).site.themesAllowed).not.toContain('minty');
    expect(configError({ THEME: 'minty' }).message).toMatch(/^THEME: the theme "minty" is not offered, because its colours fail the accessibility check: color-contrast: .*\d:1/);
    expect(configError({ THEMES_ALLOWED: 'default,morph' }).message).toMatch(/^THEMES_ALLOWED: the theme "morph" is not offered, because .*2\.62:1/);
    expect(notOfferedMessage('flatly')).toBeUndefined();
  });
});

describe('appearance', () => {
  const site = { name: 'P', theme: 'flatly', themesAllowed: ['default', 'flatly', 'darkly'] };

  it('signed out: the site theme, auto', () => {
    expect(appearanceFor(site, undefined)).toMatchObject({ theme: 'flatly', colourMode: 'auto', htmlAttributes: ' data-bs-theme-auto', autoStylesheet: '/build/vendor/bootswatch/flatly/auto.css', colorScheme: 'light dark' });
  });

  it('the user’s theme and mode; a theme no longer allowed falls back to THEME; dark-only themes get no attributes', () => {
    expect(appearanceFor(site, { theme: 'default', colourMode: 'dark' })).toMatchObject({ stylesheet: '/build/vendor/bootstrap.min.css', htmlAttributes: ' data-bs-theme="dark"' });
    expect(appearanceFor(site, { theme: 'cyborg', colourMode: 'light' })).toMatchObject({ theme: 'flatly', htmlAttributes: ' data-bs-theme="light"' });
    expect(appearanceFor(site, { theme: 'darkly', colourMode: 'light' })).toEqual({ theme: 'darkly', stylesheet: '/build/vendor/bootswatch/darkly/bootstrap.min.css', colourMode: 'dark', htmlAttributes: '', darkOnly: true, colorScheme: 'dark' });
  });

  it('dark-only themes are the ones whose own palette is dark', () => {
    // Their :root (light) body background is dark: luminance of --bs-body-bg well below half.
    for (const theme of darkOnlyThemes()) {
      const css = readFileSync(`node_modules/bootswatch/dist/${theme}/bootstrap.min.css`, 'utf8');
      const hex = /:root,\[data-bs-theme=light\]\{[^}]*?--bs-body-bg:#([0-9a-f]{3,6})/.exec(css)?.[1] ?? 'fff';
      const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
      const [r, g, b] = [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16));
      expect(0.2126 * (r ?? 255) + 0.7152 * (g ?? 255) + 0.0722 * (b ?? 255), theme).toBeLessThan(128);
    }
  });
});

describe('auto stylesheet', () => {
  it('copies Bootstrap’s dark rules, scoped to [data-bs-theme-auto], under prefers-color-scheme: dark', () => {
    const css = readFileSync('node_modules/bootstrap/dist/css/bootstrap.min.css', 'utf8');
    const auto = autoDarkCss(css);
    expect(auto.startsWith('@media (prefers-color-scheme:dark){[data-bs-theme-auto]{color-scheme:dark;')).toBe(true);
    expect(auto).not.toContain('data-bs-theme=dark');
    // Every rule Bootstrap starts with [data-bs-theme=dark] is there, with the same declarations.
    const darkSelectors = [...css.matchAll(/(?:^|[{},])(\[data-bs-theme=dark\][^{,]*)\{/g)].length;
    expect([...auto.matchAll(/\[data-bs-theme-auto\]/g)].length).toBe(darkSelectors);
    expect(auto).toContain('[data-bs-theme-auto] .form-select{--bs-form-select-bg-img:');
  });

  it('handles at-rules, strings with braces and selector lists', () => {
    const css = '@charset "utf-8";/*! c { */.a{x:1}[data-bs-theme=dark] .b,.c{content:"}{"}@media (min-width:1px){.d,[data-bs-theme=dark] .e{y:2}}@keyframes k{0%{z:3}}';
    expect(autoDarkCss(css)).toBe('@media (prefers-color-scheme:dark){[data-bs-theme-auto] .b{content:"}{"}@media (min-width:1px){[data-bs-theme-auto] .e{y:2}}}\n');
    expect(autoDarkCss('.a{x:1}')).toBe('');
  });
});

describe('colour mode form: back', () => {
  it('only ever a path on this site', () => {
    expect(safeBackPath('/browse/home/a%20b/?view=grid')).toBe('/browse/home/a%20b/?view=grid');
    for (const bad of ['//evil.example', 'https://evil.example/', '/\\evil', '/a\r\nb', undefined, 42, '']) expect(safeBackPath(bad)).toBe('/');
  });
});
