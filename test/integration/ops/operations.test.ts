// The file operations API against the real app and the Samba AD DC, through HTTP with a signed-in session and
// the CSRF header: new folder, rename, delete, copy and move (each checked with smbclient, copies by sha256),
// name conflicts (409 preflight, skip, replace, keep both), a folder into itself, bob's 403 on a share he may
// only read, a file held open elsewhere and a file under a byte-range lock reported by name and kind, and jobs
// (per user, listed, cancelled).
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Access, CreateDisposition, CreateOption } from '../../../src/smb/messages/constants.js';
import { SmbClient, ntowfv2 } from '../../../src/smb/index.js';
import { drivesFor } from '../../../src/drives/index.js';
import { makeTree } from '../../fixtures/demo-files.js';
import { homeDirectoryOf, SHARES, USERS, USERS_GID } from '../../fixtures/domain-data.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { opsEnv } from '../../fixtures/second-server.js';
import { startWebApp, type WebApp } from '../../helpers/web-app.js';
import { ApiUser, type JobJson, sha256, smbExists, smbNames, smbSha256 } from './helpers.js';

const ALICE_UID = USERS.find((u) => u.username === 'alice')?.uidNumber ?? 0;

describe('file operations API', () => {
  let domain: DomainInfo;
  let app: WebApp;
  let alice: ApiUser;
  let bob: ApiUser;
  /** This run's own folder in alice's home (drive path), and where it is on the server's disk. */
  const top = `ops-${randomBytes(4).toString('hex')}`;
  let disk: string;
  /** Holds a delete job once it has deleted this many items, until it is cancelled (see the cancel test). */
  let holdAt: number | undefined;
  let held: () => void = () => undefined;

  const alicePath = (rel: string): string => `alice/${top}/${rel}`;
  const dc = (): { ip: string } => ({ ip: domain.ip });

  /** Files made on the server's disk as alice (owner and group as SMB would have made them). */
  const put = (rel: string, data: string | Buffer): void => {
    const path = join(disk, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, data);
    chownSync(path, ALICE_UID, USERS_GID);
  };
  const chownTree = (path: string): void => {
    chownSync(path, ALICE_UID, USERS_GID);
    if (!existsSync(path) || !readdirSync(path, { withFileTypes: true })) return;
    for (const e of readdirSync(path, { withFileTypes: true })) {
      const p = join(path, e.name);
      if (e.isDirectory()) chownTree(p);
      else chownSync(p, ALICE_UID, USERS_GID);
    }
  };

  beforeAll(async () => {
    domain = requireDomain();
    app = await startWebApp(domain, {
      env: { LOGIN_MAX_PER_IP: '1000', ...opsEnv(domain) },
      logLevel: 'info',
      services: {
        jobHooks: {
          afterItem: async (job) => {
            if (holdAt === undefined || job.done.items < holdAt || job.signal.aborted) return;
            held();
            await new Promise<void>((resolve) => job.signal.addEventListener('abort', () => resolve(), { once: true }));
          },
        },
      },
    });
    alice = await ApiUser.signIn(app, 'alice');
    bob = await ApiUser.signIn(app, 'bob');
    disk = join(domain.homesDir, 'alice', top);
    mkdirSync(disk);
    chownSync(disk, ALICE_UID, USERS_GID);
  });

  afterAll(async () => {
    await app?.close();
    if (disk) rmSync(disk, { recursive: true, force: true });
  });

  it('makes a folder and renames it; the server has it under the new name; bad and taken names are refused by kind', async () => {
    const made = await alice.post('/api/files/mkdir', { drive: 'home', path: top, name: 'Lecture notes' });
    expect(made.status).toBe(201);
    expect(made.json).toEqual({ path: `${top}/Lecture notes` });
    expect(await smbNames(dc(), SHARES.users, 'alice', `alice/${top}`)).toContain('Lecture notes');

    const again = await alice.post('/api/files/mkdir', { drive: 'home', path: top, name: 'Lecture notes' });
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({ code: 'exists', message: '“Lecture notes” already exists.' });

    const bad = await alice.post('/api/files/mkdir', { drive: 'home', path: top, name: 'a:b' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'bad-name' });
    const long = await alice.post('/api/files/mkdir', { drive: 'home', path: top, name: 'x'.repeat(256) });
    expect(long.status).toBe(400);
    expect(long.json.error).toMatchObject({ code: 'name-too-long' });
    // 200 characters, but 800 bytes of UTF-8: within our rules, over the server's 255 bytes.
    const wide = await alice.post('/api/files/mkdir', { drive: 'home', path: top, name: '😀'.repeat(200) });
    expect(wide.status).toBe(400);
    expect(wide.json.error).toMatchObject({ code: 'name-too-long' });

    const renamed = await alice.post('/api/files/rename', { drive: 'home', path: `${top}/Lecture notes`, name: 'Notes 2026' });
    expect(renamed.status).toBe(200);
    expect(renamed.json).toEqual({ path: `${top}/Notes 2026` });
    const names = await smbNames(dc(), SHARES.users, 'alice', `alice/${top}`);
    expect(names).toContain('Notes 2026');
    expect(names).not.toContain('Lecture notes');

    const missing = await alice.post('/api/files/rename', { drive: 'home', path: `${top}/No such thing`, name: 'x' });
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({ code: 'not-found' });

    // Without the CSRF header the request is refused before anything happens.
    const res = await fetch(new URL('/api/files/mkdir', app.url), {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json', Cookie: alice.client.jar.header() },
      body: JSON.stringify({ drive: 'home', path: top, name: 'csrf' }),
    });
    expect(res.status).toBe(403);
    expect(await smbExists(dc(), SHARES.users, 'alice', alicePath('csrf'))).toBe(false);

    // One audit line per mutation: who, action, drive, from, to, result.
    const lines = app.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.audit === 'rename' || l.audit === 'mkdir');
    expect(lines).toContainEqual(expect.objectContaining({ audit: 'rename', user: 'alice', drive: 'home', from: `${top}/Lecture notes`, to: `${top}/Notes 2026`, result: 'ok' }));
    expect(lines).toContainEqual(expect.objectContaining({ audit: 'mkdir', user: 'alice', result: 'exists' }));
  });

  it('copies a file (server-side) and a folder tree within the drive; the copies match by sha256 on the server', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    put('copy-src/data.bin', data);
    makeTree(join(disk, 'copy-src', 'tree'), { top: 2, sub: 3, files: 5 });
    chownTree(join(disk, 'copy-src'));
    mkdirSync(join(disk, 'copy-dst'));
    chownSync(join(disk, 'copy-dst'), ALICE_UID, USERS_GID);

    const job = await alice.runJob('/api/files/copy', { drive: 'home', paths: [`${top}/copy-src/data.bin`, `${top}/copy-src/tree`], to: { drive: 'home', path: `${top}/copy-dst` } });
    expect(job).toMatchObject({ kind: 'copy', state: 'done', failures: [] });
    // 1 file + the tree: 2 folders, 6 weeks, 2 index files, 30 notes.
    expect(job.total).toEqual({ items: 1 + 1 + 2 + 6 + 2 + 30, bytes: expect.any(Number) as number });
    expect(job.done.items).toBe(job.total?.items);
    expect(job.results).toContainEqual({ from: `${top}/copy-src/data.bin`, to: `${top}/copy-dst/data.bin`, action: 'copied' });
    expect(job.results).toContainEqual({ from: `${top}/copy-src/tree`, to: `${top}/copy-dst/tree`, action: 'copied' });
    expect(await smbSha256(dc(), SHARES.users, 'alice', alicePath('copy-dst/data.bin'))).toBe(sha256(data));
    expect(await smbSha256(dc(), SHARES.users, 'alice', alicePath('copy-dst/tree/Term 02/Week 03/note-005.txt'))).toBe(sha256('Term 02 Week 03 note-005.txt\n'));
    expect(await smbNames(dc(), SHARES.users, 'alice', alicePath('copy-dst/tree/Term 01'))).toEqual(['Week 01', 'Week 02', 'Week 03', 'index.txt']);
    // The originals are untouched, and no temporary is left anywhere.
    expect(readFileSync(join(disk, 'copy-src', 'data.bin')).equals(data)).toBe(true);
    expect(readdirSync(join(disk, 'copy-dst')).sort()).toEqual(['data.bin', 'tree']);
  });

  it('moves a file and a folder within the drive (renames on the server): gone from the source, whole at the destination', async () => {
    put('move-src/report.txt', 'quarterly report\n');
    makeTree(join(disk, 'move-src', 'folder'), { top: 1, sub: 2, files: 3 });
    chownTree(join(disk, 'move-src'));
    mkdirSync(join(disk, 'move-dst'));
    chownSync(join(disk, 'move-dst'), ALICE_UID, USERS_GID);
    const job = await alice.runJob('/api/files/move', { drive: 'home', paths: [`${top}/move-src/report.txt`, `${top}/move-src/folder`], to: { drive: 'home', path: `${top}/move-dst` } });
    expect(job).toMatchObject({ kind: 'move', state: 'done', failures: [] });
    expect(job.results).toEqual([
      { from: `${top}/move-src/report.txt`, to: `${top}/move-dst/report.txt`, action: 'moved' },
      { from: `${top}/move-src/folder`, to: `${top}/move-dst/folder`, action: 'moved' },
    ]);
    expect(await smbNames(dc(), SHARES.users, 'alice', alicePath('move-src'))).toEqual([]);
    expect(await smbNames(dc(), SHARES.users, 'alice', alicePath('move-dst'))).toEqual(['folder', 'report.txt']);
    expect(await smbSha256(dc(), SHARES.users, 'alice', alicePath('move-dst/report.txt'))).toBe(sha256('quarterly report\n'));
    expect(await smbNames(dc(), SHARES.users, 'alice', alicePath('move-dst/folder/Term 01/Week 02'))).toEqual(['note-001.txt', 'note-002.txt', 'note-003.txt']);
  });

  it('deletes files and a folder tree recursively; smbclient finds none of it', async () => {
    put('del/a.txt', 'a');
    makeTree(join(disk, 'del', 'tree'), { top: 3, sub: 4, files: 10 });
    chownTree(join(disk, 'del'));
    const job = await alice.runJob('/api/files/delete', { drive: 'home', paths: [`${top}/del/a.txt`, `${top}/del/tree`] });
    expect(job).toMatchObject({ kind: 'delete', state: 'done', failures: [] });
    // a.txt, the tree folder, 3 terms with an index each, 12 weeks, 120 notes.
    expect(job.done.items).toBe(1 + 1 + 3 + 3 + 12 + 120);
    expect(job.total).toEqual({ items: job.done.items, bytes: expect.any(Number) as number });
    expect(job.results).toContainEqual({ from: `${top}/del/tree/Term 02/Week 04/note-010.txt`, to: null, action: 'deleted' });
    expect(await smbNames(dc(), SHARES.users, 'alice', alicePath('del'))).toEqual([]);
    expect(await smbExists(dc(), SHARES.users, 'alice', alicePath('del/tree'))).toBe(false);
  });

  it('a name clash asks first (409, nothing done), then skip, replace and keep both do what they say, per item', async () => {
    put('clash-src/one.txt', 'new one\n');
    put('clash-src/two.txt', 'new two\n');
    put('clash-src/three.txt', 'new three\n');
    put('clash-src/sub/inner.txt', 'new inner\n');
    put('clash-src/sub/only-new.txt', 'only new\n');
    put('clash-dst/one.txt', 'old one\n');
    put('clash-dst/two.txt', 'old two\n');
    put('clash-dst/three.txt', 'old three\n');
    put('clash-dst/sub/inner.txt', 'old inner\n');
    put('clash-dst/sub/only-old.txt', 'only old\n');
    chownTree(join(disk, 'clash-src'));
    chownTree(join(disk, 'clash-dst'));
    const paths = ['one.txt', 'two.txt', 'three.txt', 'sub'].map((n) => `${top}/clash-src/${n}`);
    const to = { drive: 'home', path: `${top}/clash-dst` };

    const ask = await alice.post('/api/files/copy', { drive: 'home', paths, to });
    expect(ask.status).toBe(409);
    expect(ask.json.error).toMatchObject({ code: 'conflict' });
    expect(ask.json.conflicts).toEqual([
      { name: 'one.txt', type: 'file' },
      { name: 'two.txt', type: 'file' },
      { name: 'three.txt', type: 'file' },
      { name: 'sub', type: 'folder' },
    ]);
    expect(readFileSync(join(disk, 'clash-dst', 'one.txt'), 'utf8')).toBe('old one\n');

    // Resolutions cover only some: still a 409 for the rest.
    const partly = await alice.post('/api/files/copy', { drive: 'home', paths, to, resolutions: { 'one.txt': 'skip' } });
    expect(partly.status).toBe(409);
    expect((partly.json.conflicts as unknown[]).length).toBe(3);

    const job = await alice.runJob('/api/files/copy', { drive: 'home', paths, to, conflict: 'replace', resolutions: { 'one.txt': 'skip', 'two.txt': 'keep-both' } });
    expect(job).toMatchObject({ state: 'done', failures: [] });
    expect(job.results).toContainEqual({ from: `${top}/clash-src/one.txt`, to: null, action: 'skipped' });
    expect(job.results).toContainEqual({ from: `${top}/clash-src/two.txt`, to: `${top}/clash-dst/two (2).txt`, action: 'kept-both' });
    expect(job.results).toContainEqual({ from: `${top}/clash-src/three.txt`, to: `${top}/clash-dst/three.txt`, action: 'replaced' });
    expect(job.results).toContainEqual({ from: `${top}/clash-src/sub`, to: `${top}/clash-dst/sub`, action: 'replaced' });
    const get = (rel: string): Promise<string> => smbSha256(dc(), SHARES.users, 'alice', alicePath(`clash-dst/${rel}`));
    expect(await get('one.txt')).toBe(sha256('old one\n'));
    expect(await get('two.txt')).toBe(sha256('old two\n'));
    expect(await get('two (2).txt')).toBe(sha256('new two\n'));
    expect(await get('three.txt')).toBe(sha256('new three\n'));
    // Replacing a folder merges: its files are replaced, files only it had stay.
    expect(await get('sub/inner.txt')).toBe(sha256('new inner\n'));
    expect(await smbNames(dc(), SHARES.users, 'alice', alicePath('clash-dst/sub'))).toEqual(['inner.txt', 'only-new.txt', 'only-old.txt']);
    expect(await smbNames(dc(), SHARES.users, 'alice', alicePath('clash-dst'))).toEqual(['one.txt', 'sub', 'three.txt', 'two (2).txt', 'two.txt']);
  });

  it('refuses to copy or move a folder into itself or a folder inside it, before doing anything', async () => {
    makeTree(join(disk, 'self'), { top: 1, sub: 1, files: 1 });
    chownTree(join(disk, 'self'));
    for (const [op, dest] of [['move', `${top}/self`], ['move', `${top}/self/Term 01/Week 01`], ['copy', `${top}/self/Term 01`]] as const) {
      const r = await alice.post(`/api/files/${op}`, { drive: 'home', paths: [`${top}/self`], to: { drive: 'home', path: dest } });
      expect(r.status).toBe(400);
      expect(r.json.error).toMatchObject({ code: 'into-itself' });
    }
    // Case does not fool it (SMB names are case-insensitive).
    const r = await alice.post('/api/files/move', { drive: 'home', paths: [`${top}/self`], to: { drive: 'home', path: `${top}/SELF/term 01` } });
    expect(r.json.error).toMatchObject({ code: 'into-itself' });
    expect(await smbNames(dc(), SHARES.users, 'alice', alicePath('self/Term 01'))).toEqual(['Week 01', 'index.txt']);
  });

  it("bob gets 403 \"You can't change files here\" on the course share he may only read; alice may change it", async () => {
    for (const [path, body] of [
      ['/api/files/mkdir', { drive: 'course-materials', path: '', name: 'bob was here' }],
      ['/api/files/rename', { drive: 'course-materials', path: 'Syllabus.txt', name: 'x.txt' }],
      ['/api/files/delete', { drive: 'course-materials', paths: ['Syllabus.txt'] }],
      ['/api/files/copy', { drive: 'home', paths: ['Welcome.txt'], to: { drive: 'course-materials', path: '' } }],
      ['/api/files/move', { drive: 'course-materials', paths: ['Syllabus.txt'], to: { drive: 'home', path: '' } }],
    ] as const) {
      const r = await bob.post(path, body);
      expect(r.status, path).toBe(403);
      expect(r.json.error, path).toMatchObject({ code: 'denied', message: "You can't change files here" });
    }
    expect(await smbExists(dc(), SHARES.course, 'bob', 'Syllabus.txt')).toBe(true);
    expect(await smbExists(dc(), SHARES.course, 'bob', 'bob was here')).toBe(false);
    // Bob may still copy from it into his own drive.
    const job = await bob.runJob('/api/files/copy', { drive: 'course-materials', paths: ['Syllabus.txt'], to: { drive: 'home', path: '' }, conflict: 'keep-both' });
    expect(job).toMatchObject({ state: 'done', failures: [] });

    const name = `alice-${top}`;
    const made = await alice.post('/api/files/mkdir', { drive: 'course-materials', path: '', name });
    expect(made.status).toBe(201);
    expect(await smbExists(dc(), SHARES.course, 'bob', name)).toBe(true);
    const gone = await alice.runJob('/api/files/delete', { drive: 'course-materials', paths: [name] });
    expect(gone.state).toBe('done');
    rmSync(join(domain.homesDir, 'bob', 'Syllabus.txt'), { force: true });
  });

  it('DriveFiles.canWrite() says what the tree connect allows: bob reads the course share, alice writes it; Library is read-only', async () => {
    const can = async (username: string, driveId: string): Promise<boolean> => {
      const groups = username === 'alice' ? ['CN=staff,CN=Users,DC=example,DC=test'] : ['CN=students,CN=Users,DC=example,DC=test'];
      const drive = drivesFor({ username, homeDirectory: homeDirectoryOf(username), groups }, app.config).find((d) => d.id === driveId);
      if (!drive) throw new Error(`${username} has no ${driveId}`);
      const credential = { username, domain: domain.netbiosDomain, ntowfv2: ntowfv2(domain.password, username, domain.netbiosDomain) };
      return app.services.files.forDrive({ sessionId: `can-write-${username}`, credential: () => credential }, drive).canWrite();
    };
    expect(await can('alice', 'course-materials')).toBe(true);
    expect(await can('bob', 'course-materials')).toBe(false);
    expect(await can('bob', 'library')).toBe(false);
    expect(await can('alice', 'library')).toBe(false);
    expect(await can('bob', 'home')).toBe(true);
  });

  it('a file held open by another client without sharing is reported by name; everything else is deleted', async () => {
    put('busy/open.txt', 'held open\n');
    put('busy/free-1.txt', '1');
    put('busy/free-2.txt', '2');
    chownTree(join(disk, 'busy'));
    // Another client (our own SMB client, as another program would) opens the file allowing no sharing at all.
    const other = await SmbClient.connect({ host: domain.ip, share: SHARES.users, credential: { username: 'alice', domain: domain.netbiosDomain, ntowfv2: ntowfv2(domain.password, 'alice', domain.netbiosDomain) } });
    const handle = await other.share(SHARES.users).open(alicePath('busy/open.txt'), {
      desiredAccess: Access.FILE_READ_DATA | Access.FILE_WRITE_DATA | Access.SYNCHRONIZE,
      disposition: CreateDisposition.OPEN,
      createOptions: CreateOption.NON_DIRECTORY_FILE,
      shareAccess: 0,
    });
    try {
      const job = await alice.runJob('/api/files/delete', { drive: 'home', paths: [`${top}/busy`] });
      expect(job.state).toBe('done');
      expect(job.failures).toEqual([
        { path: `${top}/busy/open.txt`, code: 'in-use', message: expect.stringContaining('“open.txt” is in use') as string },
        { path: `${top}/busy`, code: 'not-empty', message: '“busy” was not deleted because 1 item in it could not be deleted.' },
      ]);
      expect(job.results.map((r) => r.from).sort()).toEqual([`${top}/busy/free-1.txt`, `${top}/busy/free-2.txt`]);
      expect(await smbNames(dc(), SHARES.users, 'alice', alicePath('busy'))).toEqual(['open.txt']);
      const line = app.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.audit === 'delete' && l.job === job.id);
      expect(line).toMatchObject({ user: 'alice', drive: 'home', from: [`${top}/busy`], result: 'in-use', failed: 2, items: 2 });
    } finally {
      await handle.close();
      await other.close();
    }
  });

  it('a file under another program\'s byte-range lock is reported as locked; the rest is copied, and no partial copy is left', async () => {
    const ledger = randomBytes(256 << 10);
    put('locked/ledger.xlsx', ledger);
    put('locked/notes.txt', 'free\n');
    mkdirSync(join(disk, 'locked-copy'));
    chownTree(join(disk, 'locked'));
    chownTree(join(disk, 'locked-copy'));
    // Another program keeps the file open for everyone (no sharing violation) but locks all of its bytes.
    const other = await SmbClient.connect({ host: domain.ip, share: SHARES.users, credential: { username: 'alice', domain: domain.netbiosDomain, ntowfv2: ntowfv2(domain.password, 'alice', domain.netbiosDomain) } });
    const handle = await other.share(SHARES.users).open(alicePath('locked/ledger.xlsx'), {
      // Reading only: a writer would make the copy's open (which denies writers) a sharing violation instead.
      desiredAccess: Access.FILE_READ_DATA | Access.SYNCHRONIZE,
      disposition: CreateDisposition.OPEN,
      createOptions: CreateOption.NON_DIRECTORY_FILE,
    });
    await handle.lock(0, ledger.length, 'exclusive');
    try {
      // A second lock on the same bytes is refused at once (FAIL_IMMEDIATELY), not queued.
      const again = await other.share(SHARES.users).open(alicePath('locked/ledger.xlsx'), { desiredAccess: Access.FILE_READ_DATA | Access.SYNCHRONIZE, disposition: CreateDisposition.OPEN, createOptions: CreateOption.NON_DIRECTORY_FILE });
      await expect(again.lock(0, 1, 'shared')).rejects.toMatchObject({ name: 'SmbLockedError' });
      await again.close();

      const job = await alice.runJob('/api/files/copy', { drive: 'home', paths: [`${top}/locked/ledger.xlsx`, `${top}/locked/notes.txt`], to: { drive: 'home', path: `${top}/locked-copy` } });
      expect(job.state).toBe('done');
      expect(job.failures).toEqual([{ path: `${top}/locked/ledger.xlsx`, code: 'locked', message: expect.stringContaining('“ledger.xlsx” is locked by another program') as string }]);
      expect(job.results.map((r) => r.from)).toEqual([`${top}/locked/notes.txt`]);
      expect(await smbNames(dc(), SHARES.users, 'alice', alicePath('locked-copy'))).toEqual(['notes.txt']);
      // Downloading it says the same, before any byte is sent (never a 500, never a short file).
      const download = await alice.client.get(`/download/home/${top}/locked/ledger.xlsx`);
      expect(download.status).toBe(423);
      expect(download.text).toContain('is in use by someone else');
      // The original is untouched.
      expect(sha256(readFileSync(join(disk, 'locked/ledger.xlsx')))).toBe(sha256(ledger));
    } finally {
      await handle.unlock(0, ledger.length);
      await handle.close();
      await other.close();
    }
    // Once the lock is gone, the same copy succeeds and matches.
    const retry = await alice.runJob('/api/files/copy', { drive: 'home', paths: [`${top}/locked/ledger.xlsx`], to: { drive: 'home', path: `${top}/locked-copy` } });
    expect(retry).toMatchObject({ state: 'done', failures: [] });
    expect(await smbSha256(dc(), SHARES.users, 'alice', alicePath('locked-copy/ledger.xlsx'))).toBe(sha256(ledger));
  });

  it('cancelling midway through deleting 5,000 files stops cleanly: what the report says is gone is gone, the rest intact', async () => {
    const dir = join(disk, 'five-thousand');
    mkdirSync(dir);
    const names = Array.from({ length: 5000 }, (_, i) => `file-${String(i).padStart(4, '0')}.txt`);
    for (const n of names) writeFileSync(join(dir, n), n);
    chownTree(dir);
    holdAt = 1000;
    const reached = new Promise<void>((resolve) => (held = resolve));
    try {
      const started = await alice.post('/api/files/delete', { drive: 'home', paths: [`${top}/five-thousand`] });
      expect(started.status).toBe(202);
      expect(started.headers.get('location')).toBe(`/api/jobs/${(started.json.job as JobJson).id}`);
      const id = (started.json.job as JobJson).id;
      await reached;
      // Another user cannot see or cancel it.
      expect((await bob.call('GET', `/api/jobs/${id}`)).status).toBe(404);
      expect((await bob.call('DELETE', `/api/jobs/${id}`)).status).toBe(404);
      expect(((await bob.call('GET', '/api/jobs')).json.jobs as JobJson[]).map((j) => j.id)).not.toContain(id);
      const listed = (await alice.call('GET', '/api/jobs')).json.jobs as JobJson[];
      expect(listed[0]).toMatchObject({ id, state: 'running', kind: 'delete' });

      const cancelled = await alice.call('DELETE', `/api/jobs/${id}`);
      expect(cancelled.status).toBe(200);
      const job = cancelled.json as unknown as JobJson;
      expect(job.state).toBe('cancelled');
      expect(job.total).toEqual({ items: 5001, bytes: expect.any(Number) as number });
      expect(job.failures).toEqual([]);
      expect(job.done.items).toBe(job.results.length);
      expect(job.done.items).toBeGreaterThanOrEqual(1000);
      expect(job.done.items).toBeLessThan(5000);
      const deleted = new Set(job.results.map((r) => r.from.slice(`${top}/five-thousand/`.length)));
      expect(job.results.every((r) => r.action === 'deleted')).toBe(true);
      // Exact: every file the report names is gone, every other one is still there, byte for byte.
      const left = new Set(readdirSync(dir));
      for (const n of names) expect(left.has(n), n).toBe(!deleted.has(n));
      expect(left.size + deleted.size).toBe(5000);
      expect(readFileSync(join(dir, [...left][0] ?? ''), 'utf8')).toBe([...left][0]);
      // And later reads say the same.
      expect((await alice.call('GET', `/api/jobs/${id}`)).json).toMatchObject({ state: 'cancelled', done: job.done });
    } finally {
      holdAt = undefined;
    }
  });

  it('answers unknown jobs and bad bodies with the API error shape', async () => {
    const r = await alice.call('GET', '/api/jobs/not-a-job');
    expect(r.status).toBe(404);
    expect(r.json.error).toMatchObject({ code: 'not-found' });
    const bad = await alice.post('/api/files/delete', { drive: 'home', paths: [] });
    expect(bad.status).toBe(400);
    const dots = await alice.post('/api/files/delete', { drive: 'home', paths: ['../bob'] });
    expect(dots.status).toBe(400);
    expect(dots.json.error).toMatchObject({ code: 'bad-name' });
    const nowhere = await alice.post('/api/files/copy', { drive: 'home', paths: ['Welcome.txt'], to: { drive: 'home', path: `${top}/no such folder` } });
    expect(nowhere.status).toBe(404);
    expect(nowhere.json.error).toMatchObject({ code: 'not-found', message: 'The destination folder “no such folder” was not found. It may have been moved or deleted.' });
    const orphan = await alice.post('/api/files/mkdir', { drive: 'home', path: `${top}/no such folder`, name: 'x' });
    expect(orphan.status).toBe(404);
    expect(orphan.json.error).toMatchObject({ code: 'not-found', message: 'The folder “no such folder” was not found. It may have been moved or deleted.' });
    const drive = await alice.post('/api/files/mkdir', { drive: 'nope', path: '', name: 'x' });
    expect(drive.status).toBe(404);
    expect(drive.json.error).toMatchObject({ code: 'not-found' });
  });
});
