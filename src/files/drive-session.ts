/**
 * What a route may do on a drive while it holds the user's pooled SMB connection (DriveFiles.run). Paths are
 * paths inside the share, as `run` hands them over (the drive's base folder included), so a route can join
 * names onto the folder it was given. The buffer sizes, the upload conflict rules and the zip walk live here,
 * not in the routes; the share itself never leaves this module.
 */
import type { Readable, Writable } from 'node:stream';
import { ConflictError } from '../errors/index.js';
import type { DirEntry, SmbShare, Stats, WriteFlags } from '../smb/index.js';
import type { ConflictMode } from './names.js';
import { readFolder, type FolderRead } from './read-folder.js';
import { searchTree, type SearchHit, type SearchLimits, type SearchSummary } from './search.js';
import type { NameMatcher } from './search-match.js';
import { readTextHead, type TextHead } from './text-head.js';
import { cutBackTo, join, placeFile, pump, removeQuietly, removeStaleTemporaries, sweepStaleTemporaries, type PumpResult } from './upload.js';
import { DOWNLOAD_WINDOW, UPLOAD_WINDOW } from './windows.js';
import { walkForZip, type ZipItem, type ZipLimits } from './zip-walk.js';

const leafOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

export class DriveSession {
  constructor(private readonly share: SmbShare) {}

  stat(path: string, options: { readData?: boolean } = {}): Promise<Stats> {
    return this.share.stat(path, options);
  }

  /** stat and the server's id of the file, which a replacement under the same name does not keep. */
  statWithId(path: string, options: { readData?: boolean } = {}): Promise<{ stats: Stats; fileId: string }> {
    return this.share.statWithId(path, options);
  }

  /** stat and the owner's SID (null where the server will not show the security descriptor). */
  statWithOwner(path: string): Promise<{ stats: Stats; ownerSid: string | null }> {
    return this.share.statWithOwner(path);
  }

  exists(path: string): Promise<boolean> {
    return this.share.exists(path);
  }

  /** A folder's entries in the batches the server returns them. */
  entries(path: string): AsyncGenerator<DirEntry[], void, undefined> {
    return this.share.entries(path);
  }

  /** Names below `path` that `match` accepts, to `onHit` as found (see searchTree). */
  search(path: string, match: NameMatcher, limits: SearchLimits, onHit: (hit: SearchHit) => void, signal?: AbortSignal): Promise<SearchSummary> {
    return searchTree((p, o) => this.share.entries(p, o), path, match, limits, onHit, signal);
  }

  /** At most `max` entries of a folder (see readFolder). */
  list(path: string, max: number, onBig?: () => void): Promise<FolderRead> {
    return readFolder(this.share, path, max, onBig);
  }

  readFile(path: string): Promise<Buffer> {
    return this.share.readFile(path);
  }

  readStream(path: string): Readable {
    return this.share.createReadStream(path);
  }

  readTextHead(path: string, limit?: number): Promise<TextHead> {
    return readTextHead(this.share, path, limit);
  }

  /** Bytes start..end (inclusive) of a file into `out`, with the web app's read window; opens before writing. */
  sendTo(path: string, out: Writable, range: { start: number; end: number; signal?: AbortSignal }): Promise<{ bytes: number }> {
    return this.share.pipeTo(path, out, { ...DOWNLOAD_WINDOW, ...range });
  }

  /** Everything a zip of `base` (or of `roots` in it) would hold, refused past the limits as it reads. */
  walk(base: string, roots: DirEntry[] | undefined, limits: ZipLimits): Promise<ZipItem[]> {
    return walkForZip(this.share, base, roots, limits);
  }

  mkdir(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    return this.share.mkdir(path, options);
  }

  /** An empty file that must not exist yet (a resumable upload's temporary). */
  async createEmpty(path: string): Promise<void> {
    const ws = this.share.createWriteStream(path, { flags: 'wx' });
    ws.end();
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.once('close', () => resolve());
    });
  }

  /** Upload: streams `src` into `path` (see pump). */
  write(
    path: string,
    src: Readable,
    opts: { flags: WriteFlags; keepPartial?: boolean; limit?: number; offset?: number; atOpen?: (size: number) => void; discardable?: (chunk: Buffer) => boolean },
  ): Promise<PumpResult> {
    return pump(this.share, path, src, opts);
  }

  /** Upload: puts the finished temporary in place under the user's conflict choice (see placeFile). */
  place(dir: string, temp: string, name: string, conflict: ConflictMode): Promise<string> {
    return placeFile(this.share, dir, temp, name, conflict);
  }

  /** Cuts a file back to `size` bytes if it is longer; resolves with its size now. */
  cutBackTo(path: string, size: number): Promise<number> {
    return cutBackTo(this.share, path, size);
  }

  removeQuietly(path: string): Promise<void> {
    return removeQuietly(this.share, path);
  }

  sweepStaleTemporaries(key: string, dir: string, now?: number): Promise<number> {
    return sweepStaleTemporaries(this.share, key, dir, now);
  }

  removeStaleTemporaries(dir: string, maxAgeMs: number, now?: number): Promise<{ removed: number; left: number }> {
    return removeStaleTemporaries(this.share, dir, maxAgeMs, now);
  }

  rename(from: string, to: string, options: { replace?: boolean } = {}): Promise<void> {
    return this.share.rename(from, to, options);
  }

  /** A file, or an empty folder; with `recursive`, a folder and everything in it. */
  remove(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    return this.share.rm(path, { recursive: options.recursive === true });
  }

  /**
   * Copies a file or a folder tree to `to`, which must not exist. Files are copied by the server
   * (FSCTL_SRV_COPYCHUNK): their bytes never pass through the app.
   */
  async copy(from: string, to: string): Promise<void> {
    const st = await this.share.stat(from);
    if (st.type === 'dir') {
      // CREATE without OPEN: an existing folder is the server's "exists", not a merge.
      await this.share.mkdir(to);
      for await (const batch of this.share.entries(from)) {
        for (const e of batch) {
          if (e.name === '.' || e.name === '..') continue;
          await this.copy(join(from, e.name), join(to, e.name));
        }
      }
      return;
    }
    // The server-side copy opens its target with OVERWRITE_IF, so refuse an existing target first.
    if (await this.share.exists(to)) throw new ConflictError(`“${leafOf(to)}” already exists.`, { code: 'exists', messageKey: 'errors.file.exists.named', messageParams: { item: leafOf(to) } });
    await this.share.copy(from, to);
  }

  /**
   * Deletes files known to be files (from a listing) in one round trip; per path, in order, undefined when it is
   * gone or why not (see SmbShare.unlinkFiles).
   */
  deleteFiles(paths: readonly string[]): Promise<(Error | undefined)[]> {
    return this.share.unlinkFiles(paths);
  }

  /** Deletes one file or one empty folder (a folder with something in it: NotEmptyError). */
  deleteOne(path: string): Promise<void> {
    return this.share.rm(path);
  }

  /**
   * Server-side copy of one file to `to`, which must not exist: the bytes never pass through the app.
   * `signal` stops it between COPYCHUNK requests; what was written stays (copy to a temporary name).
   */
  serverCopy(from: string, to: string, opts: { signal?: AbortSignal; onBytes?: (n: number) => void } = {}): Promise<void> {
    return this.share.copy(from, to, { exclusive: true, ...opts });
  }

  /**
   * Server-side copy into another share of the same server and sign-in (`to` is a path in `target`'s share).
   * Another server: SmbNotSupportedError before anything is opened; a server that refuses a copy between its
   * shares answers with its own error. Either way the caller streams instead.
   */
  serverCopyTo(target: DriveSession, from: string, to: string, opts: { signal?: AbortSignal; onBytes?: (n: number) => void } = {}): Promise<void> {
    return this.share.copyTo(from, target.share, to, { exclusive: true, ...opts });
  }

  /** Writes `source` into `path`, which must not exist, with the upload window; see SmbShare.pipeFrom. */
  writeNew(path: string, source: AsyncIterable<Buffer>, opts: { signal?: AbortSignal } = {}): Promise<{ bytes: number }> {
    return this.share.pipeFrom(path, source, { ...UPLOAD_WINDOW, flags: 'wx', ...opts });
  }

  /** Both faces are on the same share of the same connection (a rename or COPYCHUNK can join them). */
  sameShareAs(other: DriveSession): boolean {
    return this.share === other.share;
  }

  /** The share lets this user write at all (tree-connect maximal access); see SmbShare.canWrite. */
  canWrite(): Promise<boolean> {
    return this.share.canWrite();
  }

  /** Moves within the drive: a rename on the server, never over an existing item. */
  move(from: string, to: string): Promise<void> {
    return this.share.rename(from, to, { replace: false });
  }
}
