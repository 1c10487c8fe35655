// Issue 13, bookmarks and per-user settings over HTTP: the real app, the real DC, both stores (SQLite beside the
// sessions, and Redis). Keyed by objectGUID (as the DC itself prints it), kept across sessions and restarts,
// nothing lost when requests race, and a bookmark to a deleted folder says so.
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainInfo } from '../../fixtures/domain.js';
import { startRedis, type RedisFixture } from '../../fixtures/redis.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { run as runTool } from '../../fixtures/proc.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { signedIn, startBrowseApp } from '../../helpers/browse.js';
import { csrfTokenIn, decodeEntities, type HttpClient, signIn, signOut } from '../../helpers/http-client.js';
import { tempDataDir, type WebApp } from '../../helpers/web-app.js';

const run = promisify(execFile);
const REDIS_PORT = 6740;

/** alice's objectGUID as the DC writes it: the extended-DN control puts `<GUID=…>` in front of the DN. */
async function guidFromDc(domain: DomainInfo, username: string): Promise<string> {
  const { stdout } = await run(
    'ldapsearch',
    ['-x', '-LLL', '-o', 'ldif-wrap=no', '-H', domain.ldapsUrl, '-D', domain.serviceAccount.dn, '-w', domain.serviceAccount.password, '-b', domain.baseDn,
      '-E', '!1.2.840.113556.1.4.529=::MAMCAQE=', `(sAMAccountName=${username})`, 'dn'],
    { env: { ...process.env, LDAPTLS_CACERT: domain.caFile, LDAPTLS_REQCERT: 'demand' } },
  );
  // The DN starts with '<', so LDIF gives it base64-encoded (`dn:: …`).
  const dn = stdout.split('\n').map((line) => (line.startsWith('dn:: ') ? Buffer.from(line.slice(5), 'base64').toString('utf8') : line)).join('\n');
  const guid = /<GUID=([0-9a-f-]{36})>/i.exec(dn)?.[1];
  if (!guid) throw new Error(`no GUID in ldapsearch output:\n${stdout}`);
  return guid.toLowerCase();
}

interface ListedBookmark {
  id: string;
  name: string;
}

/** The /bookmarks page's rows, in order. */
function bookmarksIn(html: string): ListedBookmark[] {
  return [...html.matchAll(/data-bookmark-id="([^"]+)" data-name="([^"]*)"/g)].map((m) => ({ id: m[1] ?? '', name: decodeEntities(m[2] ?? '') }));
}

async function listBookmarks(client: HttpClient): Promise<ListedBookmark[]> {
  const page = await client.get('/bookmarks');
  expect(page.status).toBe(200);
  return bookmarksIn(page.text);
}

async function tokenOf(client: HttpClient): Promise<string> {
  return csrfTokenIn((await client.get('/settings')).text);
}

/** The toolbar's view control marks the view the page shows (also in an empty folder, which has no list). */
const LIST_VIEW = /active" href="[^"]*" aria-current="true" data-view-choice="list"/;

const pathOf = (...segments: string[]): string => segments.map(encodeURIComponent).join('/');

describe.each(['sqlite', 'redis'] as const)('bookmarks and settings (%s)', (backend) => {
  let domain: DomainInfo;
  let redis: RedisFixture | undefined;
  let dataDir: string;
  let app: WebApp;
  let aliceGuid: string;
  const start = (): Promise<WebApp> => startBrowseApp(domain, { dataDir, env: redis ? { REDIS_URL: redis.url } : {} });

  beforeAll(async () => {
    domain = requireDomain();
    if (backend === 'redis') redis = await startRedis({ name: 'userdata', port: REDIS_PORT });
    dataDir = tempDataDir('portcullis-userdata-');
    app = await start();
    aliceGuid = await guidFromDc(domain, 'alice');
  });
  afterAll(async () => {
    await app?.close();
    await redis?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('keys them by objectGUID: they follow alice into a new sign-in, and bob sees none of them', async () => {
    const first = await signedIn(app, 'alice');
    const token = await tokenOf(first);
    const added = await first.post('/bookmarks', { _csrf: token, drive: 'home', path: pathOf('Documents') });
    expect([added.status, added.location]).toEqual([303, '/browse/home/Documents/']);
    // The folder page now says it is bookmarked, and the navbar menu lists it.
    const folder = await first.get('/browse/home/Documents/');
    expect(folder.text).toContain('pc-bookmark-state');
    expect(folder.text).toMatch(/class="dropdown-item text-truncate pc-bookmark-item" href="\/bookmarks\/[\w-]+"><i class="bi bi-bookmark" aria-hidden="true"><\/i> Documents<\/a>/);
    const saved = await first.post('/settings', { _csrf: token, fields: 'showHidden', view: 'grid', sort: 'modified', order: 'desc', showHidden: '1', fileClick: 'download', uploadConflict: 'keep-both', theme: 'darkly', colourMode: 'dark' });
    expect([saved.status, saved.location]).toEqual([303, '/settings?saved=1']);
    await signOut(first);

    const again = await signedIn(app, 'alice');
    expect((await listBookmarks(again)).map((b) => b.name)).toEqual(['Documents']);
    const home = await again.get('/browse/home/');
    expect(home.text).toContain('class="pc-grid list-unstyled"');
    expect(home.text).toContain('data-file-click="download"');
    expect(home.text).toContain('data-conflict-default="keep-both"');
    // The folder opens sorted as saved (newest first), hidden files shown.
    expect(home.text).toMatch(/<select class="form-select pc-select" id="sort-key" name="sort">[^]*?<option value="modified" selected>/);
    expect(home.text).toMatch(/<select class="form-select pc-select" id="sort-order" name="order">\s*<option value="asc">[^<]*<\/option>\s*<option value="desc" selected>/);
    expect(home.text).toContain('<input type="hidden" name="hidden" value="1">');
    const settings = (await again.get('/settings')).text;
    for (const checked of ['s-view-grid', 's-showHidden', 's-fileClick-download', 's-uploadConflict-keep-both', 's-colourMode-dark']) expect(settings).toMatch(new RegExp(`id="${checked}"[^>]* checked`));
    expect(settings).toContain('<option value="darkly" selected>');

    // Stored under the GUID the DC gives alice, and under nothing else.
    if (backend === 'sqlite') {
      const db = new Database(join(dataDir, 'sessions.sqlite'), { readonly: true });
      const keys = db.prepare('SELECT DISTINCT guid FROM user_data').all() as { guid: string }[];
      db.close();
      expect(keys.map((k) => k.guid)).toEqual([aliceGuid]);
    } else {
      expect(await app.services.sessions.redis?.keys('portcullis:user:*')).toEqual([`portcullis:user:${aliceGuid}`]);
    }

    const bob = await signedIn(app, 'bob');
    expect(await listBookmarks(bob)).toEqual([]);
    expect((await bob.get('/bookmarks')).text).toContain('You have no bookmarks yet');
    expect((await bob.get('/browse/home/')).text).toMatch(LIST_VIEW);
  });

  it('loses nothing when two sessions add 20 bookmarks and change different settings at the same moment', async () => {
    const [a, b] = [await signedIn(app, 'alice'), await signedIn(app, 'alice')];
    const [ta, tb] = [await tokenOf(a), await tokenOf(b)];
    const before = (await listBookmarks(a)).length;
    const names = Array.from({ length: 20 }, (_, i) => `Parallel ${i}`);
    const replies = await Promise.all([
      ...names.map((n, i) => (i % 2 ? a : b).post('/bookmarks', { _csrf: i % 2 ? ta : tb, drive: 'home', path: pathOf(n) })),
      a.post('/settings', { _csrf: ta, view: 'list' }),
      b.post('/settings', { _csrf: tb, fileClick: 'page' }),
    ]);
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 303));
    const listed = await listBookmarks(a);
    expect(listed).toHaveLength(before + 20);
    expect(listed.map((l) => l.name)).toEqual(expect.arrayContaining(names));
    const home = (await b.get('/browse/home/')).text;
    expect(home).toMatch(LIST_VIEW);
    expect(home).toContain('data-file-click="page"');

    // Moves from both sessions at once: each applies to the order as stored, so both take effect.
    const [first, second] = listed;
    await Promise.all([
      a.post(`/bookmarks/${first?.id ?? ''}/move`, { _csrf: ta, dir: 'down' }),
      b.post(`/bookmarks/${listed.at(-1)?.id ?? ''}/move`, { _csrf: tb, to: '0' }),
    ]);
    const moved = await listBookmarks(a);
    expect(moved[0]?.id).toBe(listed.at(-1)?.id);
    expect(moved.slice(1, 3).map((m) => m.id)).toEqual([second?.id, first?.id]);
    expect(moved).toHaveLength(listed.length);
    // Tidy up for the next case: only Documents stays.
    for (const m of moved.filter((x) => x.name !== 'Documents')) expect((await a.post(`/bookmarks/${m.id}/delete`, { _csrf: ta })).status).toBe(303);
    expect((await listBookmarks(a)).map((x) => x.name)).toEqual(['Documents']);
  });

  it('stay with an account that is renamed (new sAMAccountName and UPN, same objectGUID)', async () => {
    const samba = (args: string[]): Promise<string> => runTool('samba-tool', [...args, '-H', join(domain.dir, 'private', 'sam.ldb'), '-s', join(domain.dir, 'etc', 'smb.conf')]);
    // An account of this case's own (at most 20 characters): the other test files share the domain's users.
    const before = `rn${backend[0]}${process.pid}`;
    const after = `${before}x`;
    await samba(['user', 'create', before, DEMO_PASSWORD]);
    try {
      const guid = await guidFromDc(domain, before);
      const old = await signedIn(app, before);
      const token = await tokenOf(old);
      expect((await old.post('/bookmarks', { _csrf: token, drive: 'library', path: '' })).status).toBe(303);
      expect((await old.post('/settings', { _csrf: token, view: 'grid', fileClick: 'download' })).status).toBe(303);
      await signOut(old, '/browse/library/');

      await samba(['user', 'rename', before, `--samaccountname=${after}`, `--upn=${after}@${domain.realm.toLowerCase()}`]);
      expect(await guidFromDc(domain, after)).toBe(guid);
      // The old name no longer signs in; the new one finds the same bookmarks and settings.
      const refused = await signIn(app.client(), before, DEMO_PASSWORD);
      expect(refused.status === 303 && !refused.location?.startsWith('/login')).toBe(false);
      const renamed = await signedIn(app, after);
      expect((await listBookmarks(renamed)).map((b) => b.name)).toEqual(['Library']);
      const library = (await renamed.get('/browse/library/')).text;
      expect(library).toContain('class="pc-grid list-unstyled"');
      expect(library).toContain('data-file-click="download"');
    } finally {
      await samba(['user', 'delete', after]).catch(() => samba(['user', 'delete', before]));
    }
  });

  it('refuses over-long names and unknown choices with a clear message, and changes nothing', async () => {
    const alice = await signedIn(app, 'alice');
    const token = await tokenOf(alice);
    const [doc] = await listBookmarks(alice);
    const long = await alice.post(`/bookmarks/${doc?.id ?? ''}/rename`, { _csrf: token, name: 'x'.repeat(101) });
    expect(long.status).toBe(400);
    expect(long.text).toContain('A bookmark name can be at most 100 characters long.');
    const badTheme = await alice.post('/settings', { _csrf: token, theme: 'no-such-theme' });
    expect(badTheme.status).toBe(400);
    expect(decodeEntities(badTheme.text)).toContain('“Theme” has a value that is not one of its choices.');
    expect((await alice.post(`/bookmarks/${doc?.id ?? ''}/rename`, { _csrf: token, name: 'My documents' })).location).toBe('/bookmarks?done=renamed');
    expect((await listBookmarks(alice)).map((b) => b.name)).toEqual(['My documents']);
    // Without the CSRF token nothing is saved.
    expect((await alice.post('/settings', { view: 'grid' })).status).toBe(403);
  });

  it('survives a restart: a new app instance on the same store has them', async () => {
    await app.close();
    // app.close() removes only data directories it made itself; this one is ours.
    app = await start();
    const alice = await signedIn(app, 'alice');
    expect((await listBookmarks(alice)).map((b) => b.name)).toEqual(['My documents']);
    expect((await alice.get('/browse/home/')).text).toContain('data-file-click="page"');
  });

  it('a bookmark to a folder that is gone says so and offers to remove it; one that exists opens the folder', async () => {
    const alice = await signedIn(app, 'alice');
    const token = await tokenOf(alice);
    const name = `Gone ${backend} ${process.pid}`;
    const dir = join(domain.homesDir, 'alice', name);
    mkdirSync(dir);
    try {
      await alice.post('/bookmarks', { _csrf: token, drive: 'home', path: pathOf(name) });
      const bm = (await listBookmarks(alice)).find((b) => b.name === name);
      expect(bm).toBeDefined();
      const open = await alice.get(`/bookmarks/${bm?.id ?? ''}`);
      expect([open.status, open.location]).toEqual([303, `/browse/home/${encodeURIComponent(name)}/`]);
      rmSync(dir, { recursive: true });
      const gone = await alice.get(`/bookmarks/${bm?.id ?? ''}`);
      expect(gone.status).toBe(404);
      expect(decodeEntities(gone.text)).toContain('This bookmark’s folder no longer exists');
      expect(gone.text).toContain('Remove this bookmark');
      const removed = await alice.post(`/bookmarks/${bm?.id ?? ''}/delete`, { _csrf: csrfTokenIn(gone.text.slice(gone.text.indexOf('pc-bookmark-missing'))) });
      expect([removed.status, removed.location]).toEqual([303, '/bookmarks?done=removed']);
      expect((await listBookmarks(alice)).map((b) => b.name)).toEqual(['My documents']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
