/**
 * Image thumbnails with sharp (libvips), cached on disk.
 *
 * - Bounded input: the caller refuses sources over `maxInputBytes` before reading them; sharp refuses images
 *   over `maxInputPixels` from the header, before decoding (limitInputPixels).
 * - Bounded memory while decoding: at most `concurrency` images at a time (a FIFO queue behind), each read
 *   into one buffer of at most maxInputBytes; libvips decodes sequentially and JPEGs shrink on load; its
 *   operation cache is off.
 * - Never blocks the event loop: sharp runs on libuv's thread pool.
 * - Cache: `<dir>/<aa>/<sha256>.webp`, keyed by a caller-given identity (server, share, path, the server's
 *   file id, size, mtime, ctime), so a changed file gets a new thumbnail and the old one simply stops being
 *   asked for. Size and mtime alone can be put back: a copy that keeps times (rsync -t, Explorer, `touch -r`)
 *   of a same-sized picture looked like the old one. NTFS moves ChangeTime on every change; Samba reports its
 *   mtime there instead, so on Samba it is the file id (the inode) that tells a replacement apart. Files are written
 *   to a temporary name and renamed, so a crash never leaves half a thumbnail under a real key. Concurrent
 *   requests for the same key share one generation.
 * - Shared by all users: a key names a file version, not a user, so a hit never touches the file server. The
 *   caller must first check that the requesting user may read the file's data (the /thumb route opens it for
 *   read-data with the user's own connection), or the cache would show one user's pictures to another.
 * - Recently used thumbnails are also kept in memory (`memoryBytes`, least recently used out), under the same keys
 *   and so with the same rule: the caller's check comes first.
 * - Bounded cache: a hit touches the file's mtime (atime is often off; at most every ten minutes), and when the cache grows past
 *   `cacheMaxBytes` the least recently used thumbnails go until it is at three quarters of that. The size
 *   is counted from disk once, with the first thumbnail written, then kept up to date.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type sharpFn from 'sharp';
import type { Logger } from '../log.js';

export interface ThumbnailOptions {
  /** Cache folder (created when needed). */
  dir: string;
  /** Longest side of a thumbnail, in pixels. */
  size?: number;
  maxInputBytes?: number;
  maxInputPixels?: number;
  /** Images decoded at the same time. */
  concurrency?: number;
  /** Prune the cache, least recently used first, when it grows past this (default 512 MiB). */
  cacheMaxBytes?: number;
  /** Recently served thumbnails kept in memory as well, least recently used out first (default 8 MiB; 0: none). */
  memoryBytes?: number;
  logger?: Logger;
}

/**
 * A hit touches its file at most this often: the touch (and the file read a memory hit saves) was a third of a
 * cached thumbnail's CPU under load. The pruning order is then exact to within these ten minutes.
 */
const TOUCH_EVERY_MS = 10 * 60_000;

/** A temporary left by a crash while writing a thumbnail; older than this, it is swept with a prune. */
const STALE_TMP_MS = 3600_000;

/** Source formats sharp's prebuilt libvips decodes that browsers show as raster images (no SVG: it may script). */
const IMAGE_EXTENSIONS = new Set(['jpg', 'jpeg', 'jpe', 'png', 'gif', 'webp', 'avif', 'heic', 'heif', 'tif', 'tiff', 'bmp']);

export function isThumbnailable(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot > 0 && IMAGE_EXTENSIONS.has(name.slice(dot + 1).toLowerCase());
}

export class ThumbnailTooLargeError extends Error {
  constructor(readonly reason: 'bytes' | 'pixels') {
    super(reason === 'bytes' ? 'source file too large for a thumbnail' : 'image has too many pixels for a thumbnail');
    this.name = 'ThumbnailTooLargeError';
  }
}

export class ThumbnailUnreadableError extends Error {
  constructor(options: { cause: unknown }) {
    super('the image could not be decoded', options);
    this.name = 'ThumbnailUnreadableError';
  }
}

export interface Thumbnail {
  data: Buffer;
  /** Served from the disk cache, without reading the source. */
  cached: boolean;
}

/**
 * sharp maps libvips on import (~25 MB resident), a quarter of the app's memory budget: load it with the
 * first thumbnail, so a process that never makes one never pays for it.
 */
let sharpLoading: Promise<typeof sharpFn> | undefined;
function loadSharp(): Promise<typeof sharpFn> {
  sharpLoading ??= import('sharp').then(({ default: sharp }) => {
    sharp.cache(false);
    return sharp;
  });
  return sharpLoading;
}

export class ThumbnailService {
  readonly size: number;
  readonly maxInputBytes: number;
  readonly maxInputPixels: number;
  private readonly concurrency: number;
  private running = 0;
  private readonly queue: (() => void)[] = [];
  private readonly inFlight = new Map<string, Promise<Buffer>>();
  readonly cacheMaxBytes: number;
  private readonly memoryBytes: number;
  /** Key → thumbnail, in order of use (a Map keeps insertion order: a hit moves its entry to the end). */
  private readonly memory = new Map<string, { data: Buffer; touchedAt: number | undefined }>();
  private memoryUsed = 0;
  /** Bytes in the cache as far as we know: undefined until counted from disk. */
  private cacheBytes: number | undefined;
  private pruning: Promise<void> | undefined;
  /** Counters for tests and metrics. */
  readonly stats = { generated: 0, cacheHits: 0, pruned: 0 };

  constructor(private readonly options: ThumbnailOptions) {
    this.size = options.size ?? 256;
    this.maxInputBytes = options.maxInputBytes ?? 30 * 1024 * 1024;
    this.maxInputPixels = options.maxInputPixels ?? 50_000_000;
    this.concurrency = Math.max(1, options.concurrency ?? 2);
    this.cacheMaxBytes = options.cacheMaxBytes ?? 512 * 1024 * 1024;
    this.memoryBytes = options.memoryBytes ?? 8 * 1024 * 1024;
  }

  /** The cache key for one version of one file. */
  static keyOf(parts: { server: string; share: string; path: string; fileId: string; size: number; mtime: Date; ctime: Date }): string {
    return createHash('sha256')
      .update(JSON.stringify([parts.server.toLowerCase(), parts.share.toLowerCase(), parts.path, parts.fileId, parts.size, parts.mtime.getTime(), parts.ctime.getTime()]))
      .digest('hex');
  }

  private fileOf(key: string): string {
    return join(this.options.dir, key.slice(0, 2), `${key}.webp`);
  }

  /**
   * The thumbnail for `key`, from the cache or made from `read()` (called only on a miss, and only after a
   * decode slot is free). Throws ThumbnailTooLargeError or ThumbnailUnreadableError, or what `read` throws.
   */
  async get(key: string, sourceSize: number, read: () => Promise<Buffer>): Promise<Thumbnail> {
    if (sourceSize > this.maxInputBytes) throw new ThumbnailTooLargeError('bytes');
    const file = this.fileOf(key);
    const inMemory = this.memory.get(key);
    if (inMemory) {
      this.stats.cacheHits++;
      this.memory.delete(key);
      this.memory.set(key, inMemory);
      this.touch(file, inMemory);
      return { data: inMemory.data, cached: true };
    }
    const hit = await readFile(file).catch(() => undefined);
    if (hit) {
      this.stats.cacheHits++;
      const entry = { data: hit, touchedAt: undefined };
      this.touch(file, entry);
      this.remember(key, entry);
      return { data: hit, cached: true };
    }
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.generate(file, read)
        .then((data) => {
          // Just written: its first hit still touches it (touchedAt unset), as a hit always did.
          this.remember(key, { data, touchedAt: undefined });
          return data;
        })
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return { data: await pending, cached: false };
  }

  /** Marks a hit's file as recently used (the prune's order), at most once per TOUCH_EVERY_MS. */
  private touch(file: string, entry: { touchedAt: number | undefined }): void {
    const now = Date.now();
    if (entry.touchedAt !== undefined && now - entry.touchedAt < TOUCH_EVERY_MS) return;
    entry.touchedAt = now;
    const at = new Date(now);
    void utimes(file, at, at).catch(() => undefined);
  }

  /** Keeps a thumbnail in memory, dropping the least recently used past memoryBytes. */
  private remember(key: string, entry: { data: Buffer; touchedAt: number | undefined }): void {
    if (entry.data.length > this.memoryBytes || this.memory.has(key)) return;
    this.memory.set(key, entry);
    this.memoryUsed += entry.data.length;
    for (const [k, e] of this.memory) {
      if (this.memoryUsed <= this.memoryBytes) break;
      this.memory.delete(k);
      this.memoryUsed -= e.data.length;
    }
  }

  private async generate(file: string, read: () => Promise<Buffer>): Promise<Buffer> {
    await this.slot();
    try {
      const source = await read();
      if (source.length > this.maxInputBytes) throw new ThumbnailTooLargeError('bytes');
      const data = await this.render(source);
      this.stats.generated++;
      await mkdir(join(file, '..'), { recursive: true });
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(tmp, data);
        await rename(tmp, file);
        this.noteWritten(data.length);
      } catch {
        // A cache that cannot be written (full disk, read-only volume) still serves the thumbnail.
        await rm(tmp, { force: true });
      }
      return data;
    } finally {
      this.release();
    }
  }

  private noteWritten(bytes: number): void {
    if (this.cacheBytes !== undefined) this.cacheBytes += bytes;
    if (this.cacheBytes !== undefined && this.cacheBytes <= this.cacheMaxBytes) return;
    this.pruning ??= this.prune()
      .catch((err: unknown) => void this.options.logger?.warn('thumbnail cache: prune failed', { err }))
      .finally(() => (this.pruning = undefined));
  }

  /** Counts the cache on disk and, when it is over cacheMaxBytes, deletes the least recently used files. */
  async prune(now = Date.now()): Promise<void> {
    const dir = this.options.dir;
    const files: { path: string; size: number; mtimeMs: number }[] = [];
    for (const sub of await readdir(dir).catch(() => [])) {
      if (!/^[0-9a-f]{2}$/.test(sub)) continue;
      for (const name of await readdir(join(dir, sub)).catch(() => [])) {
        const path = join(dir, sub, name);
        const s = await stat(path).catch(() => undefined);
        if (s === undefined || !s.isFile()) continue;
        if (name.endsWith('.tmp')) {
          if (now - s.mtimeMs > STALE_TMP_MS) await rm(path, { force: true });
        } else if (name.endsWith('.webp')) {
          files.push({ path, size: s.size, mtimeMs: s.mtimeMs });
        }
      }
    }
    let total = files.reduce((sum, f) => sum + f.size, 0);
    let removed = 0;
    if (total > this.cacheMaxBytes) {
      const target = Math.floor(this.cacheMaxBytes * 0.75);
      files.sort((a, b) => a.mtimeMs - b.mtimeMs);
      for (const f of files) {
        if (total <= target) break;
        await rm(f.path, { force: true });
        total -= f.size;
        removed++;
      }
      this.stats.pruned += removed;
      this.options.logger?.info('thumbnail cache pruned', { removed, bytes: total, maxBytes: this.cacheMaxBytes });
    }
    this.cacheBytes = total;
  }

  /** Resolves when a prune in progress (if any) is done (tests). */
  async settled(): Promise<void> {
    await this.pruning;
  }

  private async render(source: Buffer): Promise<Buffer> {
    const sharp = await loadSharp();
    try {
      return await sharp(source, { limitInputPixels: this.maxInputPixels, sequentialRead: true, failOn: 'error', animated: false })
        .rotate()
        .resize(this.size, this.size, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 75, effort: 2 })
        .toBuffer();
    } catch (err) {
      if (err instanceof Error && /pixel limit/i.test(err.message)) throw new ThumbnailTooLargeError('pixels');
      throw new ThumbnailUnreadableError({ cause: err });
    }
  }

  private async slot(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.queue.push(resolve));
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.running--;
  }
}
