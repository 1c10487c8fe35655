import type { RedisClientType } from 'redis';
import { availableThemes } from '../config/index.js';
import { UserData } from './service.js';
import { SqliteUserDocStore } from './sqlite-store.js';
import { RedisUserDocStore } from './redis-store.js';

export { UserData, type UserDataView } from './service.js';
export { DEFAULT_SETTINGS, settingsFrom, settingsPatchFromForm, type UserSettings, VIEWS, SORTS, ORDERS, FILE_CLICKS, UPLOAD_CONFLICTS, COLOUR_MODES, LANGUAGE_CHOICES } from './settings.js';
export { BOOKMARK_LIMITS, defaultBookmarkName, isBookmarkId, samePlace, type Bookmark, type NewBookmark } from './bookmarks.js';
export type { UserDocStore } from './store-types.js';
export { SqliteUserDocStore, RedisUserDocStore };

/**
 * Settings and bookmarks live where the sessions do: Redis when the sessions use it (several instances see the
 * same), else a table in the sessions' SQLite file.
 */
export function createUserData(backend: { redis: RedisClientType } | { sqliteFile: string }): UserData {
  const store = 'redis' in backend ? new RedisUserDocStore(backend.redis) : new SqliteUserDocStore(backend.sqliteFile);
  // Themes a stored choice may name: the registry's, besides '' (the site's default).
  return new UserData(store, availableThemes());
}
