import { describe, expect, it } from 'vitest';
import { TooManyAttemptsError } from '../../../src/auth/errors.js';
import { SignInThrottle } from '../../../src/auth/throttle.js';

const settings = { maxFailuresPerUser: 3, maxAttemptsPerIp: 100, windowMinutes: 15 };

async function failTimes(throttle: SignInThrottle, user: string, n: number, ip = '192.0.2.1'): Promise<void> {
  for (let i = 0; i < n; i++) {
    await throttle.check(user, ip);
    await throttle.recordFailure(user);
  }
}

describe('SignInThrottle (memory)', () => {
  it('refuses a username after maxFailuresPerUser failures, with a retry time within the window', async () => {
    const throttle = new SignInThrottle(settings);
    await failTimes(throttle, 'alice', 3);
    const err = await throttle.check('alice', '192.0.2.1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyAttemptsError);
    const retry = (err as TooManyAttemptsError).retryAfterSeconds;
    expect(retry).toBeGreaterThan(14 * 60);
    expect(retry).toBeLessThanOrEqual(15 * 60);
    expect((err as TooManyAttemptsError).status).toBe(429);
  });

  it('counts usernames apart, and from any IP', async () => {
    const throttle = new SignInThrottle(settings);
    await failTimes(throttle, 'alice', 3, '192.0.2.1');
    await expect(throttle.check('alice', '198.51.100.7')).rejects.toBeInstanceOf(TooManyAttemptsError);
    await expect(throttle.check('bob', '192.0.2.1')).resolves.toBeUndefined();
  });

  it('forgets the failures after a success', async () => {
    const throttle = new SignInThrottle(settings);
    await failTimes(throttle, 'alice', 2);
    await throttle.recordSuccess('alice');
    await failTimes(throttle, 'alice', 2);
    await expect(throttle.check('alice', '192.0.2.1')).resolves.toBeUndefined();
  });

  it('releases when the window has passed', async () => {
    // 0.02 minutes: a 1-second window (the limiter counts whole seconds).
    const throttle = new SignInThrottle({ ...settings, windowMinutes: 1 / 60 });
    await failTimes(throttle, 'alice', 3);
    await expect(throttle.check('alice', '192.0.2.1')).rejects.toBeInstanceOf(TooManyAttemptsError);
    await new Promise((r) => setTimeout(r, 1100));
    await expect(throttle.check('alice', '192.0.2.1')).resolves.toBeUndefined();
  });

  it('limits attempts per IP whatever the usernames', async () => {
    const throttle = new SignInThrottle({ ...settings, maxAttemptsPerIp: 5 });
    for (let i = 0; i < 5; i++) await throttle.check(`user${i}`, '203.0.113.9');
    await expect(throttle.check('someone-else', '203.0.113.9')).rejects.toBeInstanceOf(TooManyAttemptsError);
    await expect(throttle.check('someone-else', '203.0.113.10')).resolves.toBeUndefined();
  });
});
