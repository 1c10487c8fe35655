// Issue 15, "refused authentication is a clear page, never a 500": NTLM switched off on the DC (the fixture's switch,
// as an admin would: `ntlm auth = disabled` and a config reload), through the real app and the real CLI.
// Before: alice's /download/home/Welcome.txt answered 500 (STATUS_NTLM_BLOCKED was an unknown SmbError).
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainInfo } from '../../fixtures/domain.js';
import { dropServerConnections } from '../../fixtures/faults.js';
import { setNtlm } from '../../fixtures/kerberos.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { csrfTokenIn, decodeEntities, type HttpClient, signIn, signInOk } from '../../helpers/http-client.js';
import { startWebApp, type WebApp } from '../../helpers/web-app.js';
import { jsonRequest } from '../ops/helpers.js';
import { cookieHeaders, postMultipart } from '../upload/helpers.js';

const REFUSED = 'The file server refused this sign-in method.';
const ROOT = new URL('../../../', import.meta.url).pathname;
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

let domain: DomainInfo;
/** Forced to NTLM (SMB_AUTH=ntlm): what every session was before Kerberos, and what a refusal looks like. */
let app: WebApp;
/** The default, SMB_AUTH=auto: Kerberos when the session has a TGT. */
let autoApp: WebApp;

beforeAll(async () => {
  domain = requireDomain();
  app = await startWebApp(domain, { env: { LOGIN_MAX_PER_IP: '1000', SMB_AUTH: 'ntlm' }, logLevel: 'info' });
  autoApp = await startWebApp(domain, { env: { LOGIN_MAX_PER_IP: '1000' }, logLevel: 'info' });
});
afterAll(async () => {
  // Even after a failure: later test files expect the DC's default (NTLMv2 accepted).
  if (domain !== undefined) await setNtlm(domain, true);
  await app?.close();
  await autoApp?.close();
});

const welcome = (): string => readFileSync(join(domain.homesDir, 'alice', 'Welcome.txt'), 'utf8');
const logLines = (from: WebApp = app): { level?: string; message?: string }[] => from.logs.map((l) => JSON.parse(l) as { level?: string; message?: string });

describe('NTLM switched off on the DC, default settings (SMB_AUTH=auto)', () => {
  it('a session signed in before the switch reconnects with Kerberos: download and upload keep working, by checksum', async () => {
    await setNtlm(domain, true);
    const alice = autoApp.client();
    await signInOk(alice, 'alice', DEMO_PASSWORD);
    expect((await alice.get('/download/home/Welcome.txt')).text).toBe(welcome());
    const csrf = csrfTokenIn((await alice.get('/browse/home/')).text);

    await setNtlm(domain, false);
    await dropServerConnections(domain);
    const download = await alice.get('/download/home/Welcome.txt');
    expect(download.status, download.text.slice(0, 300)).toBe(200);
    expect(download.text).toBe(welcome());
    const name = `kerberos-upload-${process.pid}.bin`;
    const data = randomBytes(300_000);
    try {
      const upload = await postMultipart(autoApp.url, '/upload/home/', cookieHeaders(alice, csrf), [{ name, data }]);
      expect(upload.status, JSON.stringify(upload.json)).toBeLessThan(300);
      const back = await fetch(new URL(`/download/home/${encodeURIComponent(name)}`, autoApp.url), { headers: { Cookie: alice.jar.header() } });
      expect(back.status).toBe(200);
      expect(sha256(Buffer.from(await back.arrayBuffer()))).toBe(sha256(data));
    } finally {
      rmSync(join(domain.homesDir, 'alice', name), { force: true });
    }
    // A new sign-in while NTLM is off works too.
    const bob = autoApp.client();
    await signInOk(bob, 'bob', DEMO_PASSWORD);
    expect((await bob.get('/browse/home/')).status).toBe(200);
    expect(logLines(autoApp).filter((l) => l.level === 'error')).toEqual([]);
  });

  it('portcullis smb ls works with --kerberos', async () => {
    await setNtlm(domain, false);
    const r = await runCli(['ls', `//${domain.ip}/${domain.shares.users}/alice`, '--user', `alice@${domain.realm.toLowerCase()}`, '--kerberos', '--server-name', domain.fileServerName]);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('NTLM switched off on the DC, SMB_AUTH=ntlm', () => {
  it("a signed-in user's download, folder page, upload and API say the file server refused the sign-in method (502), then work again in the same session", async () => {
    await setNtlm(domain, true);
    const alice = app.client();
    await signInOk(alice, 'alice', DEMO_PASSWORD);
    const before = await alice.get('/download/home/Welcome.txt');
    expect(before.status).toBe(200);
    expect(before.text).toBe(welcome());
    const csrf = csrfTokenIn((await alice.get('/browse/home/')).text);

    await setNtlm(domain, false);
    // Her open connection goes (an idle close or a server restart would do the same): the pool must set up anew.
    await dropServerConnections(domain);
    const download = await alice.get('/download/home/Welcome.txt');
    expect(download.status, download.text.slice(0, 300)).toBe(502);
    expect(decodeEntities(download.text)).toContain(REFUSED);
    const folder = await alice.get('/browse/home/');
    expect(folder.status).toBe(502);
    expect(decodeEntities(folder.text)).toContain(REFUSED);
    const json = await alice.get('/download/home/Welcome.txt', { headers: { Accept: 'application/json' } });
    expect(JSON.parse(json.text)).toMatchObject({ error: { status: 502, code: 'auth_method_refused', message: expect.stringContaining(REFUSED) } });
    const upload = await postMultipart(app.url, '/upload/home/', cookieHeaders(alice, csrf), [{ name: 'refused.txt', data: Buffer.from('x') }]);
    expect(upload.status).toBe(502);
    expect(upload.json).toMatchObject({ error: { code: 'auth_method_refused' } });
    const mkdir = await jsonRequest(new URL('/api/files/mkdir', app.url), 'POST', { Cookie: alice.jar.header(), 'X-CSRF-Token': csrf }, { drive: 'home', path: '', name: 'refused' });
    expect(mkdir.status).toBe(502);
    expect(mkdir.json).toMatchObject({ error: { code: 'auth_method_refused' } });
    // Not signed out: her password was never judged.
    expect(folder.location).toBeUndefined();
    // A warning for the admin, no "unexpected error" (which would also mail the admins).
    expect(logLines().filter((l) => l.level === 'warn' && l.message === 'file server refused the sign-in method').length).toBeGreaterThanOrEqual(5);
    expect(logLines().filter((l) => l.level === 'error')).toEqual([]);

    await setNtlm(domain, true);
    const after = await alice.get('/download/home/Welcome.txt');
    expect(after.status).toBe(200);
    expect(after.text).toBe(welcome());
  });

  it('signing in still works through LDAP, and the first page explains instead of failing', async () => {
    await setNtlm(domain, false);
    const bob = app.client();
    const reply = await signIn(bob, 'bob', DEMO_PASSWORD);
    expect(reply.status).toBe(303);
    const home = await followRedirects(bob, reply.location ?? '/');
    expect(home.status).toBe(502);
    expect(decodeEntities(home.text)).toContain(REFUSED);
    expect(logLines().filter((l) => l.level === 'error')).toEqual([]);
  });

  it('portcullis smb ls fails with exit 4 and one line naming the refused method', async () => {
    await setNtlm(domain, false);
    const r = await runCli(['ls', `//${domain.ip}/${domain.shares.users}/alice`, '--user', `${domain.netbiosDomain}\\alice`]);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr.trim().split('\n')).toEqual([`portcullis smb: the file server refused this sign-in method (NTLM): ${domain.netbiosDomain}\\alice (STATUS_NTLM_BLOCKED)`]);
  });
});

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function followRedirects(client: HttpClient, location: string): Promise<Awaited<ReturnType<HttpClient['get']>>> {
  let reply = await client.get(location);
  for (let hops = 0; reply.status === 303 && reply.location !== undefined && hops < 5; hops++) reply = await client.get(reply.location);
  return reply;
}

function runCli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'src', 'cli.ts'), 'smb', ...args], {
      cwd: ROOT,
      env: { ...process.env, PORTCULLIS_PASSWORD: domain.password },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}
