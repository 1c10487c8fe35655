// Sign-in throttling through the real login form against the real DC: it engages after the configured failures
// and releases when the window has passed (the window is shortened to seconds in the Config object; the throttle
// counts in seconds, so this is the same code path with a shorter clock); parallel wrong passwords cannot reach the
// DC more than LOGIN_MAX_PER_USER times, so Portcullis cannot lock an account; and a lab behind one address, where
// everyone signs in correctly at once, all get in while the address's failures stay limited.
// ivan is this file's account: no other test file signs in as him, so his badPwdCount on the DC is ours to read.
import { readFileSync } from 'node:fs';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainInfo } from '../../fixtures/domain.js';
import { LOCKOUT_THRESHOLD } from '../../fixtures/domain-data.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { BoundHttpClient } from '../../helpers/bound-client.js';
import { alertIn, csrfTokenIn, type HttpClient, type Reply, signIn, signInOk } from '../../helpers/http-client.js';
import { startWebApp, type WebApp } from '../../helpers/web-app.js';
import { badPwdCount, serviceClient, userDn } from '../auth/helpers.js';

const WINDOW_SECONDS = 3;

describe('sign-in throttling', () => {
  let app: WebApp;

  beforeAll(async () => {
    app = await startWebApp(requireDomain(), {
      adjust: (config) => {
        config.auth.windowMinutes = WINDOW_SECONDS / 60;
        config.auth.maxFailuresPerIp = 1000;
      },
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('engages after maxFailuresPerUser failures (429 with Retry-After) and releases after the window', async () => {
    // ivan is the test domain's account for throttling; the limit (5) is below the domain's lockout (10).
    const max = app.config.auth.maxFailuresPerUser;
    const client = app.client();
    for (let i = 0; i < max; i++) {
      const reply = await signIn(client, 'ivan', `wrong-${i}`);
      expect(reply.status, `attempt ${i + 1}`).toBe(401);
    }
    const refused = await signIn(client, 'ivan', 'wrong-again');
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(alertIn(refused.text)).toMatch(/Too many sign-in attempts/);
    // Even the right password is refused while throttled (no bind reaches the DC), from any client and any form of the name.
    expect((await signIn(app.client(), 'ivan', DEMO_PASSWORD)).status).toBe(429);
    expect((await signIn(app.client(), 'EXAMPLE\\IVAN', DEMO_PASSWORD)).status).toBe(429);
    // Other users are unaffected.
    await signInOk(app.client(), 'bob', DEMO_PASSWORD);

    await new Promise((r) => setTimeout(r, (retryAfter + 0.5) * 1000));
    const after = app.client();
    await signInOk(after, 'ivan', DEMO_PASSWORD);
    expect((await after.get('/browse/home/')).status).toBe(200);
  });
});

/** ivan's bad-password count and lockout as the DC has them (read as the service account, as FIXTURES.md shows). */
async function dcState(domain: DomainInfo, username: string): Promise<{ badPwdCount: number; locked: boolean }> {
  const admin = await serviceClient(domain, readFileSync(domain.caFile));
  try {
    const { searchEntries } = await admin.search(domain.baseDn, { scope: 'sub', filter: `(sAMAccountName=${username})`, attributes: ['lockoutTime'] });
    // Absent until the account is first locked; '0' once unlocked.
    const raw = searchEntries[0]?.lockoutTime;
    const lockoutTime = Array.isArray(raw) ? raw[0] : raw;
    return { badPwdCount: await badPwdCount(domain, admin, username), locked: lockoutTime !== undefined && String(lockoutTime) !== '0' };
  } finally {
    await admin.unbind();
  }
}

/** A correct bind straight to the DC: it resets badPwdCount, deterministically, with no waiting for AD's window. */
async function resetBadPasswords(domain: DomainInfo, username: string): Promise<void> {
  const ca = readFileSync(domain.caFile);
  const admin = await serviceClient(domain, ca);
  const dn = await userDn(domain, admin, username).finally(() => admin.unbind());
  const user = new Client({ url: domain.ldapsUrl, tlsOptions: { ca: [ca] }, timeout: 30_000, connectTimeout: 30_000 });
  try {
    await user.bind(dn, domain.password);
  } finally {
    await user.unbind().catch(() => undefined);
  }
  expect(await dcState(domain, username)).toEqual({ badPwdCount: 0, locked: false });
}

/** Opens the form on every client first, then posts all the forms at the same moment. */
async function postAllAtOnce(clients: HttpClient[], form: (i: number) => Record<string, string>): Promise<Reply[]> {
  const pages = await Promise.all(clients.map((c) => c.get('/login')));
  return Promise.all(clients.map((c, i) => c.post('/login', { _csrf: csrfTokenIn(pages[i]?.text ?? ''), next: '', ...form(i) })));
}

const SLOW_DC_OK = { LDAP_TIMEOUT_MS: '60000' };

const countOf = (replies: Reply[], status: number): number => replies.filter((r) => r.status === status).length;

function expectTooMany(reply: Reply, windowSeconds: number): void {
  expect(reply.status).toBe(429);
  const retryAfter = Number(reply.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
  expect(alertIn(reply.text)).toMatch(/^Too many sign-in attempts\. Try again in \d+ (minutes?|seconds?)\.$/);
}

describe('parallel wrong passwords cannot lock an account through Portcullis', () => {
  let domain: DomainInfo;
  let app: WebApp;

  beforeAll(async () => {
    domain = requireDomain();
    // The shipped defaults: LOGIN_MAX_PER_USER 5, LOGIN_MAX_PER_IP 30, a 15-minute window. A generous LDAP timeout:
    // on a busy machine a slow DC must not turn a wrong password into a 503.
    app = await startWebApp(domain, { env: SLOW_DC_OK });
    await resetBadPasswords(domain, 'ivan');
  });
  afterAll(async () => {
    await app?.close();
    if (domain) await resetBadPasswords(domain, 'ivan');
  });

  it('50 at once for ivan from one client: LOGIN_MAX_PER_USER binds reach the DC, 429 for the rest, no lockout', { timeout: 180_000 }, async () => {
    const max = app.config.auth.maxFailuresPerUser;
    expect(max).toBeLessThan(LOCKOUT_THRESHOLD);
    const replies = await postAllAtOnce(
      Array.from({ length: 50 }, () => app.client()),
      (i) => ({ username: 'ivan', password: `wrong-${i}` }),
    );
    expect({ unauthorized: countOf(replies, 401), tooMany: countOf(replies, 429) }).toEqual({ unauthorized: max, tooMany: 50 - max });
    for (const reply of replies.filter((r) => r.status === 429)) expectTooMany(reply, app.config.auth.windowMinutes * 60);
    expect(await dcState(domain, 'ivan')).toEqual({ badPwdCount: max, locked: false });

    // Blocked sign-ins never reach the DC: the right password is refused too, and the DC's count stays where it was
    // (a correct bind there would have reset it to 0).
    expectTooMany(await signIn(app.client(), 'ivan', DEMO_PASSWORD), app.config.auth.windowMinutes * 60);
    expect(await dcState(domain, 'ivan')).toEqual({ badPwdCount: max, locked: false });
  });
});

describe('a computer lab behind one address', () => {
  let domain: DomainInfo;
  let app: WebApp;
  // Four accounts that no test counts bad passwords for, ten sessions each: forty students.
  const students = ['ivan', 'alice', 'carol', 'jürgen'];

  beforeAll(async () => {
    domain = requireDomain();
    app = await startWebApp(domain, { env: SLOW_DC_OK });
    await resetBadPasswords(domain, 'ivan');
  });
  afterAll(async () => {
    await app?.close();
    if (domain) await resetBadPasswords(domain, 'ivan');
  });

  it(`forty students sign in correctly at once from one address, more than LOGIN_MAX_PER_IP, and all get in`, { timeout: 180_000 }, async () => {
    expect(app.config.auth.maxFailuresPerIp).toBeLessThan(40);
    const clients = Array.from({ length: 40 }, () => new BoundHttpClient(app.url, '127.0.0.141'));
    const replies = await postAllAtOnce(clients, (i) => ({ username: students[i % students.length] ?? '', password: DEMO_PASSWORD }));
    expect(replies.map((r) => `${r.status} ${r.location ?? alertIn(r.text) ?? ''}`)).toEqual(Array.from({ length: 40 }, () => '303 /'));
    // Each is really signed in: the home page redirects into the drive, not to the sign-in form.
    const homes = await Promise.all(clients.map((c) => c.get('/')));
    expect(homes.map((r) => r.location)).toEqual(Array.from({ length: 40 }, () => '/browse/home/'));
  });

  it('the address is still refused after LOGIN_MAX_PER_IP failed sign-ins, whatever the usernames, before the DC sees anything', async () => {
    const max = app.config.auth.maxFailuresPerIp;
    const lab = (): BoundHttpClient => new BoundHttpClient(app.url, '127.0.0.142');
    // Unknown names: failures that never reach the DC as a bind, one each, so no username limit is in play.
    for (let i = 0; i < max; i++) expect((await signIn(lab(), `nobody-in-lab-${i}`, 'x')).status, `failure ${i + 1}`).toBe(401);
    expectTooMany(await signIn(lab(), 'ivan', 'wrong-from-the-lab'), app.config.auth.windowMinutes * 60);
    expectTooMany(await signIn(lab(), 'ivan', DEMO_PASSWORD), app.config.auth.windowMinutes * 60);
    expect(await dcState(domain, 'ivan')).toEqual({ badPwdCount: 0, locked: false });
    // The limit is per address: the next room along signs in.
    await signInOk(new BoundHttpClient(app.url, '127.0.0.143'), 'ivan', DEMO_PASSWORD);
  });
});
