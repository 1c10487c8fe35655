// The pure parts of settings and bookmarks (limits, validation, moves), objectGUID formatting, and the SQLite
// store's atomic update on a real file (two connections, as two processes on one host would have).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { guidToString } from '../../../src/auth/guid.js';
import { BadRequestError, ConflictError, NotFoundError } from '../../../src/errors/index.js';
import { addBookmark, type Bookmark, bookmarksFrom, defaultBookmarkName, moveBookmark, renameBookmark } from '../../../src/userdata/bookmarks.js';
import { DEFAULT_SETTINGS, settingsFrom, settingsPatchFromForm } from '../../../src/userdata/settings.js';
import { SqliteUserDocStore } from '../../../src/userdata/sqlite-store.js';
import { folderUrl } from '../../../src/web/bookmarks/href.js';
import { UserData } from '../../../src/userdata/service.js';

const THEMES = ['default', 'darkly', 'flatly'];

describe('objectGUID', () => {
  it('formats the 16 bytes as Windows does: the first three fields little-endian', () => {
    // {6B29FC40-CA47-1067-B31D-00DD010662DA} as AD stores it (the integration test checks against the DC's own text).
    const bytes = Buffer.from('40fc296b47ca6710b31d00dd010662da', 'hex');
    expect(guidToString(bytes)).toBe('6b29fc40-ca47-1067-b31d-00dd010662da');
    expect(guidToString(Buffer.alloc(15))).toBeUndefined();
  });
});

describe('settings', () => {
  it('fall back field by field to the defaults for anything stored that is not valid now', () => {
    expect(settingsFrom(undefined, THEMES)).toEqual(DEFAULT_SETTINGS);
    expect(settingsFrom({ view: 'grid', sort: 'bogus', theme: 'removed-theme', showHidden: 'yes', colourMode: 'dark' }, THEMES)).toEqual({ ...DEFAULT_SETTINGS, view: 'grid', colourMode: 'dark' });
  });

  it('take from the form only what it carries; an unticked checkbox is off when the form says it had it', () => {
    expect(settingsPatchFromForm({ view: 'grid' }, THEMES)).toEqual({ view: 'grid' });
    expect(settingsPatchFromForm({ fields: 'showHidden', theme: '' }, THEMES)).toEqual({ showHidden: false, theme: '' });
    expect(settingsPatchFromForm({ showHidden: '1', uploadConflict: 'replace', fileClick: 'download' }, THEMES)).toEqual({ showHidden: true, uploadConflict: 'replace', fileClick: 'download' });
    expect(() => settingsPatchFromForm({ theme: 'nope' }, THEMES)).toThrow(BadRequestError);
    expect(() => settingsPatchFromForm({ fileClick: 'explode' }, THEMES)).toThrow('“Clicking a file” has a value that is not one of its choices.');
  });
});

describe('bookmarks', () => {
  const add = (list: Bookmark[], n: number): Bookmark[] => addBookmark(list, { drive: '@files.example.test/Staff', path: [`F${n}`], name: `F${n}` }).list;

  it('keep drive ids as given, add a folder once, and stop at the limit with a clear message', () => {
    let list: Bookmark[] = [];
    for (let i = 0; i < 100; i++) list = add(list, i);
    expect(list[0]).toMatchObject({ drive: '@files.example.test/Staff', path: ['F0'] });
    expect(addBookmark(list, { drive: '@files.example.test/Staff', path: ['F5'], name: 'x' })).toMatchObject({ added: false, list });
    expect(() => add(list, 100)).toThrow(ConflictError);
    expect(() => add(list, 100)).toThrow('You have 100 bookmarks, the most there can be.');
  });

  it('bound names: trimmed, not empty, at most 100 characters; long folder names shortened for the default', () => {
    const [b] = add([], 1);
    expect(() => renameBookmark([b as Bookmark], b?.id ?? '', '   ')).toThrow('A bookmark needs a name.');
    expect(() => renameBookmark([b as Bookmark], b?.id ?? '', 'é'.repeat(101))).toThrow('at most 100 characters');
    expect(renameBookmark([b as Bookmark], b?.id ?? '', '  Staff \n papers ')[0]?.name).toBe('Staff   papers');
    expect([...defaultBookmarkName('n'.repeat(255))]).toHaveLength(100);
    expect(() => renameBookmark([], 'nope', 'x')).toThrow(NotFoundError);
  });

  it('move one bookmark within the list as it is (clamped), and drop malformed stored entries', () => {
    let list: Bookmark[] = [];
    for (let i = 0; i < 4; i++) list = add(list, i);
    const names = (l: Bookmark[]): string[] => l.map((b) => b.name);
    expect(names(moveBookmark(list, list[3]?.id ?? '', 0))).toEqual(['F3', 'F0', 'F1', 'F2']);
    expect(names(moveBookmark(list, list[0]?.id ?? '', 99))).toEqual(['F1', 'F2', 'F3', 'F0']);
    expect(bookmarksFrom([...list, { id: 'bad id!', drive: 'x', path: [], name: 'n' }, 'junk', null])).toEqual(list);
  });
});

describe('bookmark URLs', () => {
  it('encode each segment once; a server share id keeps its `/` as /browse/@<host>/<share>/ does', () => {
    expect(folderUrl('home', [])).toBe('/browse/home/');
    expect(folderUrl('shared', ['Projects', 'a b#?%'])).toBe('/browse/shared/Projects/a%20b%23%3F%25/');
    expect(folderUrl('@files.example.test/Staff Docs', ['2026'])).toBe('/browse/@files.example.test/Staff%20Docs/2026/');
    expect(folderUrl('/evil.example', [])).toBe('/browse/%2Fevil.example/');
  });
});

describe('SQLite store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-userdata-unit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('two connections to one file (two processes) see each other’s writes and keep every add', async () => {
    const file = join(dir, 'sessions.sqlite');
    const a = new UserData(new SqliteUserDocStore(file), THEMES);
    const b = new UserData(new SqliteUserDocStore(file), THEMES);
    const guid = '6b29fc40-ca47-1067-b31d-00dd010662da';
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).addBookmark(guid, { drive: 'home', path: [`D${i}`], name: `D${i}` })));
    await a.saveSettings(guid, { view: 'grid' });
    await b.saveSettings(guid, { fileClick: 'page' });
    const seen = await a.load(guid);
    expect(seen.bookmarks).toHaveLength(40);
    expect(seen.settings).toMatchObject({ view: 'grid', fileClick: 'page' });
    expect((await b.load('00000000-0000-0000-0000-000000000000')).bookmarks).toEqual([]);
    // A refused change writes nothing.
    await expect(a.renameBookmark(guid, seen.bookmarks[0]?.id ?? '', '')).rejects.toThrow(BadRequestError);
    expect((await b.load(guid)).bookmarks[0]?.name).toBe(seen.bookmarks[0]?.name);
    await a.close();
    await b.close();
  });
});
