// Recently served thumbnails are kept in memory too: bounded, keyed like the disk cache, and a hit still marks
// its file as recently used (at most every ten minutes).
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ThumbnailService } from '../../../src/thumbnails/index.js';

const image = readFileSync(join(import.meta.dirname, '../../fixtures/files/sample-photo.jpg'));
const keyOf = (i: number): string => ThumbnailService.keyOf({ server: 'fs', share: 's', path: `p${i}.jpg`, fileId: String(i), size: image.length, mtime: new Date(0), ctime: new Date(0) });

describe('thumbnail memory cache', () => {
  let dir: string;
  const fileOf = (i: number): string => join(dir, keyOf(i).slice(0, 2), `${keyOf(i)}.webp`);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'portcullis-thumbs-mem-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const never = (): Promise<Buffer> => Promise.reject(new Error('the source must not be read on a hit'));

  it('serves a hit from memory, without the disk file, and only under its own key', async () => {
    const thumbs = new ThumbnailService({ dir });
    const made = await thumbs.get(keyOf(0), image.length, async () => image);
    expect(made.cached).toBe(false);
    rmSync(fileOf(0));
    const hit = await thumbs.get(keyOf(0), image.length, never);
    expect(hit).toEqual({ data: made.data, cached: true });
    // Another file version (another key) never gets it: it is made from its own source.
    let read = 0;
    const other = await thumbs.get(keyOf(1), image.length, async () => {
      read++;
      return image;
    });
    expect(other.cached).toBe(false);
    expect(read).toBe(1);
  });

  it('keeps at most memoryBytes, the least recently used out first; those come from disk again', async () => {
    const probe = await new ThumbnailService({ dir: join(dir, 'probe') }).get(keyOf(9), image.length, async () => image);
    const one = probe.data.length;
    const thumbs = new ThumbnailService({ dir: join(dir, 'c'), memoryBytes: one * 2 + one / 2 });
    const fileIn = (i: number): string => join(dir, 'c', keyOf(i).slice(0, 2), `${keyOf(i)}.webp`);
    for (let i = 0; i < 2; i++) await thumbs.get(keyOf(i), image.length, async () => image);
    await thumbs.get(keyOf(0), image.length, never); // #0 now the most recently used
    await thumbs.get(keyOf(2), image.length, async () => image); // #1 leaves memory
    for (const i of [0, 1, 2]) rmSync(fileIn(i));
    expect((await thumbs.get(keyOf(0), image.length, never)).cached).toBe(true);
    expect((await thumbs.get(keyOf(2), image.length, never)).cached).toBe(true);
    let read = 0;
    const again = await thumbs.get(keyOf(1), image.length, async () => {
      read++;
      return image;
    });
    expect(again.cached).toBe(false);
    expect(read).toBe(1);
  });

  it('with memoryBytes 0 every hit reads the disk file', async () => {
    const thumbs = new ThumbnailService({ dir, memoryBytes: 0 });
    await thumbs.get(keyOf(0), image.length, async () => image);
    expect((await thumbs.get(keyOf(0), image.length, never)).cached).toBe(true);
    rmSync(fileOf(0));
    await expect(thumbs.get(keyOf(0), image.length, never)).rejects.toThrow('must not be read');
  });

  it('touches the file on the first hit, then not again within ten minutes', async () => {
    const thumbs = new ThumbnailService({ dir });
    await thumbs.get(keyOf(0), image.length, async () => image);
    utimesSync(fileOf(0), new Date(1000), new Date(1000));
    await thumbs.get(keyOf(0), image.length, never);
    await expect.poll(() => statSync(fileOf(0)).mtimeMs).toBeGreaterThan(1_000_000);
    utimesSync(fileOf(0), new Date(2000), new Date(2000));
    for (let i = 0; i < 3; i++) await thumbs.get(keyOf(0), image.length, never);
    // A touch is fire-and-forget: a later read of the file would see one that had been made.
    await thumbs.get(keyOf(0), image.length, never);
    expect(statSync(fileOf(0)).mtimeMs).toBe(2000);
  });
});
