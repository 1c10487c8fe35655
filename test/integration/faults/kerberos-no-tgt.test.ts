// Issue 15: SMB_AUTH=kerberos and a session that holds no TGT (here: signed in while the app ran with SMB_AUTH=ntlm,
// then the admin switched to Kerberos-only and restarted on the same session store). Before: every folder page and
// download answered 500 (an SmbProtocolError "no Kerberos credential"); now the same clear 502 as NTLM refused.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainInfo } from '../../fixtures/domain.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { decodeEntities, HttpClient, signInOk } from '../../helpers/http-client.js';
import { startWebApp, tempDataDir, type WebApp } from '../../helpers/web-app.js';

const REFUSED = 'The file server refused this sign-in method.';

let domain: DomainInfo;
let dataDir: string;
let app: WebApp | undefined;

beforeAll(() => {
  domain = requireDomain();
  dataDir = tempDataDir('portcullis-krb-no-tgt-');
});
afterAll(async () => {
  await app?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('SMB_AUTH=kerberos, a session without a TGT', () => {
  it('folder page, download and JSON say the file server refused this sign-in method (502), without signing out', async () => {
    app = await startWebApp(domain, { dataDir, env: { SMB_AUTH: 'ntlm' }, logLevel: 'info' });
    const alice = app.client();
    await signInOk(alice, 'alice', DEMO_PASSWORD);
    expect((await alice.get('/browse/home/')).status).toBe(200);
    await app.close();

    app = await startWebApp(domain, { dataDir, env: { SMB_AUTH: 'kerberos' }, logLevel: 'info' });
    // The same browser (her cookie jar) against the restarted app.
    const again = new HttpClient(app.url, alice.jar);
    const folder = await again.get('/browse/home/');
    expect(folder.status, folder.text.slice(0, 300)).toBe(502);
    expect(decodeEntities(folder.text)).toContain(REFUSED);
    // Still signed in (no redirect to the login page): the password was never judged.
    expect(folder.location).toBeUndefined();
    const download = await again.get('/download/home/Welcome.txt');
    expect(download.status, `${download.location ?? ''} ${download.text.slice(0, 200)}`).toBe(502);
    const json = await again.get('/download/home/Welcome.txt', { headers: { Accept: 'application/json' } });
    expect(JSON.parse(json.text)).toMatchObject({ error: { status: 502, code: 'auth_method_refused' } });
    const lines = app.logs.map((l) => JSON.parse(l) as { level?: string; message?: string });
    expect(lines.filter((l) => l.level === 'warn' && l.message === 'file server refused the sign-in method').length).toBeGreaterThanOrEqual(3);
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
  });
});
