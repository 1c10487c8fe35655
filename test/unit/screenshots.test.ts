// The README's screenshots as committed: each one the README shows exists, is a PNG within the size budget, and
// every PNG in docs/screenshots/ is shown (no stale image left behind). `npm run screenshots` regenerates them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SCREENSHOT_MAX_BYTES } from '../helpers/screenshots.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = `${ROOT}docs/screenshots/`;
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('README screenshots', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.png')).sort();
  const readme = readFileSync(`${ROOT}README.md`, 'utf8');
  const shown = [...readme.matchAll(/!\[([^\]]*)\]\(docs\/screenshots\/([^)]+)\)/g)].map((m) => ({ alt: m[1] ?? '', file: m[2] ?? '' }));

  it('every committed screenshot is a PNG of at most 150 KB', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) {
      const bytes = statSync(`${DIR}${f}`).size;
      expect(bytes, `${f} is ${bytes} bytes`).toBeLessThanOrEqual(SCREENSHOT_MAX_BYTES);
      expect(readFileSync(`${DIR}${f}`).subarray(0, 8).equals(PNG_MAGIC), f).toBe(true);
    }
  });

  it('the README shows each of them, with alt text, by a relative link', () => {
    expect(shown.map((s) => s.file).sort()).toEqual(files);
    for (const s of shown) expect(s.alt.trim().length, s.file).toBeGreaterThan(10);
  });
});
