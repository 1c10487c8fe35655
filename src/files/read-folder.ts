// Reading a folder for its page, with a cap on the entries (LISTING_MAX_ENTRIES).
import type { DirEntry, SmbShare } from '../smb/index.js';

export interface FolderRead {
  /** At most `max` entries, in the order the file server returned them. */
  entries: DirEntry[];
  /** The folder holds more than `max` entries; the rest were never read. */
  truncated: boolean;
}

/**
 * A first QUERY_DIRECTORY answer this long says the folder is big (a 256 KiB answer holds ~1,500 short names;
 * a small folder comes whole in its first answer, and its page is cheaper rendered once, at the end).
 */
export const BIG_FOLDER_FIRST_BATCH = 1000;

/**
 * Up to `max` entries of a folder. Reading stops at the cap: no further QUERY_DIRECTORY goes out and the
 * handle is closed, so a folder of millions of entries costs `max` entries plus two response batches of memory.
 * `onBig` is called once, after the first batch, when that batch says the folder is big and more is to be read.
 */
export async function readFolder(share: Pick<SmbShare, 'entries'>, path: string, max: number, onBig?: () => void): Promise<FolderRead> {
  const entries: DirEntry[] = [];
  let first = true;
  // Read ahead (the second answer asked with the first): a page's listing then costs one round trip, unless the
  // cap is so low that one answer may already reach it.
  for await (const batch of share.entries(path, { readAhead: max > BIG_FOLDER_FIRST_BATCH })) {
    for (const e of batch) {
      if (entries.length >= max) return { entries, truncated: true };
      entries.push(e);
    }
    // A full first batch means more are coming: the folder's page can start before the rest is read.
    if (first && entries.length >= BIG_FOLDER_FIRST_BATCH) onBig?.();
    first = false;
  }
  return { entries, truncated: false };
}
