// A lecture hall signing in at once through the real form (CSRF token, cookies), as 200 different students:
// every one gets in, because sign-ins queue for the directory instead of timing out. And when the queue is full
// or the wait too long, the answer is a clear 503 with Retry-After and a page that says when to try again. With a
// per-instance cap (SESSIONS_MAX_ACTIVE), exactly that many of a burst get in, the rest get the same clear 503,
// and those signed in keep working.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainInfo } from '../../fixtures/domain.js';
import { studentName } from '../../fixtures/domain-data.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { alertIn, listedNames, signIn, signOut } from '../../helpers/http-client.js';
import { startWebApp, type WebApp } from '../../helpers/web-app.js';

const STORM = 200;

describe('sign-in storms', () => {
  let domain: DomainInfo;
  beforeAll(() => {
    domain = requireDomain();
  });

  describe(`${STORM} students at once`, () => {
    let app: WebApp;
    beforeAll(async () => {
      app = await startWebApp(domain, {
        logLevel: 'warn',
        adjust: (config) => {
          // Outcomes, not speed: a busy machine may be slow, but nobody may be turned away or time out.
          config.auth.signInQueueWaitSeconds = 600;
          config.ldap.timeoutMs = 60_000;
        },
      });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('all sign in, each as themselves', { timeout: 600_000 }, async () => {
      const students = Array.from({ length: STORM }, (_, i) => studentName(i + 1));
      const clients = students.map(() => app.client());
      const replies = await Promise.all(students.map((name, i) => signIn(clients[i]!, name, domain.password)));
      const failed = replies.flatMap((r, i) => (r.status === 303 && r.location === '/' ? [] : [`${students[i]}: ${r.status} ${alertIn(r.text) ?? ''}`]));
      expect(failed).toEqual([]);
      // Their sessions are their own: a few of them open their own home drive.
      for (const i of [0, 99, STORM - 1]) {
        const home = await clients[i]!.get('/browse/home/');
        expect(home.status, students[i]).toBe(200);
        expect(listedNames(home.text)).toEqual(expect.arrayContaining(['Documents', 'Welcome.txt']));
      }
      expect(app.services.signInQueue.stats).toEqual({ running: 0, waiting: 0 });
    });
  });

  describe('an overloaded queue', () => {
    let app: WebApp;
    let release: () => void = () => undefined;
    beforeAll(async () => {
      app = await startWebApp(domain, {
        logLevel: 'warn',
        adjust: (config) => {
          config.auth.signInConcurrency = 1;
          config.auth.signInQueueWaitSeconds = 1;
          config.auth.signInQueueLimit = 1;
        },
      });
      // Holds the only slot, as a sign-in stuck at a slow DC would, until the test lets go.
      void app.services.signInQueue.run(() => new Promise<void>((resolve) => (release = resolve)));
    });
    afterAll(async () => {
      release();
      await app?.close();
    });

    const expectBusy = (reply: Awaited<ReturnType<typeof signIn>>): void => {
      expect(reply.status).toBe(503);
      const retryAfter = Number(reply.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      const seconds = retryAfter === 1 ? '1 second' : `${retryAfter} seconds`;
      expect(alertIn(reply.text)).toBe(`Many people are signing in right now. Please try again in ${seconds}.`);
      // The form is there again, with a fresh token.
      expect(reply.text).toContain('name="_csrf"');
    };

    it('answers 503 with Retry-After after the bounded wait, and the page says when to try again', async () => {
      expectBusy(await signIn(app.client(), 'student201', domain.password));
    });

    it('answers at once when the queue is full', async () => {
      const waiting = signIn(app.client(), 'student202', domain.password);
      // The first waits its second out; the next finds the queue full (limit 1) and is answered without waiting.
      await expect.poll(() => app.services.signInQueue.stats.waiting).toBe(1);
      const full = await signIn(app.client(), 'student203', domain.password);
      expectBusy(full);
      expectBusy(await waiting);
    });

    it('lets sign-ins through again once the slot is free', async () => {
      release();
      await expect.poll(() => app.services.signInQueue.stats.running).toBe(0);
      const reply = await signIn(app.client(), 'student204', domain.password);
      expect(reply.status).toBe(303);
    });
  });

  describe('a per-instance session cap (SESSIONS_MAX_ACTIVE=5)', () => {
    let app: WebApp;
    beforeAll(async () => {
      app = await startWebApp(domain, { logLevel: 'warn', env: { SESSIONS_MAX_ACTIVE: '5', LOGIN_MAX_PER_IP: '1000', ADMIN_TOKEN: 'metrics-token-for-the-cap-test-0123456789' } });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('lets exactly 5 of 20 simultaneous sign-ins in; the rest get 503 with Retry-After; the 5 keep working; a sign-out frees a place', { timeout: 300_000 }, async () => {
      const students = Array.from({ length: 20 }, (_, i) => studentName(i + 301));
      const clients = students.map(() => app.client());
      const replies = await Promise.all(students.map((name, i) => signIn(clients[i]!, name, domain.password)));
      const inside = replies.flatMap((r, i) => (r.status === 303 ? [i] : []));
      const turnedAway = replies.filter((r) => r.status === 503);
      expect(inside).toHaveLength(5);
      expect(turnedAway).toHaveLength(15);
      for (const r of turnedAway) {
        expect(alertIn(r.text)).toBe('This server has as many people signed in as it can serve right now. Please try again in a few minutes.');
        const retryAfter = Number(r.headers.get('retry-after'));
        expect(retryAfter).toBeGreaterThanOrEqual(5);
        expect(retryAfter).toBeLessThanOrEqual(600);
        expect(r.text).toContain('name="_csrf"');
      }
      // Nobody inside is affected by the cap: each of them still browses their own home drive.
      for (const i of inside) expect((await clients[i]!.get('/browse/home/')).status, students[i]).toBe(200);
      expect(app.services.activeSessions.count).toBe(5);
      const metrics = await app.client().get('/metrics', { headers: { Authorization: 'Bearer metrics-token-for-the-cap-test-0123456789' } });
      expect(metrics.status).toBe(200);
      expect(metrics.text).toMatch(/^portcullis_sessions_active_here 5$/m);

      // One signs out: exactly one more gets in, the next is turned away again.
      const leaving = inside[0]!;
      expect((await signOut(clients[leaving]!)).status).toBe(303);
      const outside = students.map((_, i) => i).filter((i) => !inside.includes(i));
      expect((await signIn(clients[outside[0]!]!, students[outside[0]!]!, domain.password)).status).toBe(303);
      expect((await signIn(clients[outside[1]!]!, students[outside[1]!]!, domain.password)).status).toBe(503);
    });
  });
});
