import { addBookmark, type Bookmark, bookmarksFrom, moveBookmark, type NewBookmark, positionOf, removeBookmark, renameBookmark } from './bookmarks.js';
import { settingsFrom, type UserSettings } from './settings.js';
import type { UserDocStore } from './store-types.js';

export interface UserDataView {
  settings: UserSettings;
  bookmarks: Bookmark[];
}

/**
 * Settings and bookmarks of one user, by objectGUID, on top of either store. Every change is one atomic
 * read-modify-write of the user's document, applied to what is stored at that moment (not to what the page
 * showed), so parallel requests never lose each other's changes.
 */
export class UserData {
  constructor(
    private readonly store: UserDocStore,
    private readonly themes: readonly string[],
  ) {}

  get kind(): 'sqlite' | 'redis' {
    return this.store.kind;
  }

  async load(guid: string): Promise<UserDataView> {
    const docs = await this.store.read(guid);
    return { settings: settingsFrom(docs.settings, this.themes), bookmarks: bookmarksFrom(docs.bookmarks) };
  }

  /** Merges `patch` into the stored settings; returns the result. */
  saveSettings(guid: string, patch: Partial<UserSettings>): Promise<UserSettings> {
    return this.store.update(guid, 'settings', (current) => {
      const next = settingsFrom({ ...settingsFrom(current, this.themes), ...patch }, this.themes);
      return { doc: next, result: next };
    });
  }

  addBookmark(guid: string, add: NewBookmark): Promise<{ bookmark: Bookmark; added: boolean }> {
    return this.store.update(guid, 'bookmarks', (current) => {
      const { list, bookmark, added } = addBookmark(bookmarksFrom(current), add);
      return { doc: list, result: { bookmark, added } };
    });
  }

  renameBookmark(guid: string, id: string, name: unknown): Promise<void> {
    return this.editBookmarks(guid, (list) => renameBookmark(list, id, name));
  }

  removeBookmark(guid: string, id: string): Promise<void> {
    return this.editBookmarks(guid, (list) => removeBookmark(list, id));
  }

  moveBookmarkTo(guid: string, id: string, to: number): Promise<void> {
    return this.editBookmarks(guid, (list) => moveBookmark(list, id, to));
  }

  /** One place up (negative) or down (positive), from where it is stored now. */
  moveBookmarkBy(guid: string, id: string, by: number): Promise<void> {
    return this.editBookmarks(guid, (list) => moveBookmark(list, id, positionOf(list, id) + by));
  }

  private editBookmarks(guid: string, edit: (list: Bookmark[]) => Bookmark[]): Promise<void> {
    return this.store.update(guid, 'bookmarks', (current) => ({ doc: edit(bookmarksFrom(current)), result: undefined }));
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
