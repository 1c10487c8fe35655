// Bookmarks: their shape, limits and the pure edits the stores apply inside one atomic read-modify-write.
import { randomBytes } from 'node:crypto';
import { BadRequestError, ConflictError, NotFoundError, said } from '../errors/index.js';

export interface Bookmark {
  /** Random, URL-safe; names the bookmark in /bookmarks/<id> routes. */
  id: string;
  /** The drive id as the URL gives it ('home', 'shared', '@server/share' …), stored unchanged. */
  drive: string;
  /** Folder path inside the drive: decoded segments. */
  path: string[];
  name: string;
}

export const BOOKMARK_LIMITS = Object.freeze({
  /** Per user: a menu longer than this is no longer a quick way back. */
  maxBookmarks: 100,
  maxNameLength: 100,
  maxDriveLength: 300,
  maxPathSegments: 64,
  maxSegmentLength: 255,
});

const ID = /^[A-Za-z0-9_-]{1,32}$/;
export const isBookmarkId = (value: unknown): value is string => typeof value === 'string' && ID.test(value);

const clean = (name: string): string => name.replace(/\p{Cc}/gu, ' ').trim();

/** A user-given name: trimmed, not empty, at most maxNameLength characters. */
export function bookmarkName(value: unknown): string {
  const name = typeof value === 'string' ? clean(value) : '';
  if (name === '') throw new BadRequestError(...said('errors.bookmark.needsName'));
  if ([...name].length > BOOKMARK_LIMITS.maxNameLength) throw new BadRequestError(...said('errors.bookmark.nameTooLong', { max: String(BOOKMARK_LIMITS.maxNameLength) }));
  return name;
}

/** A default name from a folder's name, shortened to fit (a folder name may be 255 characters). */
export function defaultBookmarkName(folderName: string): string {
  const chars = [...clean(folderName)];
  const max = BOOKMARK_LIMITS.maxNameLength;
  const name = chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : chars.join('');
  return name === '' ? 'Bookmark' : name;
}

/** Stored documents are trusted only this far: anything malformed is dropped rather than breaking every page. */
export function bookmarksFrom(doc: unknown): Bookmark[] {
  if (!Array.isArray(doc)) return [];
  return doc.flatMap((b: unknown) => {
    if (typeof b !== 'object' || b === null) return [];
    const { id, drive, path, name } = b as Record<string, unknown>;
    if (!isBookmarkId(id) || typeof drive !== 'string' || typeof name !== 'string' || !Array.isArray(path) || !path.every((s) => typeof s === 'string')) return [];
    return [{ id, drive, path: path as string[], name }];
  });
}

export const samePlace = (b: Pick<Bookmark, 'drive' | 'path'>, drive: string, path: string[]): boolean =>
  b.drive === drive && b.path.length === path.length && b.path.every((s, i) => s === path[i]);

export interface NewBookmark {
  drive: string;
  path: string[];
  name: string;
}

/** Adds at the end; a folder already bookmarked is not added twice (its existing bookmark comes back). */
export function addBookmark(list: Bookmark[], add: NewBookmark): { list: Bookmark[]; bookmark: Bookmark; added: boolean } {
  const existing = list.find((b) => samePlace(b, add.drive, add.path));
  if (existing) return { list, bookmark: existing, added: false };
  if (add.drive === '' || add.drive.length > BOOKMARK_LIMITS.maxDriveLength) throw new BadRequestError(...said('errors.bookmark.badDrive'));
  if (add.path.length > BOOKMARK_LIMITS.maxPathSegments || add.path.some((s) => s === '' || s.length > BOOKMARK_LIMITS.maxSegmentLength)) {
    throw new BadRequestError(...said('errors.bookmark.pathTooLong'));
  }
  if (list.length >= BOOKMARK_LIMITS.maxBookmarks) {
    throw new ConflictError(...said('errors.bookmark.tooMany', { max: String(BOOKMARK_LIMITS.maxBookmarks) }, { code: 'too_many_bookmarks' }));
  }
  const bookmark: Bookmark = { id: randomBytes(9).toString('base64url'), drive: add.drive, path: [...add.path], name: bookmarkName(add.name) };
  return { list: [...list, bookmark], bookmark, added: true };
}

function indexOf(list: Bookmark[], id: string): number {
  const at = list.findIndex((b) => b.id === id);
  if (at < 0) throw new NotFoundError(...said('errors.bookmark.gone'));
  return at;
}

export function renameBookmark(list: Bookmark[], id: string, name: unknown): Bookmark[] {
  const at = indexOf(list, id);
  const newName = bookmarkName(name);
  return list.map((b, i) => (i === at ? { ...b, name: newName } : b));
}

export function removeBookmark(list: Bookmark[], id: string): Bookmark[] {
  const at = indexOf(list, id);
  return list.filter((_, i) => i !== at);
}

/**
 * Moves one bookmark to position `to` (clamped to the list). Moves are relative to the list as stored at that
 * moment, so two tabs reordering at once both take effect rather than one overwriting the other's whole order.
 */
export function moveBookmark(list: Bookmark[], id: string, to: number): Bookmark[] {
  const at = indexOf(list, id);
  const target = Math.max(0, Math.min(list.length - 1, Math.trunc(to)));
  const out = [...list];
  const [item] = out.splice(at, 1);
  if (item) out.splice(target, 0, item);
  return out;
}

export const positionOf = (list: Bookmark[], id: string): number => indexOf(list, id);
