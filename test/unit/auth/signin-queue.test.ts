import { describe, expect, it } from 'vitest';
import { SignInBusyError } from '../../../src/auth/errors.js';
import { SignInQueue } from '../../../src/auth/signin-queue.js';
import { GroupSidCache, primaryGroupSid, sidToString } from '../../../src/auth/token-groups.js';

function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('SignInQueue', () => {
  it('runs at most `concurrency` at once and the rest in arrival order', async () => {
    const queue = new SignInQueue({ concurrency: 2, maxWaitMs: 60_000, maxQueued: 100 });
    const gates = Array.from({ length: 5 }, gate);
    const started: number[] = [];
    const runs = gates.map((g, i) => queue.run(async () => {
      started.push(i);
      await g.promise;
      return i;
    }));
    await expect.poll(() => started).toEqual([0, 1]);
    expect(queue.stats).toEqual({ running: 2, waiting: 3 });
    gates[1]!.open();
    await expect.poll(() => started).toEqual([0, 1, 2]);
    gates[0]!.open();
    await expect.poll(() => started).toEqual([0, 1, 2, 3]);
    for (const g of gates) g.open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(queue.stats).toEqual({ running: 0, waiting: 0 });
  });

  it('turns away a sign-in that waited maxWaitMs, or found the queue full, with a Retry-After of 1–60 s', async () => {
    const queue = new SignInQueue({ concurrency: 1, maxWaitMs: 50, maxQueued: 1 });
    const held = gate();
    const first = queue.run(() => held.promise);
    const waited = queue.run(() => Promise.resolve('never'));
    const full = await queue.run(() => Promise.resolve('never')).catch((e: unknown) => e);
    expect(full).toBeInstanceOf(SignInBusyError);
    const timedOut = await waited.catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(SignInBusyError);
    for (const err of [full, timedOut] as SignInBusyError[]) {
      expect(err.status).toBe(503);
      expect(err.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(err.retryAfterSeconds).toBeLessThanOrEqual(60);
      expect(err.message).toMatch(/^Many people are signing in right now\. Please try again in \d+ seconds?\.$/);
    }
    held.open();
    await first;
    expect(await queue.run(() => Promise.resolve('next'))).toBe('next');
  });

  it('frees the slot when a sign-in throws', async () => {
    const queue = new SignInQueue({ concurrency: 1, maxWaitMs: 1000, maxQueued: 10 });
    await expect(queue.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await queue.run(() => Promise.resolve(1))).toBe(1);
  });
});

describe('tokenGroups helpers', () => {
  it('reads binary SIDs and finds the primary group', () => {
    const sid = Buffer.from('AQUAAAAAAAUVAAAAvxBp8LGLnMTGOCmFTQYAAA==', 'base64');
    expect(sidToString(sid)).toBe('S-1-5-21-4033417407-3298593713-2234071238-1613');
    expect(sidToString(Buffer.from('AQIAAAAAAAUgAAAAIQIAAA==', 'base64'))).toBe('S-1-5-32-545');
    expect(sidToString(sid.subarray(0, 10))).toBeUndefined();
    expect(primaryGroupSid('S-1-5-21-1-2-3-1104', '513')).toBe('S-1-5-21-1-2-3-513');
  });

  it('caches SID → DN with a bound and a TTL', () => {
    let now = 0;
    const cache = new GroupSidCache({ maxEntries: 2, ttlMs: 1000 }, () => now);
    cache.set('S-1', 'CN=a');
    cache.set('S-2', null);
    cache.set('S-3', 'CN=c');
    expect(cache.size).toBe(2);
    expect(cache.get('S-1')).toBeUndefined();
    expect(cache.get('S-2')).toBeNull();
    now = 1000;
    expect(cache.get('S-3')).toBeUndefined();
  });
});
