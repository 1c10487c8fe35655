// startDelegatedSession (issue 15 section 4), the entry point both single sign-on front doors end in: a session
// without a password whose SMB sessions get cifs/ tickets by S4U2Self + S4U2Proxy with the service's keytab.
// The test's own route stands in for the front door (OIDC's callback, Negotiate), naming the user it "proved".
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDelegatedSession } from '../../../src/web/auth/delegated-session.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { SERVICE_ACCOUNT } from '../../fixtures/domain-data.js';
import { alertIn, listedNames } from '../../helpers/http-client.js';
import { startWebApp, tempDataDir, type WebApp } from '../../helpers/web-app.js';

describe('startDelegatedSession: a session by Kerberos delegation, no password', () => {
  const domain = requireDomain();
  const dataDir = tempDataDir('portcullis-sso-');
  let app: WebApp;

  beforeAll(async () => {
    app = await startWebApp(domain, {
      dataDir,
      env: {
        AUTH_METHODS: 'password,oidc',
        KRB_SERVICE_PRINCIPAL: SERVICE_ACCOUNT,
        KRB_KEYTAB: domain.kerberos.keytab,
        SMB_AUTH: 'auto',
        // oidc needs a provider configured; this test's own route stands in for it, so it is never contacted.
        OIDC_ISSUER: 'https://idp.example.invalid/',
        OIDC_CLIENT_ID: 'portcullis',
        OIDC_CLIENT_SECRET: 'never-used',
      },
      mount: (express) =>
        express.get('/test-sso/:user', (req, res, next) => {
          startDelegatedSession(req, res, String(req.params.user), 'oidc').then(() => res.redirect(303, '/browse/home/'), next);
        }),
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  it("alice: her home is listed over Kerberos by delegation; the store holds no key of hers", async () => {
    const client = app.client();
    const start = await client.get('/test-sso/alice');
    expect(start.status).toBe(303);
    const page = await client.get('/browse/home/');
    expect(page.status).toBe(200);
    const onDisk = readFileSync(join(domain.homesDir, 'alice', 'Welcome.txt'), 'utf8');
    expect(listedNames(page.text)).toContain('Welcome.txt');
    const file = await client.get('/download/home/Welcome.txt');
    expect(file.status).toBe(200);
    expect(file.text).toBe(onDisk);
    // SMB_AUTH=auto, yet a delegated session never tries NTLM (it has no key for it): no fallback was even considered.
    expect(app.logs.filter((l) => l.includes('NTLMv2 instead'))).toEqual([]);

    const db = new Database(join(dataDir, 'sessions.sqlite'), { readonly: true, fileMustExist: true });
    const rows = db.prepare('SELECT sess FROM sessions').all() as { sess: string }[];
    db.close();
    const sess = rows.map((r) => JSON.parse(r.sess) as Record<string, unknown> & { user?: { username: string; groups: string[] } }).find((s) => s.user?.username === 'alice');
    expect(sess).toBeDefined();
    expect(sess!.sealedCredential).toBeUndefined();
    expect(sess!.sealedTgt).toBeUndefined();
    expect(sess!.delegated).toMatchObject({ method: 'oidc' });
    expect(JSON.stringify(rows)).not.toContain(DEMO_PASSWORD);
    // Same shape as a password sign-in: groups and the home directory from AD.
    expect(sess!.user!.groups.length).toBeGreaterThan(0);
  });

  it('the session cookie without its key cookie is no sign-in (the split-key rule holds for single sign-on too)', async () => {
    const client = app.client();
    await client.get('/test-sso/alice');
    const copied = client.copy(['portcullis.sid']);
    const res = await copied.get('/browse/home/');
    expect(res.status).toBe(303);
    expect(res.location).toMatch(/^\/login/);
  });

  it('manygroups (250 groups) gets the same: drives from AD, home listed', async () => {
    const client = app.client();
    expect((await client.get('/test-sso/manygroups')).status).toBe(303);
    const page = await client.get('/browse/home/');
    expect(page.status).toBe(200);
  });

  it('nina ("sensitive and cannot be delegated") gets a clear 403 page, not a 500, and no session', async () => {
    const client = app.client();
    const res = await client.get('/test-sso/nina');
    expect(res.status).toBe(403);
    expect(alertIn(res.text) ?? res.text).toMatch(/cannot be used with single sign-on/);
    const after = await client.get('/browse/home/');
    expect(after.status).toBe(303);
    expect(app.logs.some((l) => l.includes('single sign-on refused') && l.includes('"user":"nina"') && l.includes('not_delegatable'))).toBe(true);
  });

  it('a disabled account (dave) is refused by the KDC at S4U2Self: 401 saying so, no session', async () => {
    const client = app.client();
    const res = await client.get('/test-sso/dave');
    expect(res.status).toBe(401);
    expect(alertIn(res.text) ?? res.text).toMatch(/disabled/);
    expect((await client.get('/browse/home/')).status).toBe(303);
  });

  it('an account AD does not have is a 401, not a 500', async () => {
    const res = await app.client().get('/test-sso/nobody-here');
    expect(res.status).toBe(401);
  });
});

describe('single sign-on honours the per-instance session cap (SESSIONS_MAX_ACTIVE=2)', () => {
  const domain = requireDomain();
  let app: WebApp;

  beforeAll(async () => {
    app = await startWebApp(domain, {
      env: {
        AUTH_METHODS: 'password,oidc',
        KRB_SERVICE_PRINCIPAL: SERVICE_ACCOUNT,
        KRB_KEYTAB: domain.kerberos.keytab,
        OIDC_ISSUER: 'https://idp.example.invalid/',
        OIDC_CLIENT_ID: 'portcullis',
        OIDC_CLIENT_SECRET: 'never-used',
        SESSIONS_MAX_ACTIVE: '2',
      },
      mount: (express) =>
        express.get('/test-sso/:user', (req, res, next) => {
          startDelegatedSession(req, res, String(req.params.user), 'oidc').then(() => res.redirect(303, '/browse/home/'), next);
        }),
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a refused sign-in gives its place back; two get in; the third gets 503 with Retry-After', async () => {
    expect((await app.client().get('/test-sso/nina')).status).toBe(403);
    const alice = app.client();
    const bob = app.client();
    expect((await alice.get('/test-sso/alice')).status).toBe(303);
    expect((await bob.get('/test-sso/bob')).status).toBe(303);
    const third = await app.client().get('/test-sso/manygroups');
    expect(third.status).toBe(503);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(5);
    expect(alertIn(third.text) ?? third.text).toMatch(/as many people signed in as it can serve/);
    // Those inside keep working.
    expect((await alice.get('/browse/home/')).status).toBe(200);
    expect(app.services.activeSessions.count).toBe(2);
  });
});
