// A sign-in that ends without a sign-out — its absolute lifetime reached, or credentials that no longer work —
// closes its SMB connections at once, as sign-out does. Before, they stayed open, authenticated as the user, until
// they idled out (SMB_IDLE_SECONDS, 5 min).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { signInOk } from '../../helpers/http-client.js';
import { startWebApp, type WebApp } from '../../helpers/web-app.js';

describe('a session ending without sign-out closes its SMB connections', () => {
  let app: WebApp;
  beforeAll(async () => {
    // Idle closing far away: a connection that closes here did so because its session ended.
    app = await startWebApp(requireDomain(), { env: { SMB_IDLE_SECONDS: '3600' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  /** Signs in as `username` (no one else here uses it) and browses, so the session holds one SMB connection. */
  async function signedInWithConnection(username: string): Promise<{ client: ReturnType<WebApp['client']>; before: { connections: number; sessions: number } }> {
    const client = app.client();
    await signInOk(client, username, DEMO_PASSWORD);
    const { connections, sessions } = app.services.pool.stats();
    expect((await client.request('GET', '/browse/home/')).status).toBe(200);
    expect(app.services.pool.stats()).toMatchObject({ connections: connections + 1, sessions: sessions + 1 });
    return { client, before: { connections, sessions } };
  }

  it('by its absolute lifetime (SESSION_MAX_HOURS)', async () => {
    const { client, before } = await signedInWithConnection('student003');
    const hours = app.config.session.absoluteHours;
    app.config.session.absoluteHours = 0;
    try {
      const ended = await client.request('GET', '/browse/home/');
      expect(ended.status).toBe(303);
      expect(ended.location).toMatch(/^\/login/);
    } finally {
      app.config.session.absoluteHours = hours;
    }
    expect(app.services.pool.stats()).toMatchObject(before);
    expect(app.logs.some((l) => l.includes('session lifetime reached') && l.includes('student003'))).toBe(true);
  });

  it('by credentials that no longer work (a key cookie that does not open the stored credential)', async () => {
    const { client, before } = await signedInWithConnection('student004');
    client.jar.set('portcullis.key', 'A'.repeat(43));
    const ended = await client.request('GET', '/browse/home/Documents/');
    expect(ended.status).toBe(303);
    expect(ended.location).toBe(`/login?next=${encodeURIComponent('/browse/home/Documents/')}`);
    expect(app.services.pool.stats()).toMatchObject(before);
    expect(app.logs.some((l) => l.includes('credentials no longer accepted') && l.includes('student004'))).toBe(true);
  });
});
