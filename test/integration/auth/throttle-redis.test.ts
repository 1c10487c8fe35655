import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TooManyAttemptsError } from '../../../src/auth/errors.js';
import { SignInThrottle } from '../../../src/auth/throttle.js';
import { startRedis, type RedisFixture } from '../../fixtures/redis.js';

const settings = { maxFailuresPerUser: 3, maxAttemptsPerIp: 4, windowMinutes: 15 };

describe('SignInThrottle on a real redis-server: two instances share counts', () => {
  let redis: RedisFixture;
  let clientA: ReturnType<typeof createClient>;
  let clientB: ReturnType<typeof createClient>;

  beforeAll(async () => {
    // Port apart from the sessions tests' 6390–6399.
    redis = await startRedis({ name: 'auth-throttle', port: 6410 });
    clientA = await createClient({ url: redis.url }).connect();
    clientB = await createClient({ url: redis.url }).connect();
  });
  afterAll(async () => {
    await clientA?.quit();
    await clientB?.quit();
    await redis?.stop();
  });

  it('a failure counted by one instance is refused by the other, and a success on either resets it', async () => {
    const a = new SignInThrottle(settings, { redis: clientA, keyPrefix: 'test1' });
    const b = new SignInThrottle(settings, { redis: clientB, keyPrefix: 'test1' });
    await a.recordFailure('alice');
    await b.recordFailure('alice');
    await a.recordFailure('alice');
    await expect(b.check('alice', '192.0.2.1')).rejects.toBeInstanceOf(TooManyAttemptsError);
    await b.recordSuccess('alice');
    await expect(a.check('alice', '192.0.2.2')).resolves.toBeUndefined();
    expect(await clientA.keys('test1:user:*')).toEqual([]);
  });

  it('counts attempts per IP across instances', async () => {
    const a = new SignInThrottle(settings, { redis: clientA, keyPrefix: 'test2' });
    const b = new SignInThrottle(settings, { redis: clientB, keyPrefix: 'test2' });
    await a.check('u1', '203.0.113.1');
    await b.check('u2', '203.0.113.1');
    await a.check('u3', '203.0.113.1');
    await b.check('u4', '203.0.113.1');
    const err = await a.check('u5', '203.0.113.1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyAttemptsError);
    expect((err as TooManyAttemptsError).retryAfterSeconds).toBeGreaterThan(14 * 60);
  });
});
