/**
 * The walk behind a zip download: everything under a folder (or a selection of its entries), parents before
 * children, counted against the zip limits as it is read so an oversized folder is refused before any byte goes out.
 */
import { AppError, type AppErrorOptions, said } from '../errors/index.js';
import { formatBytes } from '../format/bytes.js';
import type { DirEntry, SmbShare } from '../smb/index.js';

export interface ZipLimits {
  maxBytes: number;
  maxEntries: number;
}

export interface ZipItem {
  /** Name inside the zip ('a/b/c.txt'; folders end in '/'). */
  name: string;
  /** Path on the share. */
  path: string;
  type: 'file' | 'dir';
  size: number;
  mtime: Date;
}

export class ZipTooLargeError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(413, message, 'zip_too_large', options);
  }
}

/**
 * Everything to put in the zip, parents before children. `roots`: chosen entries of the folder at `base`
 * (already stat'ed); without them, the whole folder. Each folder's entries are counted as they are read, so
 * a folder far over the limits stops the walk within one QUERY_DIRECTORY batch of the limit; its subfolders
 * are walked after it is closed, so one folder handle is open at a time.
 */
export async function walkForZip(share: SmbShare, base: string, roots: DirEntry[] | undefined, limits: ZipLimits): Promise<ZipItem[]> {
  const items: ZipItem[] = [];
  let bytes = 0;
  const add = (e: DirEntry, name: string, path: string): void => {
    const size = e.type === 'dir' ? 0 : Number(e.size);
    items.push({ name: e.type === 'dir' ? `${name}/` : name, path, type: e.type, size, mtime: e.mtime });
    bytes += size;
    if (items.length > limits.maxEntries) {
      throw new ZipTooLargeError(...said('errors.download.zipTooManyEntries', { max: limits.maxEntries }));
    }
    if (bytes > limits.maxBytes) {
      throw new ZipTooLargeError(...said('errors.download.zipTooManyBytes', { max: formatBytes(limits.maxBytes) }));
    }
  };
  /** Adds the entries; returns the folders among them, to walk next. */
  const addAll = (entries: Iterable<DirEntry>, prefix: string, dirPath: string, folders: [string, string][]): void => {
    for (const e of entries) {
      if (e.name === '.' || e.name === '..') continue;
      const name = prefix === '' ? e.name : `${prefix}/${e.name}`;
      const path = dirPath === '' ? e.name : `${dirPath}/${e.name}`;
      add(e, name, path);
      if (e.type === 'dir') folders.push([name, path]);
    }
  };
  const walk = async (prefix: string, dirPath: string): Promise<void> => {
    const folders: [string, string][] = [];
    for await (const batch of share.entries(dirPath)) addAll(batch, prefix, dirPath, folders);
    for (const [name, path] of folders) await walk(name, path);
  };
  if (roots === undefined) {
    await walk('', base);
  } else {
    const folders: [string, string][] = [];
    addAll(roots, '', base, folders);
    for (const [name, path] of folders) await walk(name, path);
  }
  return items;
}
