import type { Bookmark } from '../../userdata/index.js';

/**
 * The folder URL of a drive id and path. Ids are URL slugs ('home', 'shared'); a server's share is
 * `@<host>/<share>` and browses at `/browse/@<host>/<share>/…`, so its `/` stays a separator there.
 */
export function folderUrl(drive: string, path: string[]): string {
  const id = drive.startsWith('@') ? `@${drive.slice(1).split('/').map(encodeURIComponent).join('/')}` : encodeURIComponent(drive);
  return `/browse/${id}/${path.map((s) => `${encodeURIComponent(s)}/`).join('')}`;
}

/** Where the menu's link goes: through /bookmarks/<id>, which checks the folder is still there. */
export const openHref = (b: Pick<Bookmark, 'id'>): string => `/bookmarks/${b.id}`;
