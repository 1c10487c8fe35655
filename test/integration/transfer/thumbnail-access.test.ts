// Issue 10, item 10: the thumbnail cache is shared by all users, so a cached thumbnail must only reach a user
// who may read the picture's data. Bob may list a Library folder and see a picture's attributes, but an NT ACL
// denies him FILE_READ_DATA on it; alice has made (and so cached) its thumbnail. Bob gets 403.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARES } from '../../fixtures/domain-data.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { run } from '../../fixtures/proc.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { namesIn, signedIn, startBrowseApp } from '../../helpers/browse.js';
import type { HttpClient } from '../../helpers/http-client.js';
import type { WebApp } from '../../helpers/web-app.js';
import { raw, urlOf } from './helpers.js';

const FOLDER = 'Thumbnail ACL test';
const DENIED = 'Secret plan.jpg';
const OPEN = 'Open day.jpg';
const FILE_READ_DATA = 0x1;

let domain: DomainInfo;
let app: WebApp;
let alice: HttpClient;
let bob: HttpClient;
let folderDir: string;

const thumb = (name: string): string => urlOf('thumb', 'library', FOLDER, name);
const samba = (args: string[]) => run('samba-tool', [...args, '-s', join(domain.dir, 'etc', 'smb.conf')]);

/** A user's SID, read from the DC's own database. */
async function sidOf(username: string): Promise<string> {
  const stdout = await samba(['user', 'show', username, '-H', join(domain.dir, 'private', 'sam.ldb'), '--attributes=objectSid']);
  const sid = /^objectSid: (S-[\d-]+)$/m.exec(stdout)?.[1];
  if (!sid) throw new Error(`no objectSid for ${username}`);
  return sid;
}

beforeAll(async () => {
  domain = requireDomain();
  // The Library share is read-only over SMB (so not even Administrator may change an ACL through it): the
  // folder and pictures are made on the share's disk, and the NT ACL is written beside them by samba-tool,
  // into the same xattr smbd enforces. smbcacls then shows it as the file server sees it.
  folderDir = join(domain.sharesDir, SHARES.readonly, FOLDER);
  rmSync(folderDir, { recursive: true, force: true });
  mkdirSync(folderDir, { recursive: true });
  const picture = join(domain.sharesDir, SHARES.shared, 'Campus photo.jpg');
  copyFileSync(picture, join(folderDir, DENIED));
  copyFileSync(picture, join(folderDir, OPEN));
  await run('chmod', ['-R', 'a+rX', folderDir]);
  const file = join(folderDir, DENIED);
  const sddl = (await samba(['ntacl', 'get', '--as-sddl', file])).trim().split('\n').at(-1) ?? '';
  // A deny ACE first (deny before allow, as Windows orders them) for read-data only: attributes stay readable.
  const denied = sddl.replace(/D:([A-Z]*)\(/, `D:$1(D;;0x${FILE_READ_DATA.toString(16).padStart(8, '0')};;;${await sidOf('bob')})(`);
  expect(denied).not.toBe(sddl);
  await samba(['ntacl', 'set', denied, file]);

  app = await startBrowseApp(domain);
  alice = await signedIn(app, 'alice');
  bob = await signedIn(app, 'bob');
});
afterAll(async () => {
  await app?.close();
  if (folderDir) rmSync(folderDir, { recursive: true, force: true });
});

describe('a cached thumbnail and a user who may not read the picture', () => {
  it('the file server lets bob list the folder and stat the picture but not read it (the ACL is in place)', async () => {
    const acl = await run('smbcacls', [`//${domain.ip}/${SHARES.readonly}`, `${FOLDER}/${DENIED}`, '-U', `${domain.netbiosDomain}\\Administrator%${domain.adminPassword}`]);
    expect(acl).toMatch(/ACL:EXAMPLE\\bob:DENIED\/0x0\/0x00000001/);
    const bobSmb = ['-U', `${domain.netbiosDomain}\\bob%${DEMO_PASSWORD}`];
    const stat = await run('smbclient', [`//${domain.ip}/${SHARES.readonly}`, ...bobSmb, '-c', `allinfo "${FOLDER}/${DENIED}"`]);
    expect(stat).toMatch(/write_time:/);
    const get = await run('smbclient', [`//${domain.ip}/${SHARES.readonly}`, ...bobSmb, '-c', `get "${FOLDER}/${DENIED}" /dev/null`]).then(
      (out) => out,
      (err: unknown) => String(err),
    );
    expect(get).toMatch(/NT_STATUS_ACCESS_DENIED/);
    const page = await bob.get(`/browse/library/${encodeURIComponent(FOLDER)}/`);
    expect(page.status).toBe(200);
    expect(namesIn(page.text)).toEqual(expect.arrayContaining([DENIED, OPEN]));
  });

  it('alice gets the thumbnail (now cached); bob gets 403, also when he presents its ETag', async () => {
    const mine = await raw(alice, 'GET', thumb(DENIED));
    expect(mine.status).toBe(200);
    expect(mine.headers.get('content-type')).toBe('image/webp');
    const again = await raw(alice, 'GET', thumb(DENIED));
    expect(again.status).toBe(200);
    expect(again.body.equals(mine.body)).toBe(true);

    const his = await raw(bob, 'GET', thumb(DENIED), { Accept: 'application/json' });
    expect(his.status).toBe(403);
    expect(his.headers.get('content-type')).toMatch(/^application\/json/);
    expect(his.body.includes(mine.body.subarray(0, 64))).toBe(false);
    const conditional = await raw(bob, 'GET', thumb(DENIED), { 'If-None-Match': mine.headers.get('etag') ?? '' });
    expect(conditional.status).toBe(403);
    expect(conditional.headers.get('etag')).not.toBe(mine.headers.get('etag'));
    expect((await raw(bob, 'HEAD', thumb(DENIED))).status).toBe(403);
    expect((await raw(bob, 'GET', urlOf('download', 'library', FOLDER, DENIED))).status).toBe(403);
  });

  it('bob still gets thumbnails of pictures he may read, and nobody is told whether one came from the cache', async () => {
    expect((await raw(alice, 'GET', thumb(OPEN))).status).toBe(200);
    const his = await raw(bob, 'GET', thumb(OPEN));
    expect(his.status).toBe(200);
    expect(his.headers.get('content-type')).toBe('image/webp');
    expect(his.headers.get('x-thumbnail-cache')).toBeNull();
  });
});
