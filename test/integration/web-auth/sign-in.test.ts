// Issue 4 end to end over HTTP: the real app (in process, ephemeral port) against the real Samba AD DC.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVALID_CREDENTIALS_MESSAGE } from '../../../src/auth/errors.js';
import { KEY_COOKIE, SESSION_COOKIE } from '../../../src/web/auth/session-data.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { alertIn, csrfTokenIn, HttpClient, listedNames, menuDrives, signIn, signInOk, signOut } from '../../helpers/http-client.js';
import { startWebApp, type WebApp } from '../../helpers/web-app.js';
import { CSRF_COOKIE } from '../../../src/web/auth/csrf.js';
import { cookieNameFor } from '../../../src/web/cookie-policy.js';

/** Over HTTPS every cookie carries the __Host- prefix. */
const SECURE_NAMES = [SESSION_COOKIE, KEY_COOKIE, CSRF_COOKIE].map((name) => cookieNameFor(name, true));

/** How long a cookie lives, from Max-Age or Expires (express-session sends only Expires); undefined: a browser-session cookie. */
function lifetimeSeconds(client: HttpClient, name: string): number | undefined {
  const attrs = client.jar.lastSet.get(name)?.attrs ?? {};
  if (attrs['max-age'] !== undefined) return Number(attrs['max-age']);
  if (attrs.expires !== undefined) return Math.round((Date.parse(attrs.expires) - Date.now()) / 1000);
  return undefined;
}

/** express-session's cookie is `s:<id>.<signature>`, percent-encoded. */
function sessionIdOf(client: HttpClient): string | undefined {
  const raw = client.jar.get(SESSION_COOKIE);
  if (raw === undefined) return undefined;
  const value = decodeURIComponent(raw);
  return value.startsWith('s:') ? value.slice(2, value.lastIndexOf('.')) : value;
}

describe('sign-in, sessions and drives over HTTP', () => {
  let domain: DomainInfo;
  let app: WebApp;

  beforeAll(async () => {
    domain = requireDomain();
    // The per-IP limit counts every sign-in from 127.0.0.1; this file signs in often. throttle.test.ts tests the limits.
    app = await startWebApp(domain, { env: { LOGIN_MAX_PER_IP: '1000' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('alice signs in, lands on her home drive and sees My home, Shared and Library', async () => {
    const client = app.client();
    const reply = await signInOk(client, 'alice', DEMO_PASSWORD);
    expect(reply.location).toBe('/');
    const root = await client.get('/');
    expect(root.status).toBe(303);
    expect(root.location).toBe('/browse/home/');
    const home = await client.get('/browse/home/');
    expect(home.status).toBe(200);
    expect(menuDrives(home.text)).toEqual(['My home', 'Shared', 'Library']);
    expect(listedNames(home.text)).toEqual(expect.arrayContaining(['Documents', 'Pictures']));
    const shared = await client.get('/browse/shared/');
    expect(shared.status).toBe(200);
    expect(listedNames(shared.text)).toContain('Projects');
  });

  it("bob's menu has no Shared, and a forged /browse/shared/ is refused by the file server (403)", async () => {
    const client = app.client();
    await signInOk(client, 'bob', DEMO_PASSWORD);
    const home = await client.get('/browse/home/');
    expect(home.status).toBe(200);
    expect(menuDrives(home.text)).toEqual(['My home', 'Library']);
    const forged = await client.get('/browse/shared/');
    expect(forged.status).toBe(403);
    expect(forged.text).not.toContain('Projects');
    // Still signed in afterwards: a refusal is not a sign-out.
    expect((await client.get('/browse/home/')).status).toBe(200);
  });

  it.each([
    ['carol', 'carol'],
    ['jürgen', 'jürgen'],
    ['EXAMPLE\\jürgen', 'jürgen'],
    ['jürgen@example.test', 'jürgen'],
    ['manygroups', 'manygroups'],
  ])('%s signs in and lists the home drive', async (typed, username) => {
    const client = app.client();
    await signInOk(client, typed, DEMO_PASSWORD);
    const home = await client.get('/browse/home/');
    expect(home.status).toBe(200);
    expect(listedNames(home.text)).toContain('Documents');
    expect(home.text).toContain(`title="${username}"`);
    const docs = await client.get('/browse/home/Documents/');
    expect(docs.status).toBe(200);
    expect(listedNames(docs.text)).toEqual(expect.arrayContaining(['Essay draft.txt', 'Timetable.pdf']));
  });

  it("manygroups' 250 groups make a session of about 10 KB, kept server-side", async () => {
    const client = app.client();
    await signInOk(client, 'manygroups', DEMO_PASSWORD);
    const id = sessionIdOf(client);
    expect(id).toBeDefined();
    const store = app.services.sessions.store;
    const data = await new Promise<unknown>((resolve, reject) => store.get(id ?? '', (err, s) => (err ? reject(err) : resolve(s))));
    const size = JSON.stringify(data).length;
    expect(size).toBeGreaterThan(8_000);
    // The cookies stay small.
    expect(client.jar.header().length).toBeLessThan(400);
  });

  it('a wrong password and an unknown user get the identical message and status', async () => {
    const wrong = await signIn(app.client(), 'alice', 'not-the-password');
    const unknown = await signIn(app.client(), 'nobody-by-this-name', 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(wrong.status);
    expect(alertIn(wrong.text)).toBe(INVALID_CREDENTIALS_MESSAGE);
    expect(alertIn(unknown.text)).toBe(alertIn(wrong.text));
    // The pages differ only in the username typed back, the CSRF token and the rotated login background (which
    // changes on every visit, whatever was typed).
    const strip = (html: string): string =>
      html
        .replace(/name="_csrf" value="[^"]*"/, '')
        .replace(/value="(alice|nobody-by-this-name)"/, '')
        .replace(/pc-login-bg-\d+/, '');
    expect(strip(unknown.text)).toBe(strip(wrong.text));
    expect(wrong.setCookies.map((c) => c.name)).not.toContain(KEY_COOKIE);
  });

  it.each([
    ['dave', /disabled/],
    ['erin', /must change your password/],
    ['frank', /account has expired/],
  ])('%s gets a message of its own', async (username, message) => {
    const reply = await signIn(app.client(), username, DEMO_PASSWORD);
    expect(reply.status).toBe(401);
    const text = alertIn(reply.text) ?? '';
    expect(text).toMatch(message);
    expect(text).not.toBe(INVALID_CREDENTIALS_MESSAGE);
    expect(reply.setCookies.map((c) => c.name)).not.toContain(KEY_COOKIE);
  });

  it('an empty password is refused without signing in', async () => {
    const client = app.client();
    const reply = await signIn(client, 'alice', '');
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.status).toBeLessThan(500);
    expect(alertIn(reply.text)).toBeTruthy();
    expect(client.jar.get(KEY_COOKIE)).toBeUndefined();
    expect((await client.get('/browse/home/')).location).toMatch(/^\/login/);
  });

  describe('CSRF', () => {
    it('POST /login without a token, or with a wrong one, is refused (403) and signs nobody in', async () => {
      const client = app.client();
      const page = await client.get('/login');
      const token = csrfTokenIn(page.text);
      const none = await client.post('/login', { username: 'alice', password: DEMO_PASSWORD });
      expect(none.status).toBe(403);
      const wrong = await client.post('/login', { _csrf: `${token.slice(0, -4)}abcd`, username: 'alice', password: DEMO_PASSWORD });
      expect(wrong.status).toBe(403);
      // A token without its cookie (another browser's) is no good either.
      const stranger = new HttpClient(app.url);
      expect((await stranger.post('/login', { _csrf: token, username: 'alice', password: DEMO_PASSWORD })).status).toBe(403);
      for (const c of [client, stranger]) {
        expect(c.jar.get(KEY_COOKIE)).toBeUndefined();
        expect((await c.get('/browse/home/')).location).toMatch(/^\/login/);
      }
    });

    it('POST /logout without a token, or with a wrong one, is refused (403) and the session goes on', async () => {
      const client = app.client();
      await signInOk(client, 'alice', DEMO_PASSWORD);
      const page = await client.get('/browse/home/');
      const token = csrfTokenIn(page.text);
      expect((await client.post('/logout', {})).status).toBe(403);
      expect((await client.post('/logout', { _csrf: `${token.slice(0, -4)}abcd` })).status).toBe(403);
      // The anonymous token of a sign-in page does not work for a signed-in session.
      const anonymous = csrfTokenIn((await app.client().get('/login')).text);
      expect((await client.post('/logout', { _csrf: anonymous })).status).toBe(403);
      expect((await client.get('/browse/home/')).status).toBe(200);
    });
  });

  it('the session id after sign-in differs from any before it; a planted session is worthless', async () => {
    // The attacker signs in as bob and plants bob's cookies in the victim's browser.
    const attacker = app.client();
    await signInOk(attacker, 'bob', DEMO_PASSWORD);
    const planted = sessionIdOf(attacker);
    const victim = attacker.copy();
    const before = new Set<string | undefined>([planted]);
    const page = await victim.get('/browse/home/');
    before.add(sessionIdOf(victim));
    const reply = await victim.post('/login', { _csrf: csrfTokenIn(page.text), username: 'alice', password: DEMO_PASSWORD, next: '' });
    expect(reply.status).toBe(303);
    const after = sessionIdOf(victim);
    expect(after).toBeDefined();
    expect(before.has(after)).toBe(false);
    expect(menuDrives((await victim.get('/browse/home/')).text)).toContain('Shared');
    // The attacker's cookies reach neither alice's files nor bob's session any more.
    const attackerView = await attacker.get('/browse/shared/');
    expect(attackerView.status).toBe(303);
    expect(attackerView.location).toMatch(/^\/login/);
  });

  describe('the redirect after sign-in stays on this site', () => {
    it.each(['//evil.example', 'https://evil.example/', '/\\evil.example', '/\\/evil.example', 'javascript:alert(1)', '\\\\evil.example'])(
      'next=%s lands on /',
      async (next) => {
        const reply = await signInOk(app.client(), 'bob', DEMO_PASSWORD, { next });
        expect(reply.location).toBe('/');
      },
    );

    it('next=/browse/home/Documents/ is honoured', async () => {
      const client = app.client();
      const reply = await signInOk(client, 'alice', DEMO_PASSWORD, { next: '/browse/home/Documents/' });
      expect(reply.location).toBe('/browse/home/Documents/');
      expect(listedNames((await client.get(reply.location ?? '/')).text)).toContain('Essay draft.txt');
    });

    it('a page behind sign-in sends the browser to /login with next, and back after signing in', async () => {
      const client = app.client();
      const first = await client.get('/browse/home/Documents/');
      expect(first.status).toBe(303);
      expect(first.location).toBe(`/login?next=${encodeURIComponent('/browse/home/Documents/')}`);
      const login = await client.get(first.location ?? '');
      const reply = await client.post('/login', {
        _csrf: csrfTokenIn(login.text),
        username: 'alice',
        password: DEMO_PASSWORD,
        next: /name="next" value="([^"]*)"/.exec(login.text)?.[1] ?? '',
      });
      expect(reply.location).toBe('/browse/home/Documents/');
    });
  });

  it('logout really ends access: old cookies get the sign-in page and the SMB connection is closed', async () => {
    const client = app.client();
    // A user no other test here signs in: the pool shares one connection between a user's sessions.
    await signInOk(client, 'student007', DEMO_PASSWORD);
    expect((await client.get('/browse/home/')).status).toBe(200);
    const stolen = client.copy();
    const before = app.services.pool.stats();
    const reply = await signOut(client);
    expect(reply.status).toBe(303);
    expect(reply.location).toBe('/login?signed-out=1');
    expect(client.jar.get(KEY_COOKIE)).toBeUndefined();
    expect(client.jar.get(SESSION_COOKIE)).toBeUndefined();
    const after = app.services.pool.stats();
    expect(after.sessions).toBe(before.sessions - 1);
    expect(after.connections).toBe(before.connections - 1);
    // The cookies as they were before logout, replayed.
    const replay = await stolen.get('/browse/home/');
    expect(replay.status).toBe(303);
    expect(replay.location).toMatch(/^\/login\?next=/);
    expect((await stolen.get(replay.location ?? '/login')).text).toContain('name="password"');
    expect(app.services.pool.stats().connections).toBe(after.connections);
  });

  it('a copied session cookie without the key cookie cannot reach files, and ends the session', async () => {
    const client = app.client();
    await signInOk(client, 'alice', DEMO_PASSWORD);
    expect((await client.get('/browse/home/')).status).toBe(200);
    const sessionsBefore = app.services.pool.stats().sessions;
    const thief = client.copy([SESSION_COOKIE]);
    const stolen = await thief.get('/browse/home/Documents/');
    expect(stolen.status).toBe(303);
    expect(stolen.location).toMatch(/^\/login/);
    expect(stolen.text).not.toContain('Essay draft.txt');
    // A guessed key does not help either.
    const guesser = client.copy([SESSION_COOKIE]);
    guesser.jar.set(KEY_COOKIE, 'A'.repeat(43));
    expect((await guesser.get('/browse/home/')).location).toMatch(/^\/login/);
    // The session is over for its owner too (it may have leaked), and its SMB connection is closed.
    expect((await client.get('/browse/home/')).location).toMatch(/^\/login/);
    expect(app.services.pool.stats().sessions).toBe(sessionsBefore - 1);
  });

  describe('cookies', () => {
    it('are HttpOnly and SameSite=Lax, and not Secure over plain http', async () => {
      const client = app.client();
      await signInOk(client, 'bob', DEMO_PASSWORD);
      for (const name of [SESSION_COOKIE, KEY_COOKIE, 'portcullis.csrf']) {
        const c = client.jar.lastSet.get(name);
        expect(c, name).toBeDefined();
        expect(c?.attrs, name).toHaveProperty('httponly');
        expect(c?.attrs.samesite?.toLowerCase(), name).toBe('lax');
        expect(c?.attrs, name).not.toHaveProperty('secure');
      }
    });

    it('"keep me signed in" is off by default; ticked, both cookies get a long Max-Age', async () => {
      const page = await app.client().get('/login');
      expect(page.text).toMatch(/<input class="form-check-input" type="checkbox" id="remember" name="remember" value="1">/);
      const plain = app.client();
      await signInOk(plain, 'bob', DEMO_PASSWORD);
      expect(lifetimeSeconds(plain, KEY_COOKIE)).toBeUndefined();
      // The session cookie lasts the idle timeout (and rolls), not longer.
      expect(lifetimeSeconds(plain, SESSION_COOKIE)).toBeGreaterThan(app.config.session.idleMinutes * 60 - 5);
      expect(lifetimeSeconds(plain, SESSION_COOKIE)).toBeLessThanOrEqual(app.config.session.idleMinutes * 60);

      const remembered = app.client();
      await signInOk(remembered, 'bob', DEMO_PASSWORD, { remember: true });
      const days = app.config.session.rememberDays * 86_400;
      expect(lifetimeSeconds(remembered, KEY_COOKIE)).toBe(days);
      expect(lifetimeSeconds(remembered, SESSION_COOKIE)).toBeGreaterThan(days - 5);
      // And it stays long on later requests (the session cookie rolls).
      await remembered.get('/browse/home/');
      expect(lifetimeSeconds(remembered, SESSION_COOKIE)).toBeGreaterThan(days - 5);
    });
  });
});

describe('behind a trusted proxy that says https', () => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp(requireDomain(), { env: { TRUST_PROXY: 'loopback', LOGIN_MAX_PER_IP: '1000' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('every cookie is Secure and __Host- (and HttpOnly, SameSite=Lax)', async () => {
    const client = app.client();
    const headers = { 'X-Forwarded-Proto': 'https' };
    await signInOk(client, 'bob', DEMO_PASSWORD, { headers });
    for (const name of SECURE_NAMES) {
      const c = client.jar.lastSet.get(name);
      expect(c?.attrs, name).toHaveProperty('secure');
      expect(c?.attrs, name).toHaveProperty('httponly');
      expect(c?.attrs.samesite?.toLowerCase(), name).toBe('lax');
    }
    expect((await client.get('/browse/home/', { headers })).status).toBe(200);
  });

  it('without X-Forwarded-Proto: https the cookies are not Secure', async () => {
    const client = app.client();
    await signInOk(client, 'bob', DEMO_PASSWORD);
    for (const name of [SESSION_COOKIE, KEY_COOKIE, 'portcullis.csrf']) expect(client.jar.lastSet.get(name)?.attrs, name).not.toHaveProperty('secure');
  });
});

describe('SESSION_COOKIE_SECURE=true', () => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp(requireDomain(), { env: { SESSION_COOKIE_SECURE: 'true', TRUST_PROXY: 'loopback' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it("the sign-in page's CSRF cookie is Secure even over plain http", async () => {
    // (express-session itself will not send a Secure session cookie over a connection it sees as plain http,
    // so with this setting the app must see https: directly or through TRUST_PROXY.)
    const client = app.client();
    await client.get('/login');
    expect(client.jar.lastSet.get(cookieNameFor(CSRF_COOKIE, true))?.attrs).toHaveProperty('secure');
  });

  it('behind a trusted proxy every cookie is Secure', async () => {
    const client = app.client();
    const headers = { 'X-Forwarded-Proto': 'https' };
    await signInOk(client, 'bob', DEMO_PASSWORD, { headers });
    for (const name of SECURE_NAMES) expect(client.jar.lastSet.get(name)?.attrs, name).toHaveProperty('secure');
  });
});

describe('SESSION_REMEMBER_ME=false', () => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp(requireDomain(), { env: { SESSION_REMEMBER_ME: 'false' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('hides the checkbox and ignores a posted remember=1', async () => {
    const client = app.client();
    const page = await client.get('/login');
    expect(page.text).not.toContain('name="remember"');
    expect(page.text).not.toContain('Keep me signed in');
    await signInOk(client, 'bob', DEMO_PASSWORD, { remember: true });
    expect(lifetimeSeconds(client, KEY_COOKIE)).toBeUndefined();
    expect(lifetimeSeconds(client, SESSION_COOKIE)).toBeLessThanOrEqual(app.config.session.idleMinutes * 60);
  });
});
