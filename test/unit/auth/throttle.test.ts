import { describe, expect, it } from 'vitest';
import { TooManyAttemptsError } from '../../../src/auth/errors.js';
import { type SignInReservation, SignInThrottle } from '../../../src/auth/throttle.js';

const settings = { maxFailuresPerUser: 3, maxFailuresPerIp: 100, windowMinutes: 15 };
const IP = '192.0.2.1';

async function failTimes(throttle: SignInThrottle, user: string, n: number, ip = IP): Promise<void> {
  for (let i = 0; i < n; i++) await (await throttle.reserve(user, ip)).failed();
}

async function succeed(throttle: SignInThrottle, user: string, ip = IP): Promise<void> {
  await (await throttle.reserve(user, ip)).passwordAccepted();
}

/**
 * Starts `n` sign-ins at once; each that gets its reservation "asks the directory" (a later turn of the event loop)
 * and ends it with `outcome`. Resolves with how many got through, the most at once, and the refusals.
 */
async function signInsAtOnce(
  n: number,
  reserve: (i: number) => Promise<SignInReservation>,
  outcome: (r: SignInReservation) => Promise<void>,
): Promise<{ reached: number; most: number; refused: unknown[] }> {
  let reached = 0;
  let inFlight = 0;
  let most = 0;
  const results = await Promise.allSettled(
    Array.from({ length: n }, async (_, i) => {
      const r = await reserve(i);
      reached++;
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      await outcome(r);
    }),
  );
  return { reached, most, refused: results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : [])) };
}

describe('SignInThrottle (memory)', () => {
  it('refuses a username after maxFailuresPerUser failures, with a retry time within the window', async () => {
    const throttle = new SignInThrottle(settings);
    await failTimes(throttle, 'alice', 3);
    const err = await throttle.reserve('alice', IP).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyAttemptsError);
    const retry = (err as TooManyAttemptsError).retryAfterSeconds;
    expect(retry).toBeGreaterThan(14 * 60);
    expect(retry).toBeLessThanOrEqual(15 * 60);
    expect((err as TooManyAttemptsError).status).toBe(429);
  });

  it('counts usernames apart, and from any IP', async () => {
    const throttle = new SignInThrottle(settings);
    await failTimes(throttle, 'alice', 3, '192.0.2.1');
    await expect(throttle.reserve('alice', '198.51.100.7')).rejects.toBeInstanceOf(TooManyAttemptsError);
    await expect(throttle.reserve('bob', '192.0.2.1')).resolves.toBeDefined();
  });

  it('50 wrong passwords at once for one username: only maxFailuresPerUser get through, the rest are refused', async () => {
    const throttle = new SignInThrottle(settings);
    const { reached, most, refused } = await signInsAtOnce(50, (i) => throttle.reserve('alice', `198.51.100.${i}`), (r) => r.failed());
    expect(reached).toBe(3);
    expect(most).toBeLessThanOrEqual(3);
    expect(refused).toHaveLength(47);
    for (const err of refused) expect(err).toBeInstanceOf(TooManyAttemptsError);
  });

  it('refused and given-back points leave nothing behind: afterwards exactly maxFailuresPerUser failures fit', async () => {
    const throttle = new SignInThrottle(settings);
    // 50 at once, none of them failing (no DC answered): they queue, all get through, and each gives its point back.
    const unsent = await signInsAtOnce(50, () => throttle.reserve('alice', IP), (r) => r.passwordNotSent());
    expect(unsent).toMatchObject({ reached: 50, refused: [] });
    expect(unsent.most).toBeLessThanOrEqual(3);
    await failTimes(throttle, 'alice', 3);
    await expect(throttle.reserve('alice', IP)).rejects.toBeInstanceOf(TooManyAttemptsError);
  });

  it('a correct password gives its own point back but leaves earlier failures counted', async () => {
    const throttle = new SignInThrottle(settings);
    await failTimes(throttle, 'alice', 2);
    for (let i = 0; i < 10; i++) await succeed(throttle, 'alice');
    // Two failures still count, so one more fits.
    await failTimes(throttle, 'alice', 1);
    await expect(throttle.reserve('alice', IP)).rejects.toBeInstanceOf(TooManyAttemptsError);
  });

  it('a reservation ends once: a second ending changes nothing', async () => {
    const throttle = new SignInThrottle(settings);
    const r = await throttle.reserve('alice', IP);
    await r.failed();
    await r.passwordAccepted();
    await failTimes(throttle, 'alice', 2);
    await expect(throttle.reserve('alice', IP)).rejects.toBeInstanceOf(TooManyAttemptsError);
  });

  it('releases when the window has passed, and a point given back after that leaves no credit behind', async () => {
    // A 1-second window (the limiter counts whole seconds).
    const throttle = new SignInThrottle({ ...settings, windowMinutes: 1 / 60 });
    // Three points out: two failures and one attempt still in flight when the window ends.
    const late = await throttle.reserve('alice', IP);
    await failTimes(throttle, 'alice', 2);
    await new Promise((r) => setTimeout(r, 1100));
    await late.passwordAccepted();
    // A fresh window of exactly three, not four.
    await failTimes(throttle, 'alice', 3);
    await expect(throttle.reserve('alice', IP)).rejects.toBeInstanceOf(TooManyAttemptsError);
  });

  describe('per client IP', () => {
    const perIp = { ...settings, maxFailuresPerUser: 5, maxFailuresPerIp: 5 };

    it('counts failures only: 100 correct sign-ins from one address all pass', async () => {
      const throttle = new SignInThrottle(perIp);
      for (let i = 0; i < 100; i++) await succeed(throttle, `student${i % 40}`, '203.0.113.9');
    });

    it('refuses an address after maxFailuresPerIp failures, whatever the usernames; other addresses go on', async () => {
      const throttle = new SignInThrottle(perIp);
      for (let i = 0; i < 5; i++) await failTimes(throttle, `user${i}`, 1, '203.0.113.9');
      await expect(throttle.reserve('someone-else', '203.0.113.9')).rejects.toBeInstanceOf(TooManyAttemptsError);
      await expect(throttle.reserve('someone-else', '203.0.113.10')).resolves.toBeDefined();
    });

    it('40 correct sign-ins at once from one address (four students, ten sessions each) queue and all get in', async () => {
      const throttle = new SignInThrottle(perIp);
      const { reached, most, refused } = await signInsAtOnce(40, (i) => throttle.reserve(`student${i % 4}`, '203.0.113.9'), (r) => r.passwordAccepted());
      expect(refused).toEqual([]);
      expect(reached).toBe(40);
      expect(most).toBeLessThanOrEqual(5);
    });

    it('50 wrong passwords at once from one address for different users: maxFailuresPerIp get through', async () => {
      const throttle = new SignInThrottle(perIp);
      const { reached, refused } = await signInsAtOnce(50, (i) => throttle.reserve(`user${i}`, '203.0.113.9'), (r) => r.failed());
      expect(reached).toBe(5);
      expect(refused).toHaveLength(45);
    });
  });
});
