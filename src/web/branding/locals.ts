import type { Config } from '../../config/index.js';
import type { BrandingAssets } from './assets.js';
import { type FooterEntry, type FooterMessage, readFooterFile, resolveFooter } from './footer.js';

/** What the layout, navbar, footer and login page need to know about the branding (app.locals.brand). */
export interface BrandLocals {
  logoHref: string;
  /** A catalogue key (translated by the footer template) or an admin's literal text. */
  footerText?: FooterMessage | undefined;
  footerLinks: readonly FooterEntry[];
  /** The theme's primary colour, for <meta name="theme-color">. */
  themeColor: (theme: string) => string;
}

export function brandLocals(config: Config, assets: BrandingAssets, themeColor: (theme: string) => string): BrandLocals {
  const footer = resolveFooter(readFooterFile(assets.footerFile), config.branding, config.help);
  return { logoHref: assets.logoHref, footerText: footer.text, footerLinks: footer.links, themeColor };
}
