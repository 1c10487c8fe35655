// GET /api/files/properties through HTTP with a signed-in session, against the real Samba AD DC: times and
// attributes from the file server, the owner from the security descriptor (QUERY_INFO OWNER_SECURITY_INFORMATION)
// named through LDAP, the UNC path, a folder's recursive count with its caps, the contract's errors, and a count
// that stops on the file server when the browser goes away.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Properties } from '../../../src/files/index.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { SHARES, USERS, USERS_GID } from '../../fixtures/domain-data.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { run, waitFor } from '../../fixtures/proc.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { signedIn, startBrowseApp } from '../../helpers/browse.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startSmbGate } from '../../helpers/smb-gate.js';
import type { WebApp } from '../../helpers/web-app.js';

/** This run's own folder in alice's home, so reruns never meet. */
const TOP = `props-${process.pid}-${Date.now()}`;
const NOTE = 'Notes, owned.txt';
const NOTE_TEXT = 'written by alice over SMB\n';
/** tree/: 3 folders of 4 files of 100 bytes, and one empty folder inside the first. */
const TREE = { folders: 3, filesEach: 4, bytesEach: 100 };
/** A gate port of our own range (see the helper's brief: 5300–5399). */
const GATE_PORT = 5301;

let domain: DomainInfo;
let app: WebApp;
let alice: HttpClient;
let bob: HttpClient;

const samba = (args: string[]) => run('samba-tool', [...args, '-s', join(domain.dir, 'etc', 'smb.conf')]);
async function sidOf(username: string): Promise<string> {
  const stdout = await samba(['user', 'show', username, '-H', join(domain.dir, 'private', 'sam.ldb'), '--attributes=objectSid']);
  const sid = /^objectSid: (S-[\d-]+)$/m.exec(stdout)?.[1];
  if (!sid) throw new Error(`no objectSid for ${username}`);
  return sid;
}

/** smbclient as alice in her home: how a real client, not our own, creates what we then look at. */
const asAlice = (commands: string) => run('smbclient', [`//${domain.ip}/users`, '-U', `${domain.netbiosDomain}\\alice%${DEMO_PASSWORD}`, '-D', 'alice', '-c', commands]);

interface ApiReply<T> {
  status: number;
  body: T;
}
async function props<T = Properties>(client: HttpClient, query: Record<string, string>): Promise<ApiReply<T>> {
  const r = await client.get(`/api/files/properties?${new URLSearchParams(query).toString()}`, { headers: { Accept: 'application/json' } });
  return { status: r.status, body: JSON.parse(r.text) as T };
}
type ApiError = { error: { code: string; message: string } };

beforeAll(async () => {
  domain = requireDomain();
  const local = join(domain.dir, `${TOP}-note.txt`);
  writeFileSync(local, NOTE_TEXT);
  const mkTree: string[] = ['mkdir tree'];
  for (let f = 1; f <= TREE.folders; f++) {
    mkTree.push(`mkdir "tree/f${f}"`);
    for (let i = 1; i <= TREE.filesEach; i++) mkTree.push(`put "${local}.100" "tree/f${f}/file${i}.bin"`);
  }
  mkTree.push('mkdir "tree/f1/empty"');
  writeFileSync(`${local}.100`, Buffer.alloc(TREE.bytesEach, 7));
  await asAlice(`mkdir "${TOP}"; cd "${TOP}"; put "${local}" "${NOTE}"; ${mkTree.join('; ')}`);
  rmSync(local);
  rmSync(`${local}.100`);
  app = await startBrowseApp(domain);
  alice = await signedIn(app, 'alice');
  bob = await signedIn(app, 'bob');
}, 120_000);
afterAll(async () => {
  await app?.close();
  if (domain) rmSync(join(domain.homesDir, 'alice', TOP), { recursive: true, force: true });
  if (domain) rmSync(join(domain.sharesDir, SHARES.readonly, TOP), { recursive: true, force: true });
});

describe('properties of a file', () => {
  it('has its size, times, attributes, UNC path and alice as owner, SID resolved through LDAP', async () => {
    const { status, body } = await props(alice, { drive: 'home', path: `${TOP}/${NOTE}` });
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: NOTE, path: `${TOP}/${NOTE}`, type: 'file', size: NOTE_TEXT.length });
    for (const t of [body.created, body.modified, body.accessed, body.changed]) expect(new Date(t).toISOString()).toBe(t);
    expect(Math.abs(Date.parse(body.modified) - Date.now())).toBeLessThan(10 * 60_000);
    expect(body.attributes).toEqual({ readOnly: false, hidden: false, system: false, archive: expect.any(Boolean) as boolean });
    expect(body.owner).toEqual({ sid: await sidOf('alice'), name: 'alice' });
    expect(body.unc).toBe(`\\\\${domain.fileServerName}\\users\\alice\\${TOP}\\${NOTE}`);
    expect(body.measure).toBeUndefined();
  });

  it('shows the owner the file server reports, also when it is someone else (a file alice gave to bob)', async () => {
    // Changed on the server's disk: the NT ACL's owner is what smbd answers with, so rewrite it with samba-tool.
    const file = join(domain.homesDir, 'alice', TOP, NOTE);
    const sddl = (await samba(['ntacl', 'get', '--as-sddl', file])).trim().split('\n').at(-1) ?? '';
    const bobSid = await sidOf('bob');
    await samba(['ntacl', 'set', sddl.replace(/^O:[^G]+/, `O:${bobSid}`), file]);
    try {
      const { body } = await props(alice, { drive: 'home', path: `${TOP}/${NOTE}` });
      expect(body.owner).toEqual({ sid: bobSid, name: 'bob' });
    } finally {
      await samba(['ntacl', 'set', sddl, file]);
    }
  });

  it('has owner null, and everything else, where the user may not read the security descriptor', async () => {
    // On the Library share (readable by all): an NT ACL that denies bob READ_CONTROL on one file, written
    // beside it by samba-tool into the xattr smbd enforces (as the thumbnail ACL test does).
    const dir = join(domain.sharesDir, SHARES.readonly, TOP);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'Guarded.txt');
    writeFileSync(file, 'guarded\n');
    await run('chmod', ['-R', 'a+rX', dir]);
    const sddl = (await samba(['ntacl', 'get', '--as-sddl', file])).trim().split('\n').at(-1) ?? '';
    const READ_CONTROL = 0x20000;
    await samba(['ntacl', 'set', sddl.replace(/D:([A-Z]*)\(/, `D:$1(D;;0x${READ_CONTROL.toString(16).padStart(8, '0')};;;${await sidOf('bob')})(`), file]);

    const asBob = await props(bob, { drive: 'library', path: `${TOP}/Guarded.txt` });
    expect(asBob.status).toBe(200);
    expect(asBob.body).toMatchObject({ name: 'Guarded.txt', type: 'file', size: 8, owner: null, unc: `\\\\${domain.fileServerName}\\${SHARES.readonly}\\${TOP}\\Guarded.txt` });
    const asAlice = await props(alice, { drive: 'library', path: `${TOP}/Guarded.txt` });
    expect(asAlice.body.owner?.sid).toMatch(/^S-1-/);
  });

  it('answers 404 not-found for a missing file, and names it', async () => {
    const { status, body } = await props<ApiError>(alice, { drive: 'home', path: `${TOP}/no such file.txt` });
    expect(status).toBe(404);
    expect(body.error.code).toBe('not-found');
    expect(body.error.message).toContain('no such file.txt');
  });

  it('answers 400 bad-name for a path the browse rules refuse, before asking the file server', async () => {
    for (const path of [`${TOP}/../bob`, `${TOP}/a:b`, `${TOP}/a\\b`, `${TOP}/\u0001`]) {
      const { status, body } = await props<ApiError>(alice, { drive: 'home', path });
      expect({ path, status, code: body.error.code }).toEqual({ path, status: 400, code: 'bad-name' });
    }
    const long = await props<ApiError>(alice, { drive: 'home', path: 'x'.repeat(300) });
    expect([long.status, long.body.error.code]).toEqual([400, 'name-too-long']);
    const noDrive = await props<ApiError>(alice, { path: TOP });
    expect(noDrive.status).toBe(400);
  });

  it('answers 404 for a drive the user does not have, and 403 denied where the file server refuses', async () => {
    const none = await props<ApiError>(alice, { drive: 'no-such-drive', path: '' });
    expect([none.status, none.body.error.code]).toEqual([404, 'not-found']);
    // "Shared" is not on bob's menu (staff only); asked for anyway, the file server's refusal is the answer.
    const shared = await props<ApiError>(bob, { drive: 'shared', path: '' });
    expect([shared.status, shared.body.error.code]).toEqual([403, 'denied']);
  });

  it('is for signed-in users only, and answers JSON whatever the client accepts', async () => {
    const r = await app.client().get(`/api/files/properties?drive=home&path=${encodeURIComponent(TOP)}`, { headers: { Accept: '*/*' } });
    expect(r.status).toBe(401);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    const missing = await alice.get(`/api/files/properties?drive=home&path=${encodeURIComponent(`${TOP}/nothing here`)}`, { headers: { Accept: 'text/html' } });
    expect([missing.status, (JSON.parse(missing.text) as ApiError).error.code]).toEqual([404, 'not-found']);
  });
});

describe('properties of a folder', () => {
  const expected = {
    files: TREE.folders * TREE.filesEach,
    folders: TREE.folders + 1,
    bytes: TREE.folders * TREE.filesEach * TREE.bytesEach,
  };

  it('has its times, owner and UNC path, and no count unless asked', async () => {
    const { status, body } = await props(alice, { drive: 'home', path: `${TOP}/tree` });
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: 'tree', type: 'folder', size: 0, owner: { sid: await sidOf('alice'), name: 'alice' } });
    expect(body.unc).toBe(`\\\\${domain.fileServerName}\\users\\alice\\${TOP}\\tree`);
    expect(body.measure).toBeUndefined();
  });

  it('the drive root is the drive, by its name', async () => {
    const { status, body } = await props(alice, { drive: 'home', path: '' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: 'My home', path: '', type: 'folder', unc: `\\\\${domain.fileServerName}\\users\\alice` });
  });

  it('measure=1 counts everything below it, exactly', async () => {
    const { body } = await props(alice, { drive: 'home', path: `${TOP}/tree`, measure: '1' });
    expect(body.measure).toEqual({ items: expected.files + expected.folders, ...expected, complete: true });
  });

  it('a tiny entry cap stops the count and says so (complete: false, limit: entries)', async () => {
    const before = app.config.measure.maxEntries;
    app.config.measure.maxEntries = 5;
    try {
      const { body } = await props(alice, { drive: 'home', path: `${TOP}/tree`, measure: '1' });
      expect(body.measure).toMatchObject({ items: 5, complete: false, limit: 'entries' });
    } finally {
      app.config.measure.maxEntries = before;
    }
  });
});

describe('cancelling a count', () => {
  it('stops the walk on the file server when the client goes away', async () => {
    // 40 folders on alice's home disk (owned by her, as the fixture makes homes), walked through a gate that
    // holds the app's SMB traffic from its 6th directory query on.
    const many = join(domain.homesDir, 'alice', TOP, 'many');
    for (let i = 1; i <= 40; i++) {
      mkdirSync(join(many, `d${i}`), { recursive: true });
      writeFileSync(join(many, `d${i}`, 'x.txt'), 'x');
    }
    const uid = USERS.find((u) => u.username === 'alice')?.uidNumber ?? 0;
    await run('chown', ['-R', `${uid}:${USERS_GID}`, many]);
    const gate = await startSmbGate({ port: GATE_PORT, target: { host: domain.ip, port: 445 }, holdFromQuery: 6 });
    const gated = await startBrowseApp(domain, { env: { SMB_HOST_MAP: `${domain.fileServerName}=127.0.0.1:${GATE_PORT}` } });
    try {
      const client = await signedIn(gated, 'alice');
      const ac = new AbortController();
      const url = new URL(`/api/files/properties?${new URLSearchParams({ drive: 'home', path: `${TOP}/many`, measure: '1' }).toString()}`, gated.url);
      const answer = fetch(url, { headers: { Accept: 'application/json', Cookie: client.jar.header() ?? '' }, signal: ac.signal }).catch((err: unknown) => err);
      await waitFor('the walk to reach the gate', async () => gate.held > 0, 30_000);
      const asked = gate.queries;
      ac.abort();
      expect(await answer).toBeInstanceOf(Error);
      await waitFor('the app to see the client go', async () => gated.logs.some((l) => l.includes('went away before the answer')), 30_000);
      gate.release();
      await waitFor('the count to stop', async () => gated.logs.some((l) => l.includes('folder count cancelled')), 30_000);
      // Nothing more was asked of the file server than what was already on its way: 2 queries per folder
      // (the listing and its end), 41 folders, had the walk gone on.
      expect(gate.queries).toBe(asked);
      expect(asked).toBeLessThan(20);
      // And the user's connection is still good for the next request.
      const again = await props(client, { drive: 'home', path: `${TOP}/many` });
      expect(again.status).toBe(200);
    } finally {
      await gated.close();
      await gate.close();
    }
  });
});
