import { readFileSync } from 'node:fs';
import { rootPath } from '../../config/index.js';

// Bootstrap's own primary: the colour for a theme themes.json has no entry for.
const BOOTSTRAP_PRIMARY = '#0d6efd';

/** theme → its primary colour (themes.json "primary"), for <meta name="theme-color"> and the manifest. */
export function themeColors(file = rootPath('themes', 'themes.json')): (theme: string) => string {
  const registry = JSON.parse(readFileSync(file, 'utf8')) as { primary?: Record<string, string> };
  const colors = new Map(Object.entries(registry.primary ?? {}).filter(([, c]) => /^#[0-9a-f]{3,8}$/i.test(c)));
  return (theme) => colors.get(theme) ?? colors.get('default') ?? BOOTSTRAP_PRIMARY;
}
