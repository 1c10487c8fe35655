// Sign-in throttling through the real login form: it engages after the configured failures and releases when
// the window has passed. The window is shortened to seconds in the Config object (LOGIN_WINDOW_MINUTES is whole
// minutes); the throttle itself counts in seconds, so this is the same code path with a shorter clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { alertIn, signIn, signInOk } from '../../helpers/http-client.js';
import { startWebApp, type WebApp } from '../../helpers/web-app.js';

const WINDOW_SECONDS = 3;

describe('sign-in throttling', () => {
  let app: WebApp;

  beforeAll(async () => {
    app = await startWebApp(requireDomain(), {
      adjust: (config) => {
        config.auth.windowMinutes = WINDOW_SECONDS / 60;
        config.auth.maxAttemptsPerIp = 1000;
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
