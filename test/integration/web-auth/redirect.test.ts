// Issue 10, item 1: no `next=` sends the browser off this site, neither from GET /login for a signed-in user nor
// from the form (its hidden field, and the redirect after signing in). Real app, real Samba AD DC.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { OFF_SITE_REDIRECTS } from '../../fixtures/off-site-redirects.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { csrfTokenIn, decodeEntities, type HttpClient, signIn, signInOk } from '../../helpers/http-client.js';
import { startWebApp, type WebApp } from '../../helpers/web-app.js';

// carol: signed in correctly only, so no other test's bad-password count on her moves.
const USER = 'carol';

const hiddenNext = (html: string): string | undefined => {
  const m = /name="next" value="([^"]*)"/.exec(html);
  return m?.[1] === undefined ? undefined : decodeEntities(m[1]);
};

const loginWith = (next: string): string => `/login?next=${encodeURIComponent(next)}`;

describe('the redirect after sign-in stays on this site', () => {
  let app: WebApp;
  let signedIn: HttpClient;

  beforeAll(async () => {
    // Every case signs in once; the per-IP limit is not what this file is about.
    app = await startWebApp(requireDomain(), { env: { LOGIN_MAX_PER_IP: '1000' } });
    signedIn = app.client();
    await signInOk(signedIn, USER, DEMO_PASSWORD);
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('GET /login while signed in', () => {
    it.each(OFF_SITE_REDIRECTS)('next=%j answers 303 to /', async (next) => {
      const reply = await signedIn.get(loginWith(next));
      expect(reply.status).toBe(303);
      expect(reply.location).toBe('/');
    });

    it('next=/browse/home/Documents/ is honoured, dot segments resolved', async () => {
      const reply = await signedIn.get(loginWith('/browse/home/x/../Documents/'));
      expect(reply.status).toBe(303);
      expect(reply.location).toBe('/browse/home/Documents/');
    });
  });

  describe('the sign-in form', () => {
    it.each(OFF_SITE_REDIRECTS)('next=%j never reaches the hidden field, and signing in lands on /', async (next) => {
      const client = app.client();
      const page = await client.get(loginWith(next));
      expect(page.status).toBe(200);
      expect(hiddenNext(page.text)).toBe('');
      // Posted directly, as an attacker's page would, bypassing the hidden field.
      const reply = await client.post('/login', { _csrf: csrfTokenIn(page.text), username: USER, password: DEMO_PASSWORD, next });
      expect(reply.status).toBe(303);
      expect(reply.location).toBe('/');
    });

    it('a refused sign-in keeps an off-site next out of the form it shows again', async () => {
      for (const [i, next] of OFF_SITE_REDIRECTS.entries()) {
        const client = app.client();
        const page = await client.get('/login');
        // Unknown users, one per case: refused without a password reaching the DC, and never throttled.
        const reply = await client.post('/login', { _csrf: csrfTokenIn(page.text), username: `nobody-${i}`, password: 'x', next });
        expect(reply.status, next).toBe(401);
        expect(hiddenNext(reply.text), next).toBe('');
      }
    });

    it('a next on this site survives the form and is where signing in lands', async () => {
      const client = app.client();
      const page = await client.get(loginWith('/browse/home/./Documents/'));
      expect(hiddenNext(page.text)).toBe('/browse/home/Documents/');
      const reply = await signIn(client, USER, DEMO_PASSWORD, { next: hiddenNext(page.text) ?? '' });
      expect(reply.status).toBe(303);
      expect(reply.location).toBe('/browse/home/Documents/');
    });
  });
});
