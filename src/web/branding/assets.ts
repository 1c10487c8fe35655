import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { rootPath } from '../../config/index.js';

/** The files /branding/<name> serves; BRANDING_DIR may replace each one. Anything else there is not served. */
export const BRANDING_FILES = ['logo.svg', 'logo.png', 'logo.webp', 'favicon.svg', 'favicon-32.png', 'apple-touch-icon.png', 'icon-192.png', 'icon-512.png'] as const;
const LOGOS = ['logo.svg', 'logo.png', 'logo.webp'] as const;
const BACKGROUND = /\.(svg|png|jpe?g|webp|avif)$/i;
export const BACKGROUNDS_FOLDER = 'login-backgrounds';
export const FOOTER_FILE = 'footer.json';

export interface BrandingAssets {
  /** name → absolute path, for every BRANDING_FILES entry found in BRANDING_DIR or the defaults. */
  files: ReadonlyMap<string, string>;
  /** The logo's URL: the override's format if BRANDING_DIR has one, else the default SVG. */
  logoHref: string;
  /** Absolute paths of the login backgrounds, in name order (their index is their URL). */
  backgrounds: readonly string[];
  /** footer.json: BRANDING_DIR's if it has one, else the shipped one (the footer's default text and links). */
  footerFile: string;
}

const isFile = (p: string): boolean => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

function imagesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => BACKGROUND.test(n) && !n.startsWith('.'))
    .sort()
    .map((n) => path.join(dir, n))
    .filter(isFile);
}

/**
 * Resolved once at start-up: branding changes with a restart, like every other setting. An override folder
 * of login backgrounds replaces the default set as a whole (mixing two sets would rarely be what was meant).
 */
export function brandingAssets(overrideDir: string | undefined, defaultsDir = rootPath('themes', 'branding')): BrandingAssets {
  const files = new Map<string, string>();
  for (const name of BRANDING_FILES) {
    const own = overrideDir === undefined ? undefined : path.join(overrideDir, name);
    if (own && isFile(own)) files.set(name, own);
    else if (isFile(path.join(defaultsDir, name))) files.set(name, path.join(defaultsDir, name));
  }
  const ownLogo = overrideDir === undefined ? undefined : LOGOS.find((n) => isFile(path.join(overrideDir, n)));
  const ownBackgrounds = overrideDir === undefined ? [] : imagesIn(path.join(overrideDir, BACKGROUNDS_FOLDER));
  const ownFooter = overrideDir === undefined ? undefined : path.join(overrideDir, FOOTER_FILE);
  return {
    files,
    footerFile: ownFooter && isFile(ownFooter) ? ownFooter : path.join(defaultsDir, FOOTER_FILE),
    logoHref: `/branding/${ownLogo ?? 'logo.svg'}`,
    backgrounds: ownBackgrounds.length > 0 ? ownBackgrounds : imagesIn(path.join(defaultsDir, BACKGROUNDS_FOLDER)),
  };
}
