// Login CSRF (issue 10, item 4): tokens issued before sign-in are bound to a random pre-authentication id in
// the browser's own cookie, so a token and cookie pair minted in one browser (the attacker's) is worthless in
// another, and over HTTPS every cookie is __Host-, which a sibling subdomain cannot set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_COOKIE, PRE_AUTH_COOKIE } from '../../../src/web/auth/csrf.js';
import { SESSION_COOKIE } from '../../../src/web/auth/session-data.js';
import { cookieNameFor } from '../../../src/web/cookie-policy.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { csrfTokenIn, type HttpClient, signInOk } from '../../helpers/http-client.js';
import { startWebApp, type WebApp } from '../../helpers/web-app.js';

/** The sign-in page as `client` sees it: its form's token and the cookies it was given. */
async function loginPage(client: HttpClient, secure: boolean, headers: Record<string, string> = {}) {
  const page = await client.get('/login', { headers });
  expect(page.status).toBe(200);
  return {
    token: csrfTokenIn(page.text),
    preAuth: client.jar.get(cookieNameFor(PRE_AUTH_COOKIE, secure)),
    csrfCookie: client.jar.get(cookieNameFor(CSRF_COOKIE, secure)),
  };
}

const credentials = { username: 'bob', password: DEMO_PASSWORD, next: '' };

describe('login CSRF over plain HTTP', () => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp(requireDomain(), { env: { LOGIN_MAX_PER_IP: '1000' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('gives every browser its own random pre-authentication id, and tokens that differ', async () => {
    const a = await loginPage(app.client(), false);
    const b = await loginPage(app.client(), false);
    expect(a.preAuth).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(b.preAuth).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.preAuth).not.toBe(b.preAuth);
    expect(a.token).not.toBe(b.token);
  });

  it('the pre-authentication cookie is HttpOnly, SameSite=Lax, Path=/ and lives only for the browser session', async () => {
    const client = app.client();
    await client.get('/login');
    const set = client.jar.lastSet.get(PRE_AUTH_COOKIE);
    expect(set?.attrs).toHaveProperty('httponly');
    expect(set?.attrs.samesite?.toLowerCase()).toBe('lax');
    expect(set?.attrs.path).toBe('/');
    expect(set?.attrs).not.toHaveProperty('max-age');
    expect(set?.attrs).not.toHaveProperty('expires');
    // A second visit keeps the id (and the token), so two open sign-in tabs both work.
    const again = await loginPage(client, false);
    expect(again.preAuth).toBe(set?.value);
  });

  it("refuses another browser's token and CSRF cookie, planted beside the victim's own pre-authentication id", async () => {
    const attacker = await loginPage(app.client(), false);
    const victim = app.client();
    await loginPage(victim, false);
    // What a sibling subdomain can do over plain HTTP: set a Domain= cookie with the attacker's CSRF value.
    victim.jar.set(CSRF_COOKIE, attacker.csrfCookie ?? '');
    const reply = await victim.post('/login', { _csrf: attacker.token, ...credentials });
    expect(reply.status).toBe(403);
    expect(reply.text).toContain('This form has expired or was not sent from this site');
    expect(victim.jar.get(SESSION_COOKIE)).toBeUndefined();
  });

  it('refuses a token and CSRF cookie without any pre-authentication id', async () => {
    const attacker = await loginPage(app.client(), false);
    const victim = app.client();
    victim.jar.set(CSRF_COOKIE, attacker.csrfCookie ?? '');
    expect((await victim.post('/login', { _csrf: attacker.token, ...credentials })).status).toBe(403);
  });

  it('the browser that got the page signs in with its own token', async () => {
    await signInOk(app.client(), 'bob', DEMO_PASSWORD);
  });

  it('once signed in, tokens bind to the session: the sign-in page token no longer works', async () => {
    const client = app.client();
    const before = await loginPage(client, false);
    await client.post('/login', { _csrf: before.token, ...credentials });
    // The CSRF cookie from before sign-in is still in the jar; with the token it was minted with, it is stale now.
    client.jar.set(CSRF_COOKIE, before.csrfCookie ?? '');
    expect((await client.post('/logout', { _csrf: before.token })).status).toBe(403);
    const page = await client.get('/browse/home/');
    expect(page.status).toBe(200);
    expect((await client.post('/logout', { _csrf: csrfTokenIn(page.text) })).status).toBe(303);
  });
});

describe('login CSRF over HTTPS (production behind a trusted proxy)', () => {
  const https = { 'X-Forwarded-Proto': 'https' };
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp(requireDomain(), { env: { NODE_ENV: 'production', TRUST_PROXY: 'loopback', LOGIN_MAX_PER_IP: '1000' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('names the pre-authentication and CSRF cookies __Host- (Secure, Path=/, no Domain)', async () => {
    const client = app.client();
    const page = await loginPage(client, true, https);
    expect(page.preAuth).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const name of [PRE_AUTH_COOKIE, CSRF_COOKIE].map((n) => cookieNameFor(n, true))) {
      const set = client.jar.lastSet.get(name);
      expect(set?.attrs, name).toHaveProperty('secure');
      expect(set?.attrs.path, name).toBe('/');
      expect(set?.attrs, name).not.toHaveProperty('domain');
    }
    expect(client.jar.names().filter((n) => !n.startsWith('__Host-'))).toEqual([]);
  });

  it('ignores the plain-named cookies a sibling subdomain can plant, even with a matching token', async () => {
    // The attacker loads the sign-in page in their own browser and carries the whole set over to the victim,
    // under the names a sibling host can set (it can set no __Host- cookie).
    const attackerBrowser = app.client();
    const attacker = await loginPage(attackerBrowser, true, https);
    // Whatever the app named them, the attacker copies the values.
    const valueOf = (base: string): string | undefined => attackerBrowser.jar.get(cookieNameFor(base, true)) ?? attackerBrowser.jar.get(base);
    const csrfCookie = valueOf(CSRF_COOKIE);
    expect(csrfCookie).toBeDefined();
    const victim = app.client();
    victim.jar.set(PRE_AUTH_COOKIE, valueOf(PRE_AUTH_COOKIE) ?? '');
    victim.jar.set(CSRF_COOKIE, csrfCookie ?? '');
    const reply = await victim.post('/login', { _csrf: attacker.token, ...credentials }, { headers: https });
    expect(reply.status).toBe(403);
    expect(victim.jar.names().some((n) => n.includes('portcullis.sid'))).toBe(false);
  });
});
