// Sign-in by OpenID Connect over HTTP (issue 15 section 4): a real OpenID provider on loopback (oidc-provider),
// the real app, the real Samba AD DC. The provider's login form is filled in as a browser without JavaScript would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_ACCOUNT } from '../../fixtures/domain-data.js';
import { accountFor, DOMAIN_ACCOUNTS, type OidcProviderFixture, startOidcProvider } from '../../fixtures/oidc-provider.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { oidcSignIn, throughProvider } from '../../helpers/oidc-flow.js';
import { freePort, startWebApp, type WebApp } from '../../helpers/web-app.js';
import { OIDC_STARTS_PER_MINUTE } from '../../../src/web/auth/oidc-routes.js';

const LABEL = 'Sign in with Example University';

describe('OpenID Connect sign-in', () => {
  const domain = requireDomain();
  let idp: OidcProviderFixture;
  let app: WebApp;
  const oidcEnv = (claim = 'upn'): Record<string, string> => ({
    // The front door, and the delegation set-up it ends in (the fixture's svc-portcullis and its keytab).
    AUTH_METHODS: 'password,oidc',
    KRB_SERVICE_PRINCIPAL: SERVICE_ACCOUNT,
    KRB_KEYTAB: domain.kerberos.keytab,
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: idp.clientId,
    OIDC_CLIENT_SECRET: idp.clientSecret,
    OIDC_CLAIM: claim,
    OIDC_BUTTON_LABEL: LABEL,
  });

  beforeAll(async () => {
    idp = await startOidcProvider({
      accounts: [
        ...DOMAIN_ACCOUNTS,
        // Someone the provider knows under another organisation's realm, with a name that exists in ours.
        { ...accountFor('alice', { realm: 'other.example' }), login: 'alice-elsewhere' },
        // Someone of our realm at the provider with no account in AD.
        accountFor('zoe'),
      ],
    });
    app = await startWebApp(domain, { env: oidcEnv() });
    idp.register([`${app.url}/auth/oidc/callback`]);
  });
  afterAll(async () => {
    await app?.close();
    await idp?.close();
  });

  it('the sign-in page offers the button, a plain link carrying the page to return to', async () => {
    const page = await app.client().get('/login?next=%2Fbrowse%2Fhome%2FDocuments%2F');
    expect(page.status).toBe(200);
    const link = /<a class="btn[^"]*" href="([^"]+)"><i[^>]*><\/i> ([^<]+)<\/a>/.exec(page.text);
    expect(link?.[2]).toBe(LABEL);
    expect(link?.[1]).toBe('/auth/oidc?next=%2Fbrowse%2Fhome%2FDocuments%2F');
  });

  it('with AUTH_METHODS=oidc alone the page offers the button and no password form', async () => {
    const only = await startWebApp(domain, { env: { ...oidcEnv(), AUTH_METHODS: 'oidc' } });
    try {
      const page = await only.client().get('/login');
      expect(page.status).toBe(200);
      expect(page.text).toContain(`</i> ${LABEL}</a>`);
      expect(page.text).not.toContain('type="password"');
      expect(page.text).not.toContain('or with your username and password');
    } finally {
      await only.close();
    }
  });

  it('alice signs in at the provider and lands in her home drive; the provider saw no password of Portcullis, Portcullis none of hers', async () => {
    const client = app.client();
    const flow = await oidcSignIn(client, idp, { username: 'alice', password: DEMO_PASSWORD }, '/auth/oidc?next=%2Fbrowse%2Fhome%2F');
    // An authorization code request with PKCE (S256), state and nonce, to the registered callback.
    const authorize = new URL(flow.start.location ?? '');
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${idp.issuer}/auth`);
    expect(authorize.searchParams.get('response_type')).toBe('code');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    for (const p of ['code_challenge', 'state', 'nonce']) expect(authorize.searchParams.get(p)?.length, p).toBeGreaterThanOrEqual(32);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${app.url}/auth/oidc/callback`);
    expect(flow.start.headers.get('cache-control')).toBe('no-store');

    expect(flow.callback?.status).toBe(303);
    expect(flow.callback?.location).toBe('/browse/home/');
    const home = await client.get('/browse/home/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Welcome.txt');
    const file = await client.get('/download/home/Welcome.txt');
    expect(file.status).toBe(200);
    expect(file.text).toContain('Hello Alice Archer!');
    // The code went to the token endpoint, and the claims came from userinfo (the provider keeps them out of the ID token).
    expect(idp.requests).toContain('POST /token');
    expect(app.logs.join('\n')).not.toContain(DEMO_PASSWORD);
  });

  it('a callback with another state, none started, or replayed is refused with 400 before the provider is asked', async () => {
    const client = app.client();
    const start = await client.get('/auth/oidc');
    const callback = await throughProvider(client, idp, start, { username: 'bob', password: DEMO_PASSWORD });
    const tampered = new URL(callback ?? '');
    tampered.searchParams.set('state', 'x'.repeat(43));
    const tokensBefore = idp.requests.filter((r) => r === 'POST /token').length;
    const mismatch = await client.get(tampered.href);
    expect(mismatch.status).toBe(400);
    expect(mismatch.text).toContain('This sign-in was not started in this browser, or took too long. Please sign in again.');
    // A stranger's browser (no session) with the genuine callback: refused too.
    expect((await app.client().get(callback ?? '')).status).toBe(400);
    expect(idp.requests.filter((r) => r === 'POST /token').length).toBe(tokensBefore);
    // A wrong state spends nothing: the genuine callback still works in the browser that started it, once.
    const genuine = await client.get(callback ?? '');
    expect(genuine.status).toBe(303);
    const replay = await client.get(callback ?? '');
    expect(replay.status).toBe(400);
  });

  it('an account of another realm is refused clearly (403), naming both realms', async () => {
    const client = app.client();
    const flow = await oidcSignIn(client, idp, { username: 'alice-elsewhere', password: DEMO_PASSWORD });
    expect(flow.callback?.status).toBe(403);
    expect(flow.callback?.text).toContain('Your university account (alice@other.example) is not in this service&#39;s domain (example.test)');
    // Not signed in as the other alice.
    expect((await client.get('/browse/home/')).location).toMatch(/^\/login/);
  });

  it('an account of our realm unknown to AD is refused clearly, not with a 500', async () => {
    const client = app.client();
    const flow = await oidcSignIn(client, idp, { username: 'zoe', password: DEMO_PASSWORD });
    expect(flow.callback?.status).toBe(403);
    expect(flow.callback?.text).toContain('Your university account (zoe@example.test) has no account in this service&#39;s directory');
    expect(/<p class="lead">([^<]*)<\/p>/.exec(flow.callback?.text ?? '')?.[1]).not.toMatch(/password/i);
    expect((await client.get('/browse/home/')).location).toMatch(/^\/login/);
  });

  it('cancelling at the provider (access_denied) leads back to the sign-in page with a message', async () => {
    const client = app.client();
    const flow = await oidcSignIn(client, idp, 'cancel', '/auth/oidc?next=%2Fbrowse%2Fhome%2F');
    expect(new URL(flow.callbackUrl ?? '').searchParams.get('error')).toBe('access_denied');
    expect(flow.callback?.status).toBe(303);
    expect(flow.callback?.location).toBe('/login?next=%2Fbrowse%2Fhome%2F');
    const login = await client.get(flow.callback?.location ?? '');
    expect(login.status).toBe(200);
    expect(login.text).toContain('Signing in with your university account was cancelled or refused.');
  });

  it('an off-site next is ignored', async () => {
    const client = app.client();
    const flow = await oidcSignIn(client, idp, { username: 'bob', password: DEMO_PASSWORD }, '/auth/oidc?next=%2F%2Fevil.example%2F');
    expect(flow.callback?.status).toBe(303);
    expect(flow.callback?.location).toBe('/');
  });

  it.each([
    ['preferred_username', 'carol'],
    ['onPremisesSamAccountName', 'bob'],
  ])('OIDC_CLAIM=%s maps %s', async (claim, username) => {
    const other = await startWebApp(domain, { env: oidcEnv(claim) });
    try {
      idp.register([`${other.url}/auth/oidc/callback`]);
      const client = other.client();
      const flow = await oidcSignIn(client, idp, { username, password: DEMO_PASSWORD });
      expect(flow.callback?.status).toBe(303);
      const home = await client.get('/browse/home/');
      expect(home.status).toBe(200);
      expect(home.text).toContain('Welcome.txt');
    } finally {
      await other.close();
    }
  });

  it('claims the ID token carries (as Entra ID sends upn) are read from it, without asking userinfo', async () => {
    const entraLike = await startOidcProvider({ claimsInIdToken: true });
    const other = await startWebApp(domain, {
      env: { ...oidcEnv(), OIDC_ISSUER: entraLike.issuer, OIDC_CLIENT_ID: entraLike.clientId, OIDC_CLIENT_SECRET: entraLike.clientSecret },
    });
    try {
      entraLike.register([`${other.url}/auth/oidc/callback`]);
      const client = other.client();
      const flow = await oidcSignIn(client, entraLike, { username: 'alice', password: DEMO_PASSWORD });
      expect(flow.callback?.status).toBe(303);
      expect((await client.get('/browse/home/')).text).toContain('Welcome.txt');
      expect(entraLike.requests).toContain('POST /token');
      expect(entraLike.requests).not.toContain('GET /me');
      // The default provider keeps them for userinfo, which the first sign-in above asked.
      expect(idp.requests).toContain('GET /me');
    } finally {
      await other.close();
      await entraLike.close();
    }
  });

  it(`more than ${OIDC_STARTS_PER_MINUTE} starts a minute from one address get 429 with Retry-After, so a loop cannot fill the session store`, async () => {
    const other = await startWebApp(domain, { env: oidcEnv() });
    try {
      // In parallel, as a script would: the limit holds exactly.
      const starts = await Promise.all(Array.from({ length: OIDC_STARTS_PER_MINUTE + 10 }, () => other.client().get('/auth/oidc')));
      const toProvider = starts.filter((r) => r.status === 303 && (r.headers.get('location') ?? '').startsWith(idp.issuer));
      const refused = starts.filter((r) => r.status === 429);
      expect(toProvider).toHaveLength(OIDC_STARTS_PER_MINUTE);
      expect(refused).toHaveLength(10);
      for (const r of refused) {
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(r.text).toContain('Too many sign-in attempts');
      }
      // No session was kept for the refused ones: the store holds one per start that reached the provider.
      const count = await new Promise<number>((resolve, reject) => other.services.sessions.store.length?.((err, n) => (err ? reject(err) : resolve(n ?? 0))));
      expect(count).toBe(OIDC_STARTS_PER_MINUTE);
    } finally {
      await other.close();
    }
  });

  it('a provider that does not answer gives a 503 page with Retry-After, at the start and at the code exchange', async () => {
    const down = await startWebApp(domain, { env: { ...oidcEnv(), OIDC_ISSUER: `http://127.0.0.1:${await freePort()}` } });
    try {
      const start = await down.client().get('/auth/oidc?next=%2Fbrowse%2Fhome%2F');
      expect(start.status).toBe(503);
      expect(Number(start.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(start.text).toContain('The university sign-in service is not answering.');
      // The way back tries the same sign-in again.
      expect(start.text).toContain('href="/auth/oidc?next=%2Fbrowse%2Fhome%2F"');
    } finally {
      await down.close();
    }

    // Discovered and redirected, then the provider goes away before the browser comes back.
    const idp2 = await startOidcProvider();
    const app2 = await startWebApp(domain, {
      env: { ...oidcEnv(), OIDC_ISSUER: idp2.issuer, OIDC_CLIENT_ID: idp2.clientId, OIDC_CLIENT_SECRET: idp2.clientSecret },
    });
    try {
      idp2.register([`${app2.url}/auth/oidc/callback`]);
      const client = app2.client();
      const start = await client.get('/auth/oidc');
      const callback = await throughProvider(client, idp2, start, { username: 'alice', password: DEMO_PASSWORD });
      await idp2.close();
      const reply = await client.get(callback ?? '');
      expect(reply.status).toBe(503);
      expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(reply.text).toContain('The university sign-in service is not answering.');
    } finally {
      await app2.close();
      await idp2.close();
    }
  });
});
