// Reading a folder for its page, with a cap on the entries (LISTING_MAX_ENTRIES).
import type { DirEntry, SmbShare } from '../smb/index.js';

export interface FolderRead {
  /** At most `max` entries, in the order the file server returned them. */
  entries: DirEntry[];
  /** The folder holds more than `max` entries; the rest were never read. */
  truncated: boolean;
}

/**
 * Up to `max` entries of a folder. Reading stops at the cap: no further QUERY_DIRECTORY goes out and the
 * handle is closed, so a folder of millions of entries costs `max` entries plus one response batch of memory.
 */
export async function readFolder(share: Pick<SmbShare, 'entries'>, path: string, max: number): Promise<FolderRead> {
  const entries: DirEntry[] = [];
  for await (const batch of share.entries(path)) {
    for (const e of batch) {
      if (entries.length >= max) return { entries, truncated: true };
      entries.push(e);
    }
  }
  return { entries, truncated: false };
}
