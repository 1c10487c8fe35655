/**
 * The SMB side of an upload: stream into a temporary, put it in place under the user's conflict choice,
 * and sweep temporaries that crashed uploads left behind. Routes call these inside pool.use and keep its
 * promise pending until they resolve.
 */
import type { Readable } from 'node:stream';
import { ConflictError, PayloadTooLargeError, said } from '../errors/index.js';
import { SmbDisconnectedError, SmbExistsError, SmbSessionExpiredError, SmbTimeoutError, type SmbShare, type WriteFlags } from '../smb/index.js';
import { isTempName, numberedName, type ConflictMode } from './names.js';
import { noteBodyBytes } from './young-garbage.js';
import { UPLOAD_WINDOW } from './windows.js';

/** Temporaries untouched for this long belong to crashed or abandoned uploads. */
export const STALE_TEMP_MS = 24 * 3600 * 1000;
/** A folder is swept at most this often per instance. */
const SWEEP_INTERVAL_MS = 10 * 60 * 1000;
const KEEP_BOTH_TRIES = 1000;

export const join = (dir: string, name: string): string => (dir === '' ? name : `${dir}/${name}`);

export interface PumpResult {
  bytes: number;
  /** The source failed (client went away) but what arrived before was written (keepPartial). */
  sourceError?: Error;
}

/**
 * Frees `chunk`'s memory now instead of at the next garbage collection, when it owns all of it (an HTTP
 * request's body chunk: Node copies each into a buffer of its own). Detaching its ArrayBuffer frees the
 * bytes and tells V8 at once; the chunk and any view of it read as empty afterwards.
 */
function discard(chunk: Buffer): void {
  if (!(chunk.buffer instanceof ArrayBuffer) || chunk.byteOffset !== 0 || chunk.byteLength !== chunk.buffer.byteLength) return;
  // ES2024's ArrayBuffer.prototype.transfer (Node 22+); the project's TypeScript lib predates it.
  const ab = chunk.buffer as ArrayBuffer & { readonly detached: boolean; transfer(length: number): ArrayBuffer };
  if (!ab.detached) ab.transfer(0);
}

/**
 * The chunks of `src` exactly as it emits them, for share.pipeFrom. Not the stream's own async iterator:
 * that destroys the stream when pipeFrom stops early, and a destroyed busboy file stream never asks for
 * more, so the rest of the form would hang (the caller drains it with resume() instead). More than `limit` bytes → PayloadTooLargeError. With
 * `onCut`, a source error (the client went away) ends the chunks instead of failing them.
 *
 * With `discardChunks` (the chunks are nobody else's), each chunk is freed once pipeFrom asks for the next:
 * pipeFrom has copied it into its own buffers by then and keeps no reference. A 512 MiB body is 8,192 chunks
 * of 64 KiB malloc'd outside the JS heap; left to the GC they took a forced scavenge every 4 MiB
 * (young-garbage.ts), which with 20 uploads at once promoted whatever was in flight and kept V8's old
 * generation at its limit: back-to-back full collections, half of the app's CPU (`npm run bench -- cost`).
 * Freed here, they need no collection at all. Otherwise the body bytes are counted for those scavenges.
 */
async function* chunksOf(src: Readable, limit: number, onCut?: (err: Error) => void, discardChunks = false): AsyncGenerator<Buffer> {
  const it = src.iterator({ destroyOnReturn: false }) as AsyncIterator<Buffer>;
  let bytes = 0;
  try {
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await it.next();
      } catch (err) {
        if (!onCut) throw err;
        onCut(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      if (next.done === true) return;
      const chunk = next.value;
      bytes += chunk.length;
      if (!discardChunks) noteBodyBytes(chunk.length);
      if (bytes > limit) throw new PayloadTooLargeError();
      yield chunk;
      if (discardChunks) discard(chunk);
    }
  } finally {
    await it.return?.();
  }
}


/**
 * Writes `src` to `path` on the share with pipeFrom: WRITEs from recycled buffers, a window of them
 * in flight, the source held back while it is full. Resolves once the handle is closed. On a write
 * failure it rejects and leaves `src` undrained (resume() it). On a source failure: with `keepPartial`,
 * every byte received is written, in order, and it resolves with `sourceError` (the resumable protocol
 * takes the file's size as the offset to resume from, so the file must have no gaps); otherwise it
 * rejects. `limit`: more bytes than this → PayloadTooLargeError. `offset`, `atOpen`: as in SmbShare.pipeFrom.
 * `discardChunks`: `src`'s chunks belong to nobody else (an HTTP request body read by nothing but this), so each
 * is freed as soon as it is written into pipeFrom's buffers (see chunksOf).
 */
export async function pump(
  share: SmbShare,
  path: string,
  src: Readable,
  opts: { flags: WriteFlags; keepPartial?: boolean; limit?: number; offset?: number; atOpen?: (size: number) => void; discardChunks?: boolean },
): Promise<PumpResult> {
  let sourceError: Error | undefined;
  const onCut = opts.keepPartial === true ? (err: Error) => void (sourceError = err) : undefined;
  const { bytes } = await share.pipeFrom(path, chunksOf(src, opts.limit ?? Infinity, onCut, opts.discardChunks === true), {
    ...UPLOAD_WINDOW,
    flags: opts.flags,
    ...(opts.offset === undefined ? {} : { offset: opts.offset }),
    ...(opts.atOpen ? { atOpen: opts.atOpen } : {}),
  });
  return sourceError === undefined ? { bytes } : { bytes, sourceError };
}

/**
 * The file server went away mid-operation (restart, network cut, no answer) rather than refusing it: what it
 * did with the requests in flight is unknown, and the next request on a new connection may well succeed.
 */
export function isConnectionLost(err: unknown): boolean {
  return err instanceof SmbDisconnectedError || err instanceof SmbSessionExpiredError || err instanceof SmbTimeoutError;
}

/**
 * Cuts `path` back to `size` bytes if it is longer (never extends it): a resumable upload's temporary after a
 * chunk that the file server may have taken only in part, and not in order.
 */
export async function cutBackTo(share: SmbShare, path: string, size: number): Promise<number> {
  const now = Number((await share.stat(path)).size);
  if (now <= size) return now;
  await share.truncate(path, size);
  return size;
}

export async function removeQuietly(share: SmbShare, path: string): Promise<void> {
  await share.rm(path, { force: true }).catch(() => undefined);
}

/**
 * Renames the finished temporary to `name` in `dir`: replacing only with 'overwrite'; with 'keep-both'
 * the first free `name (n).ext`; with 'fail' a ConflictError (the temporary is removed). The rename is
 * atomic on the server, so two uploads racing for one name never overwrite each other by accident.
 * Returns the name the file now has.
 */
export async function placeFile(share: SmbShare, dir: string, temp: string, name: string, conflict: ConflictMode): Promise<string> {
  const from = join(dir, temp);
  if (conflict === 'overwrite') {
    await share.rename(from, join(dir, name), { replace: true });
    return name;
  }
  for (let n = 0; n <= KEEP_BOTH_TRIES; n++) {
    const candidate = n === 0 ? name : numberedName(name, n);
    try {
      await share.rename(from, join(dir, candidate), { replace: false });
      return candidate;
    } catch (err) {
      if (!(err instanceof SmbExistsError)) throw err;
      if (conflict === 'fail') {
        await removeQuietly(share, from);
        throw new ConflictError(...said('upload.errors.exists', { name }, { code: 'exists', cause: err }));
      }
    }
  }
  await removeQuietly(share, from);
  throw new ConflictError(...said('errors.upload.tooManyLikeName', { name }, { code: 'exists' }));
}

const lastSweep = new Map<string, number>();

/**
 * Deletes `.~portcullis-*.part` temporaries in `dir` untouched for `maxAgeMs` (their upload crashed or was
 * abandoned). Returns how many it removed and how many younger ones remain. Errors reading the folder are thrown.
 */
export async function removeStaleTemporaries(share: SmbShare, dir: string, maxAgeMs: number, now = Date.now()): Promise<{ removed: number; left: number }> {
  let removed = 0;
  let left = 0;
  for (const e of await share.readdir(dir)) {
    if (e.type !== 'file' || !isTempName(e.name)) continue;
    if (now - e.mtime.getTime() < maxAgeMs) left++;
    else await share.rm(join(dir, e.name), { force: true }).then(() => removed++, () => left++);
  }
  return { removed, left };
}

/**
 * Sweeps `dir` (see removeStaleTemporaries) before an upload into it, at most once per SWEEP_INTERVAL_MS per
 * folder and instance; failures are ignored.
 */
export async function sweepStaleTemporaries(share: SmbShare, key: string, dir: string, now = Date.now()): Promise<number> {
  const last = lastSweep.get(key);
  if (last !== undefined && now - last < SWEEP_INTERVAL_MS) return 0;
  if (lastSweep.size > 10_000) lastSweep.clear();
  lastSweep.set(key, now);
  try {
    return (await removeStaleTemporaries(share, dir, STALE_TEMP_MS, now)).removed;
  } catch {
    // A sweep is housekeeping: never fail an upload because of it.
    return 0;
  }
}

/** Test hook: forget when folders were swept. */
export function resetSweeps(): void {
  lastSweep.clear();
}
