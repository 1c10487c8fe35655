// "Connect to server" (issue 13): /servers/<host> lists an allowed server's shares as smbclient -L does, each
// browses at /browse/@<host>/<share>/, and a server that is not allowed is refused before any connection:
// the address its name maps to has a listener, which must see nothing.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE_SERVER_NAME, SHARES } from '../../fixtures/domain-data.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { namesIn, signedIn, startBrowseApp } from '../../helpers/browse.js';
import { csrfTokenIn, decodeEntities, type HttpClient } from '../../helpers/http-client.js';
import { cookieHeaders, postMultipart } from '../upload/helpers.js';
import { smbList } from '../../helpers/smbclient.js';
import type { WebApp } from '../../helpers/web-app.js';

/** Our port range (5300-5399): where the refused name points, and where an allowed but dead one does. */
const PROBE_PORT = 5320;
const CONTROL_PORT = 5321;

/** A TCP listener that counts connections and closes them at once. */
async function countingListener(port: number): Promise<{ server: Server; count: () => number }> {
  let n = 0;
  const server = createServer((s) => {
    n++;
    s.destroy();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, count: () => n };
}

const sharesIn = (html: string): { name: string; href: string }[] =>
  [...html.matchAll(/<li class="list-group-item" data-share="([^"]*)">\s*<a href="([^"]*)"/g)].map((m) => ({ name: decodeEntities(m[1] ?? ''), href: decodeEntities(m[2] ?? '') }));

describe('connect to server', () => {
  let domain: DomainInfo;
  let app: WebApp;
  let alice: HttpClient;
  let probe: Awaited<ReturnType<typeof countingListener>>;
  let control: Awaited<ReturnType<typeof countingListener>>;

  beforeAll(async () => {
    domain = requireDomain();
    probe = await countingListener(PROBE_PORT);
    control = await countingListener(CONTROL_PORT);
    app = await startBrowseApp(domain, {
      logLevel: 'warn',
      env: {
        SMB_HOST_MAP: `${FILE_SERVER_NAME}=${domain.ip}:445,probe.example.test=127.0.0.1:${PROBE_PORT},control.example.test=127.0.0.1:${CONTROL_PORT}`,
        SERVERS_ALLOWED: `${FILE_SERVER_NAME},control.example.test`,
      },
    });
    alice = await signedIn(app, 'alice');
  });
  afterAll(async () => {
    await app?.close();
    await new Promise((r) => probe?.server.close(r));
    await new Promise((r) => control?.server.close(r));
  });

  it('lists the shares smbclient -L lists for the user, $ shares left out, each a link that browses', async () => {
    const { stdout } = await promisify(execFile)('smbclient', ['-L', `//${domain.ip}`, '-U', `${domain.netbiosDomain}\\alice%${DEMO_PASSWORD}`, '-m', 'SMB3', '-g']);
    const expected = stdout.split('\n').filter((l) => l.startsWith('Disk|')).map((l) => l.split('|')[1] ?? '').filter((n) => !n.endsWith('$'));
    const page = await alice.get(`/servers/${FILE_SERVER_NAME}`);
    expect(page.status, page.text).toBe(200);
    const shares = sharesIn(page.text);
    expect(shares.map((s) => s.name).sort()).toEqual(expected.sort());
    expect(shares.map((s) => s.name)).toEqual(expect.arrayContaining(['netlogon', 'sysvol', ...Object.values(SHARES)]));
    expect(page.text).not.toContain('IPC$');
    const readonly = shares.find((s) => s.name === SHARES.readonly);
    expect(readonly?.href).toBe(`/browse/@${FILE_SERVER_NAME}/${SHARES.readonly}/`);

    const folder = await alice.get(readonly?.href ?? '');
    expect(folder.status).toBe(200);
    const onServer = (await smbList(domain, SHARES.readonly, '')).map((e) => e.name);
    expect(namesIn(folder.text).sort()).toEqual(onServer.filter((n) => !n.startsWith('.')).sort());
    // The no-JS form (GET /servers?host=) goes to the server's page.
    const bare = await alice.get(`/browse/@${FILE_SERVER_NAME}`);
    expect([bare.status, bare.location]).toEqual([303, `/servers/${FILE_SERVER_NAME}`]);
    const form = await alice.get(`/servers?host=${encodeURIComponent(`\\\\${FILE_SERVER_NAME}`)}`);
    expect([form.status, form.location]).toEqual([303, `/servers/${FILE_SERVER_NAME}`]);
  });

  it('refuses a server that is not allowed with 403, and no TCP connection reaches where its name points', async () => {
    const refused = [
      '/servers/probe.example.test',
      `/servers/127.0.0.1:${PROBE_PORT}`,
      '/servers/127.0.0.1',
      `/servers/${FILE_SERVER_NAME}:${PROBE_PORT}`,
      '/servers/0x7f000001',
      '/servers/probe.example.test%2Fx',
      `/browse/@probe.example.test/data/`,
      `/browse/@127.0.0.1:${PROBE_PORT}/data/`,
      `/download/@probe.example.test/data/file.txt`,
    ];
    for (const path of refused) {
      const res = await alice.get(path);
      expect(res.status, path).toBe(403);
      expect(res.text, path).toMatch(/not (allowed to connect to that server|a server name Portcullis can connect to)/);
    }
    expect(probe.count()).toBe(0);
    // The control: an allowed name pointing at a listener is connected to (so the listener would have seen one).
    const dead = await alice.get('/servers/control.example.test');
    expect(dead.status).toBe(503);
    expect(control.count()).toBeGreaterThan(0);
  });

  it('the usual machinery on a server share: upload (no-JS form), file page with its text, download', async () => {
    const folder = `servers-test-${randomBytes(4).toString('hex')}`;
    const base = `@${FILE_SERVER_NAME}/${SHARES.users}/alice`;
    const data = Buffer.from(`hello from ${folder}\n`);
    try {
      const csrf = csrfTokenIn((await alice.get(`/browse/${base}/`)).text);
      const up = await postMultipart(app.url, `/upload/${base}/${folder}/?mkdir=1`, { ...cookieHeaders(alice, csrf), Accept: 'text/html' }, [{ name: 'hello.txt', data }]);
      expect(up.status, up.text).toBe(303);
      expect(up.headers.location).toBe(`/browse/${base}/${folder}/`);
      expect(readFileSync(join(domain.homesDir, 'alice', folder, 'hello.txt'))).toEqual(data);
      const filePage = await alice.get(`/browse/${base}/${folder}/hello.txt`);
      expect(filePage.status).toBe(200);
      expect(filePage.text).toContain(`hello from ${folder}`);
      const download = await fetch(`${app.url}/download/${base}/${folder}/hello.txt`, { headers: { Cookie: alice.jar.header() } });
      expect(download.status).toBe(200);
      expect(Buffer.from(await download.arrayBuffer())).toEqual(data);
    } finally {
      rmSync(join(domain.homesDir, 'alice', folder), { recursive: true, force: true });
    }
  });

  it('bookmarks work for a server share: the folder page offers one, the menu lists it, and it opens the share', async () => {
    const drive = `@${FILE_SERVER_NAME}/${SHARES.readonly}`;
    const folder = await alice.get(`/browse/${drive}/`);
    expect(folder.status).toBe(200);
    expect(folder.text).toContain('Bookmark this folder');
    const added = await alice.post('/bookmarks', { _csrf: csrfTokenIn(folder.text), drive, path: '' });
    expect([added.status, added.location]).toEqual([303, `/browse/${drive}/`]);
    const listed = await alice.get('/bookmarks');
    const id = /data-bookmark-id="([^"]+)"/.exec(listed.text)?.[1];
    expect(id, listed.text).toBeDefined();
    const again = await alice.get(`/browse/${drive}/`);
    expect(again.text).toContain('Bookmarked');
    // The navbar's Bookmarks menu lists it.
    expect(again.text).toMatch(new RegExp(`class="dropdown-item text-truncate pc-bookmark-item" href="/bookmarks/${id ?? ''}"><i class="bi bi-bookmark" aria-hidden="true"></i> [^<]+</a>`));
    const open = await alice.get(`/bookmarks/${id ?? ''}`);
    expect([open.status, open.location]).toEqual([303, `/browse/${drive}/`]);
    const page = await alice.get(open.location ?? '');
    expect(page.status).toBe(200);
    expect(namesIn(page.text).sort()).toEqual((await smbList(domain, SHARES.readonly, '')).map((e) => e.name).filter((n) => !n.startsWith('.')).sort());
    const removed = await alice.post(`/bookmarks/${id ?? ''}/delete`, { _csrf: csrfTokenIn(listed.text) });
    expect(removed.status).toBe(303);
  });

  it('a share the user may not open is a clear 403 page, not a 500', async () => {
    // `shared` is staff-only on the disk; bob is not staff.
    const bob = await signedIn(app, 'bob');
    const page = await bob.get(`/browse/@${FILE_SERVER_NAME}/${SHARES.shared}/`);
    expect(page.status).toBe(403);
    expect(page.text).toContain('You do not have permission to open');
    expect(page.text).not.toMatch(/Reference:/);
    const missing = await bob.get(`/browse/@${FILE_SERVER_NAME}/no-such-share/`);
    expect(missing.status).toBe(404);
  });
});
