/**
 * Properties' "size of this folder": a recursive count of what is under a folder, read one directory response
 * at a time and stopped by a cap on entries, a cap on time, or the caller's AbortSignal (the browser went away).
 * Stopping means sending no further directory query: the folder being read is closed when the loop is left.
 */
import type { DirEntry } from '../smb/index.js';
import { SmbAccessDeniedError, SmbNotFoundError } from '../smb/index.js';
import { isTempName } from './names.js';
import { join } from './upload.js';

export interface MeasureLimits {
  /** Files and folders counted at most; one more and the count stops with limit 'entries'. */
  maxEntries: number;
  /** Time allowed; checked after every directory response, so it may run over by one round trip. */
  maxMs: number;
}

export type MeasureLimit = 'entries' | 'time';

export interface FolderMeasure {
  /** files + folders under the folder (not counting itself). */
  items: number;
  files: number;
  folders: number;
  /** Sum of the files' sizes (end of file, not allocation). */
  bytes: number;
  /** False when a limit stopped the count: the numbers are then a lower bound. */
  complete: boolean;
  limit?: MeasureLimit;
  /** Subfolders the user may see but not list (or that vanished meanwhile): counted, not entered. */
  unreadable?: number;
}

/** A folder's entries in server batches (DriveSession.entries). */
export type EntriesOf = (path: string) => AsyncIterable<DirEntry[]>;

/**
 * Breadth-first, one folder at a time: the count is for a person waiting on a dialog, and one stream of
 * directory queries keeps the user's pooled connection free for their other requests. Rejects with the
 * signal's reason once it is aborted; errors reading `root` itself (not found, denied) reject as they are.
 */
export async function measureFolder(entriesOf: EntriesOf, root: string, limits: MeasureLimits, signal?: AbortSignal, now: () => number = Date.now): Promise<FolderMeasure> {
  const deadline = now() + limits.maxMs;
  const m: FolderMeasure = { items: 0, files: 0, folders: 0, bytes: 0, complete: true };
  let unreadable = 0;
  const queue: string[] = [root];
  const stop = (limit: MeasureLimit): FolderMeasure => ({ ...m, complete: false, limit, ...(unreadable > 0 ? { unreadable } : {}) });
  for (let next = 0; next < queue.length; next++) {
    signal?.throwIfAborted();
    if (now() >= deadline) return stop('time');
    const dir = queue[next] as string;
    try {
      for await (const batch of entriesOf(dir)) {
        for (const e of batch) {
          if (isTempName(e.name)) continue;
          // Leaving the loop here closes the folder without asking the server for the rest.
          if (m.items >= limits.maxEntries) return stop('entries');
          m.items++;
          if (e.type === 'dir') {
            m.folders++;
            queue.push(join(dir, e.name));
          } else {
            m.files++;
            m.bytes += Number(e.size);
          }
        }
        signal?.throwIfAborted();
        if (now() >= deadline) return stop('time');
      }
    } catch (err) {
      if (dir === root || !(err instanceof SmbAccessDeniedError || err instanceof SmbNotFoundError)) throw err;
      unreadable++;
    }
    // Entered folders are not needed again: drop them so a huge tree holds only its frontier.
    queue[next] = '';
  }
  return { ...m, ...(unreadable > 0 ? { unreadable } : {}) };
}
