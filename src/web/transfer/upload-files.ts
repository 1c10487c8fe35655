/**
 * The SMB side of an upload: stream into a temporary, put it in place under the user's conflict choice,
 * and sweep temporaries that crashed uploads left behind. Routes call these inside pool.use and keep its
 * promise pending until they resolve.
 */
import type { Readable, Writable } from 'node:stream';
import { ConflictError, PayloadTooLargeError } from '../../errors/index.js';
import { SmbExistsError, type SmbShare } from '../../smb/index.js';
import { isTempName, numberedName, type ConflictMode } from './upload-names.js';

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
 * Copies `src` into the SMB write stream `ws` with backpressure (pipe pauses the source while the
 * stream's window of WRITEs is full). Resolves once `ws` has closed its handle. On a write failure,
 * rejects after the handle is closed and leaves the rest of `src` drained. On a source failure: with
 * `keepPartial`, ends `ws` cleanly so every received byte is on the server (the resumable protocol counts
 * on that); otherwise destroys `ws` and rejects. `limit`: more bytes than this → PayloadTooLargeError.
 */
export function pump(src: Readable, ws: Writable, opts: { keepPartial?: boolean; limit?: number } = {}): Promise<PumpResult> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    let settled = false;
    const closed = (): Promise<void> => new Promise((r) => (ws.closed ? r() : ws.once('close', () => r())));
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      src.unpipe(ws);
      src.resume();
      ws.destroy();
      void closed().then(() => reject(err));
    };
    src.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (opts.limit !== undefined && bytes > opts.limit) fail(new PayloadTooLargeError());
    });
    src.once('error', (err: Error) => {
      if (settled) return;
      if (!opts.keepPartial) return fail(err);
      settled = true;
      src.unpipe(ws);
      ws.end();
      ws.once('error', reject);
      void closed().then(() => resolve({ bytes, sourceError: err }));
    });
    ws.once('error', (err: Error) => fail(err));
    ws.once('finish', () => {
      if (settled) return;
      settled = true;
      void closed().then(() => resolve({ bytes }));
    });
    src.pipe(ws);
  });
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
        throw new ConflictError(`“${name}” already exists. Choose to overwrite it or keep both.`, { code: 'exists', cause: err });
      }
    }
  }
  await removeQuietly(share, from);
  throw new ConflictError(`Too many files named like “${name}” already exist.`, { code: 'exists' });
}

const lastSweep = new Map<string, number>();

/**
 * Deletes `.~portcullis-*.part` temporaries in `dir` untouched for STALE_TEMP_MS (their upload crashed
 * or was abandoned). At most once per SWEEP_INTERVAL_MS per folder and instance; failures are ignored.
 */
export async function sweepStaleTemporaries(share: SmbShare, key: string, dir: string, now = Date.now()): Promise<number> {
  const last = lastSweep.get(key);
  if (last !== undefined && now - last < SWEEP_INTERVAL_MS) return 0;
  if (lastSweep.size > 10_000) lastSweep.clear();
  lastSweep.set(key, now);
  let removed = 0;
  try {
    const entries = await share.readdir(dir);
    for (const e of entries) {
      if (e.type !== 'file' || !isTempName(e.name) || now - e.mtime.getTime() < STALE_TEMP_MS) continue;
      await share.rm(join(dir, e.name), { force: true }).then(() => removed++, () => undefined);
    }
  } catch {
    // A sweep is housekeeping: never fail an upload because of it.
  }
  return removed;
}

/** Test hook: forget when folders were swept. */
export function resetSweeps(): void {
  lastSweep.clear();
}
