// The jobs registry on its own: owners, outcomes, cancelling, and the bound on what is kept.
import { describe, expect, it } from 'vitest';
import { CancelledError, OpError } from '../../../src/files/index.js';
import { DEFAULT_JOB_SETTINGS, JobRegistry, type Job } from '../../../src/jobs/index.js';

const waitFor = (job: Job): Promise<void> => job.finished;

describe('JobRegistry', () => {
  it('a job belongs to its owner (case-insensitively); another user finds nothing by its id', async () => {
    const jobs = new JobRegistry();
    const job = jobs.start('Alice', 'delete', async () => undefined);
    await waitFor(job);
    expect(jobs.get('alice', job.id)).toBe(job);
    expect(jobs.get('bob', job.id)).toBeUndefined();
    expect(jobs.list('bob')).toEqual([]);
    expect(jobs.list('ALICE').map((j) => j.id)).toEqual([job.id]);
  });

  it('ends done, done with failures (partial), failed (nothing done) or cancelled', async () => {
    const jobs = new JobRegistry({ ...DEFAULT_JOB_SETTINGS, maxRunningPerUser: 5 });
    const ok = jobs.start('a', 'copy', async (j) => j.itemDone({ from: 'x', to: 'y', action: 'copied' }));
    const partial = jobs.start('a', 'copy', async (j) => {
      j.itemDone({ from: 'x', to: 'y', action: 'copied' });
      j.failed({ path: 'z', code: 'in-use', message: '“z” is in use' });
    });
    const nothing = jobs.start('a', 'delete', async (j) => j.failed({ path: 'z', code: 'denied', message: 'no' }));
    const broken = jobs.start('a', 'move', async () => {
      throw new OpError('not-found', 'gone');
    });
    const cancelled = jobs.start('a', 'delete', async (j) => {
      await new Promise<void>((resolve) => j.signal.addEventListener('abort', () => resolve(), { once: true }));
      throw new CancelledError();
    });
    cancelled.cancel();
    await Promise.all([ok, partial, nothing, broken, cancelled].map(waitFor));
    expect(ok.view()).toMatchObject({ state: 'done', failures: [], done: { items: 1 } });
    expect(partial.view()).toMatchObject({ state: 'done', failures: [{ path: 'z', code: 'in-use' }] });
    expect(nothing.view().state).toBe('failed');
    expect(broken.view()).toMatchObject({ state: 'failed', failures: [{ path: '', code: 'not-found', message: 'gone' }] });
    expect(cancelled.view().state).toBe('cancelled');
    expect(cancelled.view().finishedAt).not.toBeNull();
  });

  it('keeps at most keepPerUser finished jobs per user, and none past keepForMs; running jobs always', async () => {
    const jobs = new JobRegistry({ keepPerUser: 2, keepForMs: 60_000, maxRunningPerUser: 4 });
    let release: () => void = () => undefined;
    const running = jobs.start('a', 'delete', () => new Promise<void>((r) => (release = r)));
    const done = [];
    for (let i = 0; i < 4; i++) {
      const j = jobs.start('a', 'delete', async () => undefined);
      await waitFor(j);
      done.push(j);
    }
    expect(jobs.list('a').map((j) => j.id)).toEqual([done[3]?.id, done[2]?.id, running.id]);
    release();
    await waitFor(running);
    const old = new JobRegistry({ keepPerUser: 5, keepForMs: 0, maxRunningPerUser: 4 });
    const gone = old.start('a', 'copy', async () => undefined);
    await waitFor(gone);
    expect(old.get('a', gone.id)).toBeUndefined();
  });

  it('refuses a user more than maxRunningPerUser running jobs at once (429 busy), others and later starts unaffected', async () => {
    const jobs = new JobRegistry({ keepPerUser: 20, keepForMs: 60_000, maxRunningPerUser: 2 });
    const releases: (() => void)[] = [];
    const hold = (): Promise<void> => new Promise<void>((r) => releases.push(r));
    // 50 starts in one go, as parallel requests would make them: exactly the bound gets through.
    const outcomes = Array.from({ length: 50 }, () => {
      try {
        return jobs.start('alice', 'copy', hold);
      } catch (err) {
        return err;
      }
    });
    const started = outcomes.filter((o): o is Job => !(o instanceof Error));
    expect(started).toHaveLength(2);
    const refused = outcomes.filter((o) => o instanceof OpError);
    expect(refused).toHaveLength(48);
    expect(refused[0]).toMatchObject({ opCode: 'busy', status: 429 });
    expect((refused[0] as OpError).message).toMatch(/already have 2 operations running/u);
    // Another user is not affected; a finished job frees its place.
    const bobs = jobs.start('bob', 'delete', async () => undefined);
    await waitFor(bobs);
    for (const release of releases.splice(0)) release();
    await Promise.all(started.map(waitFor));
    const again = jobs.start('alice', 'delete', async () => undefined);
    await waitFor(again);
    expect(again.view().state).toBe('done');
  });

  it('view(since) returns only the later results; close() cancels what runs', async () => {
    const jobs = new JobRegistry();
    const job = jobs.start('a', 'delete', async (j) => {
      for (let i = 0; i < 5; i++) j.itemDone({ from: `f${i}`, to: null, action: 'deleted' });
      await new Promise<void>((resolve) => j.signal.addEventListener('abort', () => resolve(), { once: true }));
      throw new CancelledError();
    });
    expect(job.view(3).results.map((r) => r.from)).toEqual(['f3', 'f4']);
    await jobs.close();
    expect(job.state).toBe('cancelled');
    expect(() => jobs.start('a', 'delete', async () => undefined)).toThrow();
  });
});
