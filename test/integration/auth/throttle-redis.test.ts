import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TooManyAttemptsError } from '../../../src/auth/errors.js';
import { type SignInReservation, SignInThrottle } from '../../../src/auth/throttle.js';
import { startRedis, type RedisFixture } from '../../fixtures/redis.js';

const settings = { maxFailuresPerUser: 3, maxFailuresPerIp: 4, windowMinutes: 15 };

async function settle<T>(work: Promise<T>[]): Promise<{ granted: T[]; refused: unknown[] }> {
  const results = await Promise.allSettled(work);
  return {
    granted: results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
    refused: results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : [])),
  };
}

describe('SignInThrottle on a real redis-server: two instances share counts', () => {
  let redis: RedisFixture;
  let clientA: ReturnType<typeof createClient>;
  let clientB: ReturnType<typeof createClient>;

  beforeAll(async () => {
    // Apart from the sessions tests' 6390–6399 and restarts' 6403.
    redis = await startRedis({ name: 'auth-throttle', port: 6500 });
    clientA = await createClient({ url: redis.url }).connect();
    clientB = await createClient({ url: redis.url }).connect();
  });
  afterAll(async () => {
    await clientA?.quit();
    await clientB?.quit();
    await redis?.stop();
  });

  it('a failure counted by one instance is refused by the other, and a correct password gives back only its own point', async () => {
    const a = new SignInThrottle(settings, { redis: clientA, keyPrefix: 'test1' });
    const b = new SignInThrottle(settings, { redis: clientB, keyPrefix: 'test1' });
    await (await a.reserve('alice', '192.0.2.1')).failed();
    await (await b.reserve('alice', '192.0.2.2')).passwordAccepted();
    await (await b.reserve('alice', '192.0.2.2')).failed();
    expect(Number(await clientA.get('test1:user:alice'))).toBe(2);
    await (await a.reserve('alice', '192.0.2.3')).failed();
    await expect(a.reserve('alice', '192.0.2.5')).rejects.toBeInstanceOf(TooManyAttemptsError);
    await expect(b.reserve('alice', '192.0.2.5')).rejects.toBeInstanceOf(TooManyAttemptsError);
  });

  it('50 wrong passwords at once for one username, split over both instances: only maxFailuresPerUser get through', async () => {
    const a = new SignInThrottle(settings, { redis: clientA, keyPrefix: 'test2' });
    const b = new SignInThrottle(settings, { redis: clientB, keyPrefix: 'test2' });
    let reached = 0;
    const { refused } = await settle(
      Array.from({ length: 50 }, async (_, i) => {
        const reservation = await (i % 2 ? a : b).reserve('ivan', `198.51.100.${i}`);
        reached++;
        // The directory answers later, as a real bind does.
        await new Promise((resolve) => setTimeout(resolve, 20));
        await reservation.failed();
      }),
    );
    expect(reached).toBe(3);
    expect(refused).toHaveLength(47);
    for (const err of refused) {
      expect(err).toBeInstanceOf(TooManyAttemptsError);
      expect((err as TooManyAttemptsError).retryAfterSeconds).toBeGreaterThan(14 * 60);
    }
    // Refused attempts left nothing behind in Redis: the count is exactly the three failures.
    expect(Number(await clientA.get('test2:user:ivan'))).toBe(3);
  });

  it('a point given back on one instance frees it for the other', async () => {
    const a = new SignInThrottle(settings, { redis: clientA, keyPrefix: 'test4' });
    const b = new SignInThrottle(settings, { redis: clientB, keyPrefix: 'test4' });
    const held = await Promise.all([a.reserve('ivan', '192.0.2.1'), a.reserve('ivan', '192.0.2.1'), a.reserve('ivan', '192.0.2.1')]);
    // b has no attempt of its own in flight to wait for, so it refuses at once.
    await expect(b.reserve('ivan', '192.0.2.9')).rejects.toBeInstanceOf(TooManyAttemptsError);
    await held[0]?.passwordNotSent();
    const next = await b.reserve('ivan', '192.0.2.9');
    expect(Number(await clientA.get('test4:user:ivan'))).toBe(3);
    await Promise.all([next.passwordAccepted(), ...held.slice(1).map((r) => r.passwordAccepted())]);
    expect(Number(await clientA.get('test4:user:ivan'))).toBe(0);
  });

  it('counts failures per IP across instances, never successes', async () => {
    const a = new SignInThrottle(settings, { redis: clientA, keyPrefix: 'test3' });
    const b = new SignInThrottle(settings, { redis: clientB, keyPrefix: 'test3' });
    for (let i = 0; i < 20; i++) await (await (i % 2 ? a : b).reserve(`student${i}`, '203.0.113.1')).passwordAccepted();
    const reservations: SignInReservation[] = [];
    for (let i = 0; i < 4; i++) reservations.push(await (i % 2 ? a : b).reserve(`u${i}`, '203.0.113.1'));
    await Promise.all(reservations.map((r) => r.failed()));
    const err = await a.reserve('u5', '203.0.113.1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyAttemptsError);
    expect((err as TooManyAttemptsError).retryAfterSeconds).toBeGreaterThan(14 * 60);
    await expect(b.reserve('u5', '203.0.113.2')).resolves.toBeDefined();
  });
});
