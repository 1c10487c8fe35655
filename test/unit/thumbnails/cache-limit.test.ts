// The thumbnail disk cache stays under its cap, dropping the least recently used thumbnails first.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ThumbnailService } from '../../../src/thumbnails/index.js';

const image = readFileSync(join(import.meta.dirname, '../../fixtures/files/sample-photo.jpg'));
const keyOf = (i: number): string => ThumbnailService.keyOf({ server: 'fs', share: 's', path: `p${i}.jpg`, fileId: String(i), size: image.length, mtime: new Date(0), ctime: new Date(0) });

function cacheFiles(dir: string): { name: string; size: number }[] {
  return readdirSync(dir).flatMap((sub) => readdirSync(join(dir, sub)).map((name) => ({ name, size: statSync(join(dir, sub, name)).size })));
}

describe('thumbnail cache key', () => {
  it('names one version of a file: a new change time or file id is a new key, even with the same size and mtime', () => {
    const file = { server: 'fs', share: 's', path: 'p.jpg', fileId: '1234', size: 100, mtime: new Date(1_000), ctime: new Date(1_000) };
    expect(ThumbnailService.keyOf(file)).toBe(ThumbnailService.keyOf({ ...file }));
    expect(ThumbnailService.keyOf({ ...file, ctime: new Date(2_000) })).not.toBe(ThumbnailService.keyOf(file));
    expect(ThumbnailService.keyOf({ ...file, fileId: '1235' })).not.toBe(ThumbnailService.keyOf(file));
    expect(ThumbnailService.keyOf({ ...file, mtime: new Date(2_000) })).not.toBe(ThumbnailService.keyOf(file));
  });
});

describe('thumbnail cache limit', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'portcullis-thumbs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prunes the least recently used thumbnails once the cache passes its cap', async () => {
    // The size of one thumbnail of this image, made in a cache of its own.
    const probeDir = `${dir}-probe`;
    const one = (await new ThumbnailService({ dir: probeDir }).get(keyOf(0), image.length, async () => image)).data.length;
    rmSync(probeDir, { recursive: true, force: true });
    // Room for about five thumbnails.
    const thumbs = new ThumbnailService({ dir, cacheMaxBytes: one * 5 + one / 2 });
    for (let i = 0; i < 5; i++) await thumbs.get(keyOf(i), image.length, async () => image);
    await thumbs.settled();
    expect(cacheFiles(dir)).toHaveLength(5);
    // Age them, #0 oldest, then use #0 again: it becomes the most recently used.
    const fileOf = (i: number): string => join(dir, keyOf(i).slice(0, 2), `${keyOf(i)}.webp`);
    for (let i = 0; i < 5; i++) utimesSync(fileOf(i), new Date(1000 + i * 1000), new Date(1000 + i * 1000));
    expect((await thumbs.get(keyOf(0), image.length, async () => image)).cached).toBe(true);
    await expect.poll(() => statSync(fileOf(0)).mtimeMs).toBeGreaterThan(1_000_000);

    // #5 pushes it over the cap: the least recently used (#1, #2) go until it is at 3/4; #6 fits again.
    await thumbs.get(keyOf(5), image.length, async () => image);
    await thumbs.settled();
    expect(cacheFiles(dir).reduce((s, f) => s + f.size, 0)).toBeLessThanOrEqual(thumbs.cacheMaxBytes * 0.75);
    await thumbs.get(keyOf(6), image.length, async () => image);
    await thumbs.settled();
    const left = cacheFiles(dir);
    expect(left.reduce((s, f) => s + f.size, 0)).toBeLessThanOrEqual(thumbs.cacheMaxBytes);
    expect(left.map((f) => f.name).sort()).toEqual([0, 3, 4, 5, 6].map((i) => `${keyOf(i)}.webp`).sort());
    expect(thumbs.stats.pruned).toBeGreaterThan(0);
  });

  it('counts what an earlier process left and sweeps stale temporaries', async () => {
    const sub = join(dir, 'ab');
    const filler = Buffer.alloc(100_000);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(sub, { recursive: true });
    for (let i = 0; i < 10; i++) writeFileSync(join(sub, `ab${String(i).padStart(62, '0')}.webp`), filler);
    writeFileSync(join(sub, 'ab-crashed.webp.123.tmp'), filler);
    const old = new Date(Date.now() - 2 * 3600_000);
    utimesSync(join(sub, 'ab-crashed.webp.123.tmp'), old, old);
    const thumbs = new ThumbnailService({ dir, cacheMaxBytes: 500_000 });
    await thumbs.prune();
    const left = cacheFiles(dir);
    expect(left.some((f) => f.name.endsWith('.tmp'))).toBe(false);
    expect(left.reduce((s, f) => s + f.size, 0)).toBeLessThanOrEqual(375_000);
  });
});
