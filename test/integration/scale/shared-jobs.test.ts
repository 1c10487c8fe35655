// Jobs seen from every instance: two job registries (as two app instances would have) sharing one real Redis.
// A job runs on A; B sees its progress and end, lists it, cancels it; the per-user bound counts both; a job whose
// instance stopped heartbeating reads as failed and frees its place. No timing: every wait is on a condition.
import { createClient, type RedisClientType } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, OpError } from '../../../src/files/index.js';
import { DEFAULT_JOB_SETTINGS, JobRegistry, RedisJobMirror, type Job, type JobSettings } from '../../../src/jobs/index.js';
import { LEASE_MS } from '../../../src/jobs/shared.js';
import { waitFor } from '../../fixtures/proc.js';
import { startRedis, type RedisFixture } from '../../fixtures/redis.js';
import { memoryLogger } from '../../helpers/web-app.js';

const REDIS_PORT = 6781;

let redis: RedisFixture;
/** The test's own connection, for looking at and altering what the instances stored. */
let admin: RedisClientType;
const clients: RedisClientType[] = [];
const registries: JobRegistry[] = [];

async function instance(settings: JobSettings = DEFAULT_JOB_SETTINGS): Promise<{ jobs: JobRegistry; mirror: RedisJobMirror; client: RedisClientType }> {
  const client: RedisClientType = createClient({ url: redis.url });
  await client.connect();
  clients.push(client);
  const mirror = new RedisJobMirror(client, settings, memoryLogger('warn').logger);
  await mirror.subscribed;
  const jobs = new JobRegistry(settings, {}, mirror);
  registries.push(jobs);
  return { jobs, mirror, client };
}

/** A run that waits until cancelled (then stops as an operation does) or released. */
function held(): { run: (job: Job) => Promise<void>; release: () => void } {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  return {
    release: () => release(),
    run: (job) =>
      Promise.race([
        released,
        new Promise<void>((_, reject) => job.signal.addEventListener('abort', () => reject(new CancelledError()), { once: true })),
      ]),
  };
}

async function setCalls(): Promise<number> {
  const info = await admin.info('commandstats');
  return Number(/cmdstat_set:calls=(\d+)/.exec(info)?.[1] ?? 0);
}

beforeAll(async () => {
  redis = await startRedis({ name: 'scale-jobs', port: REDIS_PORT });
  admin = createClient({ url: redis.url });
  await admin.connect();
}, 60_000);

afterAll(async () => {
  for (const r of registries) await r.close();
  for (const c of [...clients, admin]) if (c?.isOpen) await c.close();
  await redis?.stop();
});

describe('jobs shared between instances through Redis', () => {
  it('a job running on A: B sees its progress, results and end, lists it, and never shows it to another user', async () => {
    const a = await instance();
    const b = await instance();
    const hold = held();
    const before = await setCalls();
    const job = await a.jobs.begin('Alice', 'delete', async (j) => {
      j.setTotal({ items: 1000, bytes: 0 });
      // A thousand changes in one go: the mirror writes a few views, not a thousand.
      for (let i = 0; i < 1000; i++) j.itemDone({ from: `f${i}`, to: null, action: 'deleted' });
      await hold.run(j);
    });
    // Written before begin() resolved: B knows it at once.
    expect((await b.jobs.view('alice', job.id))?.state).toBe('running');
    await waitFor('B to see all 1000 items', async () => (await b.jobs.view('alice', job.id))?.done.items === 1000, 10_000, 50);
    const seen = await b.jobs.view('alice', job.id, 990);
    expect(seen?.total).toEqual({ items: 1000, bytes: 0 });
    expect(seen?.results.map((r) => r.from)).toEqual(Array.from({ length: 10 }, (_, i) => `f${990 + i}`));
    expect((await setCalls()) - before).toBeLessThanOrEqual(3);
    expect(await b.jobs.view('bob', job.id)).toBeUndefined();
    expect(await b.jobs.views('bob')).toEqual([]);

    hold.release();
    await job.finished;
    await waitFor('B to see the job done', async () => (await b.jobs.view('ALICE', job.id))?.state === 'done', 10_000, 50);
    const listed = await b.jobs.views('alice');
    expect(listed.map((v) => v.id)).toContain(job.id);
    const done = listed.find((v) => v.id === job.id);
    expect(done?.results).toHaveLength(1000);
    expect(done?.finishedAt).toBe(job.finishedAt?.toISOString());
  });

  it('cancels through B a job A runs: A stops it, and B answers with its cancelled view', async () => {
    const a = await instance();
    const b = await instance();
    const hold = held();
    const job = await a.jobs.begin('carol', 'copy', async (j) => {
      j.itemDone({ from: 'x', to: 'y', action: 'copied' });
      await hold.run(j);
    });
    const view = await b.jobs.cancel('carol', job.id, 10_000);
    expect(view?.state).toBe('cancelled');
    expect(job.state).toBe('cancelled');
    expect(view?.results).toEqual([{ from: 'x', to: 'y', action: 'copied' }]);
    // Another user cannot cancel it, nor learn it exists.
    expect(await b.jobs.cancel('mallory', job.id, 100)).toBeUndefined();
  });

  it('holds the per-user bound across instances: 50 starts at once on A and B against a bound of 2, exactly 2 run', async () => {
    const settings = { ...DEFAULT_JOB_SETTINGS, maxRunningPerUser: 2 };
    const a = await instance(settings);
    const b = await instance(settings);
    const hold = held();
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).jobs.begin('dave', 'copy', hold.run).catch((err: unknown) => err)),
    );
    const started = outcomes.filter((o): o is Job => !(o instanceof Error));
    expect(started).toHaveLength(2);
    const refused = outcomes.filter((o) => o instanceof OpError);
    expect(refused).toHaveLength(48);
    expect(refused[0]).toMatchObject({ opCode: 'busy', status: 429 });
    // Another user is not counted with dave.
    const other = await a.jobs.begin('erin', 'copy', async () => undefined);
    await other.finished;
    // Once they end, their places are free again on both.
    hold.release();
    await Promise.all(started.map((j) => j.finished));
    await waitFor('the ended jobs to leave the running count', async () => {
      const next = await b.jobs.begin('dave', 'copy', async () => undefined).catch(() => undefined);
      return next !== undefined;
    }, 10_000, 50);
  });

  it('a running job whose instance stopped heartbeating reads as failed, and its place is free again', async () => {
    const settings = { ...DEFAULT_JOB_SETTINGS, maxRunningPerUser: 1 };
    const a = await instance(settings);
    const b = await instance(settings);
    const hold = held();
    const job = await a.jobs.begin('frank', 'move', hold.run);
    await expect(b.jobs.begin('frank', 'move', async () => undefined)).rejects.toMatchObject({ opCode: 'busy' });
    // A dies (as far as Redis can tell: it writes nothing more), and that was LEASE_MS ago.
    a.client.destroy();
    const r = admin;
    const key = `portcullis:job:${job.id}`;
    const stored = JSON.parse((await r.get(key)) ?? '{}') as { heartbeat: number };
    const then = Date.now() - LEASE_MS - 1000;
    await r.set(key, JSON.stringify({ ...stored, heartbeat: then }));
    await r.zAdd('portcullis:job:running:frank', { score: then, value: job.id });
    const view = await b.jobs.view('frank', job.id);
    expect(view?.state).toBe('failed');
    expect(view?.failures.at(-1)?.message).toMatch(/server running this operation stopped/u);
    const next = await b.jobs.begin('frank', 'move', async () => undefined);
    await next.finished;
    hold.release();
    await job.finished;
  });
});
