import type { Config } from '../../config/index.js';

export interface WebAppManifest {
  name: string;
  short_name: string;
  start_url: string;
  scope: string;
  display: 'standalone';
  theme_color: string;
  background_color: string;
  icons: { src: string; sizes: string; type: string; purpose: string }[];
}

/** "Add to home screen": the site's name, the app tile icons and the default theme's colour. */
export function webAppManifest(config: Config, themeColor: string): WebAppManifest {
  const { name } = config.site;
  // Launchers cut longer labels; 12 characters is what fits under an icon on common phones.
  const shortName = name.length <= 12 ? name : `${name.slice(0, 11).trimEnd()}…`;
  return {
    name,
    short_name: shortName,
    start_url: '/',
    scope: '/',
    display: 'standalone',
    theme_color: themeColor,
    background_color: '#ffffff',
    icons: [
      { src: '/branding/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any maskable' },
      { src: '/branding/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any maskable' },
    ],
  };
}
