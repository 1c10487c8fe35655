/** The two documents each user has. */
export type DocKind = 'settings' | 'bookmarks';

export interface UserDocs {
  settings: unknown;
  bookmarks: unknown;
}

/** What an update does to one document: the next document, and what the caller gets back. */
export type DocChange<T> = (current: unknown) => { doc: unknown; result: T };

/**
 * Per-user JSON documents keyed by the user's objectGUID. `update` is an atomic read-modify-write: two requests
 * changing the same document at once (two tabs adding a bookmark) both take effect. `change` may run more than
 * once (Redis retries when another writer got in first), so it must be pure; when it throws, nothing is written.
 */
export interface UserDocStore {
  readonly kind: 'sqlite' | 'redis';
  read(guid: string): Promise<UserDocs>;
  update<T>(guid: string, kind: DocKind, change: DocChange<T>): Promise<T>;
  close(): Promise<void>;
}
