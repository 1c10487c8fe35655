/**
 * The SMB side of an upload: stream into a temporary, put it in place under the user's conflict choice,
 * and sweep temporaries that crashed uploads left behind. Routes call these inside pool.use and keep its
 * promise pending until they resolve.
 */
import { finished, type Readable } from 'node:stream';
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
 * Whether `chunk` is the whole of its memory, as each request-body chunk Node's HTTP server hands over is (a
 * copy of its own). A slice of Node's shared buffer pool never is: the pool only serves buffers up to half its size.
 */
export function isWholeBuffer(chunk: Buffer): boolean {
  return chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength;
}

/**
 * Frees `ab`'s memory now instead of at some later garbage collection: detaching an ArrayBuffer frees its bytes
 * and tells V8 at once; every view of it reads as empty afterwards.
 */
function discard(ab: ArrayBufferLike): void {
  if (!(ab instanceof ArrayBuffer)) return;
  // ES2024's ArrayBuffer.prototype.transfer (Node 22+); the project's TypeScript lib predates it.
  const owned = ab as ArrayBuffer & { readonly detached: boolean; transfer(length: number): ArrayBuffer };
  if (!owned.detached) owned.transfer(0);
}

/**
 * The chunks of `src` exactly as it emits them, for share.pipeFrom, one at a time from its 'data' events (the
 * stream paused while QUEUED_CHUNKS wait). Not the stream's own async iterator: that reads everything buffered as one
 * concatenated copy (so one more copy of the body, and a chunk of memory nobody else knows), and destroys the
 * stream when pipeFrom stops early, while a destroyed busboy file stream never asks for more, so the rest of
 * the form would hang (the caller drains it with resume() instead). More than `limit` bytes →
 * PayloadTooLargeError. A source error is thrown after the chunks that came before it; with `onCut` (the
 * client went away) it ends the chunks instead.
 *
 * With `discardable`, the memory under the chunks for which it says yes (the HTTP request's own body buffers)
 * is freed as soon as every chunk in it has been copied. Node copies each body read (up to 64 KiB) into a
 * buffer of its own, and a busboy file chunk is a view of one; chunks come in order, so once a chunk of
 * another buffer arrives, the one before has been parsed whole and delivered, and pipeFrom, which asks for
 * the next chunk only after copying the last one into its own buffers, holds nothing of it. (The last buffer
 * is left to the GC: in a form it may hold the next file's start.) Left to the GC, those buffers took a forced scavenge every 4 MiB
 * (young-garbage.ts), which with 20 uploads at once promoted whatever was in flight and kept V8's old
 * generation at its limit: back-to-back full collections, half of the app's CPU (`npm run bench -- cost`).
 * Otherwise the body bytes are counted for those scavenges.
 */
const QUEUED_CHUNKS = 2;

async function* chunksOf(src: Readable, limit: number, onCut?: (err: Error) => void, discardable?: (chunk: Buffer) => boolean): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let ended = false;
  let failed: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  // Two chunks may wait here while pipeFrom waits for a free buffer; pausing after every one would stop
  // and restart the socket's reads each time.
  const onData = (chunk: Buffer): void => {
    if (queue.push(chunk) >= QUEUED_CHUNKS) src.pause();
    notify();
  };
  const stopWatching = finished(src, { writable: false }, (err) => {
    if (err === undefined || err === null) ended = true;
    else failed = err instanceof Error ? err : new Error(String(err));
    notify();
  });
  src.on('data', onData);
  let bytes = 0;
  let held: ArrayBufferLike | undefined;
  try {
    for (;;) {
      while (queue.length === 0 && !ended && failed === undefined) {
        const waited = new Promise<void>((resolve) => (wake = resolve));
        src.resume();
        await waited;
      }
      const chunk = queue.shift();
      if (chunk === undefined) {
        if (failed === undefined) return;
        if (!onCut) throw failed;
        onCut(failed);
        return;
      }
      bytes += chunk.length;
      if (discardable === undefined) noteBodyBytes(chunk.length);
      else if (chunk.buffer !== held) {
        if (held !== undefined) discard(held);
        held = discardable(chunk) ? chunk.buffer : undefined;
      }
      if (bytes > limit) throw new PayloadTooLargeError();
      yield chunk;
    }
  } finally {
    src.off('data', onData);
    src.pause();
    stopWatching();
  }
}


/**
 * Writes `src` to `path` on the share with pipeFrom: WRITEs from recycled buffers, a window of them
 * in flight, the source held back while it is full. Resolves once the handle is closed. On a write
 * failure it rejects and leaves `src` undrained (resume() it). On a source failure: with `keepPartial`,
 * every byte received is written, in order, and it resolves with `sourceError` (the resumable protocol
 * takes the file's size as the offset to resume from, so the file must have no gaps); otherwise it
 * rejects. `limit`: more bytes than this → PayloadTooLargeError. `offset`, `atOpen`: as in SmbShare.pipeFrom.
 * `discardable`: which of `src`'s chunks are (views of) an HTTP request body's own buffers, read by nothing
 * but this: each such buffer is freed as soon as it has been written into pipeFrom's buffers (see chunksOf).
 */
export async function pump(
  share: SmbShare,
  path: string,
  src: Readable,
  opts: { flags: WriteFlags; keepPartial?: boolean; limit?: number; offset?: number; atOpen?: (size: number) => void; discardable?: (chunk: Buffer) => boolean },
): Promise<PumpResult> {
  let sourceError: Error | undefined;
  const onCut = opts.keepPartial === true ? (err: Error) => void (sourceError = err) : undefined;
  const { bytes } = await share.pipeFrom(path, chunksOf(src, opts.limit ?? Infinity, onCut, opts.discardable), {
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
