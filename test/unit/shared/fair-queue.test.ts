// The bounded fair queue that sign-ins and SMB connection set-ups both wait in.
import { describe, expect, it } from 'vitest';
import { FairQueue, QueueOverloadError } from '../../../src/shared/fair-queue.js';

function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('FairQueue', () => {
  it('hands each freed slot to the longest waiter: arrival order, and a newcomer never jumps the line', async () => {
    const queue = new FairQueue({ concurrency: 1, maxWaitMs: 60_000, maxQueued: 100 });
    const gates = Array.from({ length: 6 }, gate);
    const started: number[] = [];
    const runs = gates.slice(0, 5).map((g, i) => queue.run(async () => {
      started.push(i);
      await g.promise;
    }));
    await expect.poll(() => started).toEqual([0]);
    gates[0]!.open();
    await expect.poll(() => started).toEqual([0, 1]);
    // Arrives while 2, 3, 4 wait: goes behind them even though a slot frees right after.
    const late = queue.run(async () => {
      started.push(5);
    });
    gates[1]!.open();
    await expect.poll(() => started).toEqual([0, 1, 2]);
    for (const g of gates) g.open();
    await Promise.all([...runs, late]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(queue.stats).toEqual({ running: 0, waiting: 0 });
  });

  it('turns away at once when full, and after maxWaitMs when the wait runs out: a typed error with Retry-After 1–60 s', async () => {
    const queue = new FairQueue({ concurrency: 1, maxWaitMs: 30, maxQueued: 1 });
    const held = gate();
    const first = queue.run(() => held.promise);
    const waited = queue.run(() => Promise.resolve('never')).catch((e: unknown) => e);
    const full = await queue.run(() => Promise.resolve('never')).catch((e: unknown) => e);
    expect(full).toBeInstanceOf(QueueOverloadError);
    expect(full).toMatchObject({ reason: 'full' });
    const timedOut = await waited;
    expect(timedOut).toBeInstanceOf(QueueOverloadError);
    expect(timedOut).toMatchObject({ reason: 'timeout' });
    for (const err of [full, timedOut] as QueueOverloadError[]) {
      expect(err.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(err.retryAfterSeconds).toBeLessThanOrEqual(60);
    }
    held.open();
    await first;
    // Each owner gives its own error for the overload.
    class Mine extends Error {}
    const own = new FairQueue({ concurrency: 1, maxWaitMs: 10, maxQueued: 0 }, (s) => new Mine(`in ${s}`));
    const hold = gate();
    const running = own.run(() => hold.promise);
    await expect(own.run(() => Promise.resolve())).rejects.toBeInstanceOf(Mine);
    hold.open();
    await running;
  });

  it('leaks no slot when waiters time out, are aborted or throw, all in parallel', async () => {
    const concurrency = 3;
    const queue = new FairQueue({ concurrency, maxWaitMs: 5, maxQueued: 1000 });
    let active = 0;
    let peak = 0;
    const work = (i: number) => async (): Promise<number> => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setImmediate(resolve));
      active--;
      if (i % 7 === 0) throw new Error('work failed');
      return i;
    };
    const controllers = Array.from({ length: 300 }, () => new AbortController());
    const outcomes = controllers.map((c, i) => queue.run(work(i), c.signal).then(() => 'ok', (e: unknown) => (e instanceof QueueOverloadError ? 'overload' : e instanceof Error && e.message === 'work failed' ? 'threw' : 'aborted')));
    // Every fifth is withdrawn while it waits (or before it starts), an already aborted one is refused outright.
    controllers.forEach((c, i) => i % 5 === 0 && c.abort(new Error('gone')));
    const aborted = new AbortController();
    aborted.abort(new Error('gone'));
    await expect(queue.run(work(1), aborted.signal)).rejects.toThrow('gone');
    const results = await Promise.all(outcomes);
    expect(peak).toBeLessThanOrEqual(concurrency);
    expect(results.filter((r) => r === 'aborted').length).toBeGreaterThan(0);
    expect(queue.stats).toEqual({ running: 0, waiting: 0 });
    // All slots are free: `concurrency` held at once start without waiting.
    const holds = Array.from({ length: concurrency }, gate);
    const started: number[] = [];
    const again = holds.map((g, i) => queue.run(async () => {
      started.push(i);
      await g.promise;
    }));
    await expect.poll(() => started.length).toBe(concurrency);
    for (const g of holds) g.open();
    await Promise.all(again);
  });
});
