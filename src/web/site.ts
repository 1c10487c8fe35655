import type { Config } from '../config/index.js';

export interface SiteLocals {
  name: string;
  theme: string;
  themeHref: string;
}

/** What every page's layout needs to know about the site. */
export function siteLocals(config: Config): SiteLocals {
  const { name, theme } = config.site;
  const themeHref = theme === 'default' ? '/build/vendor/bootstrap.min.css' : `/build/vendor/bootswatch/${theme}/bootstrap.min.css`;
  return { name, theme, themeHref };
}
