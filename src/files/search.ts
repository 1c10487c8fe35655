/**
 * Search: names below a folder that match a query (search-match.ts), found by walking the tree breadth-first
 * with a few directory reads in flight at once, and handed to `onHit` as they are found so a page can show
 * them at once. Bounded by time, depth, entries visited and results; the first limit reached stops the walk
 * and is reported. Stopping (a limit, or the caller's signal: the user left, pressed Stop or searched again)
 * aborts the directory reads in flight, which sends SMB2 CANCEL for them, and resolves only once every read
 * has settled and its handle is closed, so the user's connection is free again when this returns.
 */
import type { DirEntry } from '../smb/index.js';
import { SmbAccessDeniedError, SmbCancelledError, SmbNotFoundError } from '../smb/index.js';
import { isTempName } from './names.js';
import type { NameMatcher } from './search-match.js';
import { join } from './upload.js';

export interface SearchLimits {
  /** Time allowed for the whole walk. */
  maxMs: number;
  /** Folder levels searched: 1 = only the folder's own entries. */
  maxDepth: number;
  /** Entries (files and folders) looked at. */
  maxVisited: number;
  /** Matches returned; one more found stops the walk, so a cut list is known to be cut. */
  maxResults: number;
}

export type SearchLimit = 'time' | 'depth' | 'entries' | 'results';
export const SEARCH_LIMITS: readonly SearchLimit[] = ['time', 'depth', 'entries', 'results'];

export interface SearchHit {
  name: string;
  type: 'file' | 'dir';
  size: number;
  mtime: Date;
  /** Segments of the folder holding it, relative to the searched folder ([] for the folder itself). */
  folder: string[];
}

export interface SearchSummary {
  results: number;
  /** Entries looked at. */
  visited: number;
  /** Folders read. */
  folders: number;
  /** False when a limit cut the walk short: there may be more matches. */
  complete: boolean;
  limit?: SearchLimit;
  /** Subfolders that could not be read (no permission, vanished): skipped. */
  unreadable: number;
  ms: number;
}

/** A folder's entries in server batches; `pattern` is the server's filter, `signal` cancels the read in flight. */
export type SearchEntriesOf = (path: string, options: { pattern?: string; signal: AbortSignal }) => AsyncIterable<DirEntry[]>;

/**
 * Directory reads in flight per search. Each is one request on the user's own pooled connection (other users
 * have theirs), so this bounds what one search asks of the file server at once; 4 hides most of a round trip
 * on a tree of small folders without letting one search monopolise the smbd process serving that user.
 */
export const SEARCH_CONCURRENCY = 4;

interface Folder {
  path: string;
  rel: string[];
  /** Level of its entries: 1 for the searched folder's own. */
  level: number;
}

/**
 * Walks `root` (a share path) and calls `onHit` for each match. Rejects with the signal's reason if `signal` is
 * aborted; errors reading `root` itself reject as they are (not found, denied).
 */
export async function searchTree(
  entriesOf: SearchEntriesOf,
  root: string,
  match: NameMatcher,
  limits: SearchLimits,
  onHit: (hit: SearchHit) => void,
  signal?: AbortSignal,
  options: { concurrency?: number; now?: () => number } = {},
): Promise<SearchSummary> {
  const now = options.now ?? Date.now;
  const started = now();
  const summary: SearchSummary = { results: 0, visited: 0, folders: 0, complete: true, unreadable: 0, ms: 0 };
  // One controller stops everything: the caller's signal, a limit, or the clock. Its signal goes with every
  // directory request, so whatever is in flight is cancelled on the server too.
  const stop = new AbortController();
  let cut: SearchLimit | undefined;
  let depthCut = false;
  const stopAt = (limit: SearchLimit): void => {
    cut ??= limit;
    stop.abort(new Error(`search limit: ${limit}`));
  };
  const onOuterAbort = (): void => stop.abort(signal?.reason);
  if (signal?.aborted) throw signal.reason;
  signal?.addEventListener('abort', onOuterAbort, { once: true });
  const timer = setTimeout(() => stopAt('time'), limits.maxMs);
  timer.unref?.();

  const queue: (Folder | undefined)[] = [{ path: root, rel: [], level: 1 }];
  let next = 0;
  let busy = 0;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  const readFolder = async (f: Folder): Promise<void> => {
    const leaf = f.level >= limits.maxDepth;
    // Where no subfolder will be entered, the server may filter: only matching names cross the wire. Its
    // subfolders are then unseen, so a folder read this way counts as possibly cut by depth.
    const pattern = leaf ? match.serverPattern : undefined;
    if (pattern !== undefined) depthCut = true;
    summary.folders++;
    for await (const batch of entriesOf(f.path, pattern === undefined ? { signal: stop.signal } : { pattern, signal: stop.signal })) {
      for (const e of batch) {
        if (stop.signal.aborted) return;
        if (isTempName(e.name)) continue;
        if (summary.visited >= limits.maxVisited) return stopAt('entries');
        summary.visited++;
        if (e.type === 'dir') {
          if (leaf) depthCut = true;
          else {
            queue.push({ path: join(f.path, e.name), rel: [...f.rel, e.name], level: f.level + 1 });
            notify();
          }
        }
        // Checked even after the server's filter: what it sends back costs nothing more to confirm.
        if (match(e.name)) {
          if (summary.results >= limits.maxResults) return stopAt('results');
          summary.results++;
          onHit({ name: e.name, type: e.type, size: e.type === 'dir' ? 0 : Number(e.size), mtime: e.mtime, folder: f.rel });
        }
      }
      if (stop.signal.aborted) return;
    }
  };

  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (!stop.signal.aborted) {
      if (next >= queue.length) {
        if (busy === 0) {
          notify();
          return;
        }
        await new Promise<void>((resolve) => {
          const prev = wake;
          wake = () => {
            prev?.();
            resolve();
          };
        });
        continue;
      }
      const f = queue[next] as Folder;
      queue[next++] = undefined; // entered folders are not needed again: a huge tree holds only its frontier
      busy++;
      try {
        await readFolder(f);
      } catch (err) {
        if (!stop.signal.aborted) {
          if (f.level > 1 && (err instanceof SmbAccessDeniedError || err instanceof SmbNotFoundError)) summary.unreadable++;
          else {
            failure ??= err;
            stop.abort(err);
          }
        } else if (!(err instanceof SmbCancelledError) && !(err instanceof Error && err.name === 'AbortError') && cut === undefined && !signal?.aborted) {
          failure ??= err;
        }
      } finally {
        busy--;
        notify();
      }
    }
    notify();
  };

  try {
    await Promise.all(Array.from({ length: options.concurrency ?? SEARCH_CONCURRENCY }, worker));
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onOuterAbort);
  }
  if (signal?.aborted) throw signal.reason;
  if (failure !== undefined) throw failure;
  if (cut === undefined && depthCut) cut = 'depth';
  summary.ms = now() - started;
  if (cut !== undefined) {
    summary.complete = false;
    summary.limit = cut;
  }
  return summary;
}
