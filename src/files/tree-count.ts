// Counting what an operation will touch (files and folders, bytes), for its progress. One folder handle open at
// a time and one listing batch in memory: the subfolders of a folder are walked after its handle is closed.
import { SmbNotFoundError } from '../smb/index.js';
import type { DriveSession } from './drive-session.js';
import { join } from './upload.js';

export interface TreeTotal {
  items: number;
  bytes: number;
}

/** Adds `path` (a file, or a folder and everything in it) to `total`. A missing item counts nothing. */
export async function countTree(d: DriveSession, path: string, total: TreeTotal, signal: AbortSignal): Promise<void> {
  let st;
  try {
    st = await d.stat(path);
  } catch (err) {
    if (err instanceof SmbNotFoundError) return;
    throw err;
  }
  total.items++;
  if (st.type === 'file') {
    total.bytes += Number(st.size);
    return;
  }
  const walk = async (dir: string): Promise<void> => {
    const folders: string[] = [];
    for await (const batch of d.entries(dir)) {
      signal.throwIfAborted();
      for (const e of batch) {
        total.items++;
        if (e.type === 'dir') folders.push(join(dir, e.name));
        else total.bytes += Number(e.size);
      }
    }
    for (const f of folders) await walk(f);
  };
  try {
    await walk(path);
  } catch (err) {
    // The count is only for the progress bar: a folder we may not list is the operation's to report, not ours.
    signal.throwIfAborted();
    if (!(err instanceof Error) || err.name === 'TypeError') throw err;
  }
}
