// Secure by default behind TLS (issue 10, items 4 and 5): the real app with NODE_ENV=production behind a proxy it
// trusts (TRUST_PROXY=loopback, X-Forwarded-Proto from 127.0.0.1), as a TLS-terminating proxy on the host runs it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_COOKIE, PRE_AUTH_COOKIE } from '../../../src/web/auth/csrf.js';
import { KEY_COOKIE, SESSION_COOKIE } from '../../../src/web/auth/session-data.js';
import { cookieNameFor } from '../../../src/web/cookie-policy.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import type { SetCookie } from '../../helpers/cookie-jar.js';
import { csrfTokenIn, signInOk } from '../../helpers/http-client.js';
import { startWebApp, type WebApp } from '../../helpers/web-app.js';

const https = { 'X-Forwarded-Proto': 'https' };
const secureName = (base: string): string => cookieNameFor(base, true);

/** What a browser demands of a __Host- cookie, plus the app's own HttpOnly and SameSite=Lax. */
function expectHostCookie(c: SetCookie | undefined, name: string): void {
  expect(c, name).toBeDefined();
  expect(c?.name, name).toMatch(/^__Host-/);
  expect(c?.attrs, name).toHaveProperty('secure');
  expect(c?.attrs.path, name).toBe('/');
  expect(c?.attrs, name).not.toHaveProperty('domain');
  expect(c?.attrs, name).toHaveProperty('httponly');
  expect(c?.attrs.samesite?.toLowerCase(), name).toBe('lax');
}

describe('NODE_ENV=production behind a trusted TLS proxy', () => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp(requireDomain(), { env: { NODE_ENV: 'production', TRUST_PROXY: 'loopback', LOGIN_MAX_PER_IP: '1000' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('defaults to Secure cookies', () => {
    expect(app.config.session.cookieSecure).toBe(true);
  });

  it('signs in with every cookie Secure and named __Host-, and never sets a plain-named one', async () => {
    const client = app.client();
    await signInOk(client, 'alice', DEMO_PASSWORD, { headers: https });
    for (const base of [SESSION_COOKIE, KEY_COOKIE, CSRF_COOKIE, PRE_AUTH_COOKIE]) expectHostCookie(client.jar.lastSet.get(secureName(base)), base);
    expect([...client.jar.lastSet.keys()].filter((n) => !n.startsWith('__Host-'))).toEqual([]);
    const home = await client.get('/browse/home/', { headers: https });
    expect(home.status).toBe(200);
    expect(home.text).toContain('Documents');
  });

  it('remembers the folder view in the user’s stored settings, with no cookie of its own', async () => {
    const client = app.client();
    await signInOk(client, 'alice', DEMO_PASSWORD, { headers: https });
    expect((await client.get('/browse/home/?view=grid', { headers: https })).status).toBe(200);
    expect([...client.jar.lastSet.keys()].filter((n) => n.includes('pc_browse'))).toEqual([]);
    // A new sign-in (another device) gets the grid without the query.
    const other = app.client();
    await signInOk(other, 'alice', DEMO_PASSWORD, { headers: https });
    expect((await other.get('/browse/home/', { headers: https })).text).toContain('class="pc-grid list-unstyled"');
    expect((await other.get('/browse/home/?view=list', { headers: https })).status).toBe(200);
  });

  it('signs out with deletions a browser honours for __Host- cookies (Secure, Path=/)', async () => {
    const client = app.client();
    await signInOk(client, 'alice', DEMO_PASSWORD, { headers: https });
    const page = await client.get('/browse/home/', { headers: https });
    const reply = await client.post('/logout', { _csrf: csrfTokenIn(page.text) }, { headers: https });
    expect(reply.status).toBe(303);
    for (const base of [SESSION_COOKIE, KEY_COOKIE]) {
      const deletion = reply.setCookies.find((c) => c.name === secureName(base));
      expectHostCookie(deletion, base);
      expect(Date.parse(deletion?.attrs.expires ?? '')).toBeLessThan(Date.now());
    }
    expect(client.jar.get(secureName(SESSION_COOKIE))).toBeUndefined();
    expect(client.jar.get(secureName(KEY_COOKIE))).toBeUndefined();
  });

  it('sends HSTS over HTTPS and not over plain HTTP', async () => {
    const overHttps = await app.client().get('/login', { headers: https });
    expect(overHttps.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    const overHttp = await app.client().get('/login');
    expect(overHttp.headers.get('strict-transport-security')).toBeNull();
  });

  it('over plain HTTP still sends no cookie without Secure', async () => {
    const client = app.client();
    const reply = await client.get('/login');
    expect(reply.setCookies.filter((c) => !('secure' in c.attrs))).toEqual([]);
  });
});

describe('X-Forwarded-Proto from an untrusted client', () => {
  let app: WebApp;
  beforeAll(async () => {
    // TRUST_PROXY names a proxy that is not the test client: its X-Forwarded-Proto must count for nothing.
    app = await startWebApp(requireDomain(), { env: { TRUST_PROXY: '192.0.2.250', LOGIN_MAX_PER_IP: '1000' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('neither makes the request HTTPS (no HSTS, no __Host- names) nor confuses the session cookie', async () => {
    const client = app.client();
    const page = await client.get('/login', { headers: https });
    expect(page.headers.get('strict-transport-security')).toBeNull();
    expect(client.jar.names().filter((n) => n.startsWith('__Host-'))).toEqual([]);
    await signInOk(client, 'alice', DEMO_PASSWORD, { headers: https });
    const sid = client.jar.lastSet.get(SESSION_COOKIE);
    expect(sid?.attrs).not.toHaveProperty('secure');
  });
});

describe('NODE_ENV=production with SESSION_COOKIE_SECURE=false', () => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp(requireDomain(), { env: { NODE_ENV: 'production', SESSION_COOKIE_SECURE: 'false', LOGIN_MAX_PER_IP: '1000' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('keeps the plain names and no Secure flag, as explicitly asked', async () => {
    const client = app.client();
    await signInOk(client, 'alice', DEMO_PASSWORD);
    for (const base of [SESSION_COOKIE, KEY_COOKIE, CSRF_COOKIE, PRE_AUTH_COOKIE]) {
      expect(client.jar.lastSet.get(base)?.attrs, base).not.toHaveProperty('secure');
    }
    expect(client.jar.names().filter((n) => n.startsWith('__Host-'))).toEqual([]);
  });
});
