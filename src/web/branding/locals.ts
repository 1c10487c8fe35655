import type { Config, FooterLink } from '../../config/index.js';
import type { BrandingAssets } from './assets.js';

/** What the layout, navbar, footer and login page need to know about the branding (app.locals.brand). */
export interface BrandLocals {
  logoHref: string;
  footerText?: string | undefined;
  footerLinks: readonly FooterLink[];
  /** The theme's primary colour, for <meta name="theme-color">. */
  themeColor: (theme: string) => string;
}

export function brandLocals(config: Config, assets: BrandingAssets, themeColor: (theme: string) => string): BrandLocals {
  return { logoHref: assets.logoHref, footerText: config.branding.footerText, footerLinks: config.branding.footerLinks, themeColor };
}
