// Section 3 of issue 15 over HTTP: a password sign-in obtains the TGT and keeps it sealed; with SMB_AUTH=kerberos the
// file server is reached with Kerberos only (no NTLM fallback exists in that mode), for alice and for manygroups' big PAC.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTgt } from '../../../src/auth/index.js';
import { decodeCredentials } from '../../../src/krb/index.js';
import { KEY_COOKIE } from '../../../src/web/auth/session-data.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { signInOk } from '../../helpers/http-client.js';
import { startWebApp, tempDataDir, type WebApp } from '../../helpers/web-app.js';

describe('password sign-in keeps a sealed TGT; SMB_AUTH=kerberos reaches the file server with it', () => {
  const domain = requireDomain();
  const dataDir = tempDataDir('portcullis-krb-web-');
  let app: WebApp;

  beforeAll(async () => {
    app = await startWebApp(domain, { dataDir, env: { SMB_AUTH: 'kerberos', LOGIN_MAX_PER_IP: '1000' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('alice downloads Welcome.txt over a Kerberos session; the store holds only the sealed TGT', async () => {
    const client = app.client();
    await signInOk(client, 'alice', DEMO_PASSWORD);
    const res = await client.get('/download/home/Welcome.txt');
    expect(res.status).toBe(200);
    const onDisk = readFileSync(join(domain.homesDir, 'alice', 'Welcome.txt'));
    expect(createHash('sha256').update(Buffer.from(res.text, 'utf8')).digest('hex')).toBe(createHash('sha256').update(onDisk).digest('hex'));

    const db = new Database(join(dataDir, 'sessions.sqlite'), { readonly: true, fileMustExist: true });
    const rows = db.prepare('SELECT sess FROM sessions').all() as { sess: string }[];
    db.close();
    const sess = rows.map((r) => JSON.parse(r.sess) as { user?: { username: string }; sealedTgt?: string }).find((s) => s.user?.username === 'alice');
    expect(sess?.sealedTgt).toBeDefined();
    // The store alone does not hold the ticket's session key: it opens only with the key cookie.
    const key = decodeURIComponent(client.jar.get(KEY_COOKIE) ?? '');
    const tgt = decodeCredentials(openTgt(sess!.sealedTgt!, key, 'alice'));
    expect(tgt.ticket.sname.parts).toEqual(['krbtgt', domain.realm]);
    expect(JSON.stringify(rows)).not.toContain(tgt.sessionKey.value.toString('base64'));
    expect(() => openTgt(sess!.sealedTgt!, key, 'bob')).toThrow();
  });

  it('manygroups (250 groups in the PAC) signs in and lists the home drive over Kerberos', async () => {
    const client = app.client();
    await signInOk(client, 'manygroups', DEMO_PASSWORD);
    const res = await client.get('/browse/home/');
    expect(res.status).toBe(200);
  });
});
