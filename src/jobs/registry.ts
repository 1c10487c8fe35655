/**
 * Long file operations as jobs: each runs in the background of this process (it goes on when the page that
 * started it is closed), reports its progress, can be cancelled, and is kept for a while after it ends so a
 * returning page can see where it got to. Jobs belong to the user who started them: another user asking for
 * the id is told there is no such job. The work lives and dies with its process (a restart stops running jobs).
 * Alone, the registry is in memory. With a shared mirror (Redis, shared.ts) every instance behind a load balancer
 * sees every job's view, can cancel it (the owning instance is told), and the per-user bound on running jobs
 * counts the user's jobs on all instances.
 */
import { randomUUID } from 'node:crypto';
import type { OpFailure, OpProgress, OpResult } from '../files/index.js';
import { CancelledError, failureOf, OpError, opErrorOf } from '../files/index.js';

export type JobKind = 'delete' | 'copy' | 'move';
export type JobState = 'running' | 'done' | 'failed' | 'cancelled';

/** The JSON shape of a job (README, "File operations API"). */
export interface JobView {
  id: string;
  kind: JobKind;
  state: JobState;
  total: { items: number; bytes: number } | null;
  done: { items: number; bytes: number };
  current: string | null;
  failures: OpFailure[];
  results: OpResult[];
  startedAt: string;
  finishedAt: string | null;
}

export interface JobSettings {
  /** Finished jobs kept per user (the oldest go first). */
  keepPerUser: number;
  /** How long a finished job is kept. */
  keepForMs: number;
  /**
   * Jobs one user may have running at once. Each holds SMB work open for as long as it runs, so without a bound
   * one user (or a script) could start thousands and take every connection's credits from everyone else.
   */
  maxRunningPerUser: number;
}

export const DEFAULT_JOB_SETTINGS: JobSettings = { keepPerUser: 20, keepForMs: 60 * 60 * 1000, maxRunningPerUser: 4 };

export interface JobHooks {
  /** Awaited after every item of every job (tests hold a job midway with it). */
  afterItem?: (job: Job) => Promise<void>;
}

/** Told of every change to a job; `urgent` for its start and end (a mirror writes those at once). */
export type JobListener = (job: Job, urgent: boolean) => void;

export class Job implements OpProgress {
  state: JobState = 'running';
  total: { items: number; bytes: number } | null = null;
  readonly done = { items: 0, bytes: 0 };
  current: string | null = null;
  readonly failures: OpFailure[] = [];
  readonly results: OpResult[] = [];
  readonly startedAt = new Date();
  finishedAt: Date | null = null;
  private readonly controller = new AbortController();
  /** Settles when the job has stopped (whatever its outcome). */
  readonly finished: Promise<void>;
  private markFinished!: () => void;

  constructor(
    readonly owner: string,
    readonly kind: JobKind,
    private readonly hooks: JobHooks,
    readonly id: string = randomUUID(),
    private readonly listener: JobListener = () => undefined,
  ) {
    this.finished = new Promise((resolve) => (this.markFinished = resolve));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  cancel(): void {
    this.controller.abort(new CancelledError());
  }

  setTotal(total: { items: number; bytes: number }): void {
    this.total = { ...total };
    this.listener(this, false);
  }
  setCurrent(path: string | null): void {
    this.current = path;
    this.listener(this, false);
  }
  addBytes(n: number): void {
    this.done.bytes += n;
    this.listener(this, false);
  }
  itemDone(result: OpResult): void {
    this.done.items++;
    this.results.push(result);
    this.listener(this, false);
  }
  failed(failure: OpFailure): void {
    this.failures.push(failure);
    this.listener(this, false);
  }
  afterItem(): Promise<void> {
    return this.hooks.afterItem?.(this) ?? Promise.resolve();
  }

  /** Ends the job from what its run did: cancelled, done (maybe with failures), or failed (nothing got done). */
  settle(err: unknown): void {
    if (err instanceof CancelledError || (err !== undefined && this.signal.aborted)) this.state = 'cancelled';
    else if (err !== undefined) {
      const e = opErrorOf(err);
      this.failures.push(failureOf('', e));
      this.state = 'failed';
    } else this.state = this.failures.length > 0 && this.results.length === 0 ? 'failed' : 'done';
    this.current = null;
    this.finishedAt = new Date();
    this.listener(this, true);
    this.markFinished();
  }

  /** The job as JSON; `since`: only the results after the first `since` (a poller's incremental read). */
  view(since = 0): JobView {
    return {
      id: this.id,
      kind: this.kind,
      state: this.state,
      total: this.total === null ? null : { ...this.total },
      done: { ...this.done },
      current: this.current,
      failures: [...this.failures],
      results: this.results.slice(since),
      startedAt: this.startedAt.toISOString(),
      finishedAt: this.finishedAt?.toISOString() ?? null,
    };
  }
}

const ownerKey = (username: string): string => username.toLowerCase();

const busy = (running: number): OpError =>
  new OpError('busy', `You already have ${running} operations running. Wait for one to finish (or cancel one), then try again.`);

/**
 * Job views shared between instances (Redis: shared.ts). The work stays on the instance that started it; the
 * mirror holds what others need to answer for it: its view, a place in the owner's running count, and a way to
 * ask the owning instance to cancel.
 */
export interface JobMirror {
  /** Takes one of the owner's `max` running places on all instances: -1 when taken, else how many are running. */
  reserve(owner: string, id: string, max: number): Promise<number>;
  /** Gives a place back (a start that did not happen after all). */
  release(owner: string, id: string): Promise<void>;
  /** The job changed: written within a short interval, or at once when `urgent` (its start and its end). */
  changed(job: Job, urgent: boolean): void;
  /** Settles once what is known of the job so far has been written. */
  flush(job: Job): Promise<void>;
  get(owner: string, id: string, since: number): Promise<JobView | undefined>;
  /** The owner's jobs on every instance, newest first, with the registry's keep rules applied. */
  list(owner: string): Promise<JobView[]>;
  /** Asks whichever instance runs the job to cancel it. */
  requestCancel(owner: string, id: string): Promise<void>;
  /** `handler` hears every cancel request (from any instance); true when it ran the job and cancelled it. */
  onCancel(handler: (owner: string, id: string) => boolean): void;
  close(): Promise<void>;
}

/** While cancelling a job another instance runs: how often its view is read back to see it stop. */
const CANCEL_POLL_MS = 100;

export class JobRegistry {
  private readonly byOwner = new Map<string, Job[]>();
  private closed = false;

  constructor(
    private readonly settings: JobSettings = DEFAULT_JOB_SETTINGS,
    private readonly hooks: JobHooks = {},
    private readonly mirror?: JobMirror,
  ) {
    mirror?.onCancel((owner, id) => {
      const job = this.get(owner, id);
      if (job?.state !== 'running') return false;
      job.cancel();
      return true;
    });
  }

  /**
   * Starts `run` as a job of `owner` on this instance (the bound on running jobs counts this instance's only; with
   * a mirror, use begin()). `onEnd` runs once it has stopped (the audit line; wiping the credential it ran with).
   * Refused while the registry is closing.
   */
  start(owner: string, kind: JobKind, run: (job: Job) => Promise<void>, onEnd?: (job: Job) => void, id?: string): Job {
    if (this.closed) throw new Error('job registry is closed');
    const list = this.byOwner.get(ownerKey(owner)) ?? [];
    // Counted and added in one synchronous step, so parallel requests cannot all pass the check.
    const running = list.filter((j) => j.state === 'running').length;
    if (running >= this.settings.maxRunningPerUser) throw busy(running);
    const mirror = this.mirror;
    const job = new Job(owner, kind, this.hooks, id, mirror ? (j, urgent) => mirror.changed(j, urgent) : undefined);
    list.push(job);
    this.byOwner.set(ownerKey(owner), list);
    mirror?.changed(job, true);
    void (async () => {
      let error: unknown;
      try {
        await run(job);
      } catch (err) {
        error = err ?? new Error('job failed');
      }
      job.settle(error);
      try {
        onEnd?.(job);
      } finally {
        this.prune(owner);
      }
    })();
    return job;
  }

  /**
   * start(), with the per-user bound held across instances when there is a mirror: the place is taken in the
   * mirror first (one atomic step there), and the job's first view is written before this resolves, so a request
   * for it through any instance finds it.
   */
  async begin(owner: string, kind: JobKind, run: (job: Job) => Promise<void>, onEnd?: (job: Job) => void): Promise<Job> {
    const mirror = this.mirror;
    if (!mirror) return this.start(owner, kind, run, onEnd);
    const id = randomUUID();
    const running = await mirror.reserve(owner, id, this.settings.maxRunningPerUser);
    if (running >= 0) throw busy(running);
    let job: Job;
    try {
      job = this.start(owner, kind, run, onEnd, id);
    } catch (err) {
      await mirror.release(owner, id);
      throw err;
    }
    await mirror.flush(job);
    return job;
  }

  /** The owner's job run by this instance, or undefined (also for another user's id: not theirs to see). */
  get(owner: string, id: string): Job | undefined {
    this.prune(owner);
    return this.byOwner.get(ownerKey(owner))?.find((j) => j.id === id);
  }

  /** The owner's jobs run by this instance, newest first. */
  list(owner: string): Job[] {
    this.prune(owner);
    return [...(this.byOwner.get(ownerKey(owner)) ?? [])].reverse();
  }

  /** The view of the owner's job, whichever instance runs it; `since` as in Job.view. */
  async view(owner: string, id: string, since = 0): Promise<JobView | undefined> {
    return this.get(owner, id)?.view(since) ?? (await this.mirror?.get(owner, id, since));
  }

  /** The owner's jobs on every instance, newest first (this instance's own as they are this moment). */
  async views(owner: string): Promise<JobView[]> {
    const local = this.list(owner).map((j) => j.view());
    if (!this.mirror) return local;
    const byId = new Map((await this.mirror.list(owner)).map((v) => [v.id, v]));
    for (const v of local) byId.set(v.id, v);
    return [...byId.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  /**
   * Cancels the owner's job wherever it runs and waits up to `waitMs` for it to stop; its view then (still
   * 'running' if it has not stopped by then), or undefined for no such job.
   */
  async cancel(owner: string, id: string, waitMs: number): Promise<JobView | undefined> {
    const job = this.get(owner, id);
    if (job) {
      if (job.state === 'running') {
        job.cancel();
        await this.settled(job, waitMs);
      }
      return job.view();
    }
    if (!this.mirror) return undefined;
    let view = await this.mirror.get(owner, id, 0);
    if (view?.state !== 'running') return view;
    await this.mirror.requestCancel(owner, id);
    const until = Date.now() + waitMs;
    while (view.state === 'running' && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, CANCEL_POLL_MS));
      view = (await this.mirror.get(owner, id, 0)) ?? view;
    }
    return view;
  }

  /** Waits for the job to stop, at most `ms`; true when it has. */
  async settled(job: Job, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    try {
      return await Promise.race([job.finished.then(() => true as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** At shutdown: cancels every running job and waits for them to stop (and, with a mirror, their last views). */
  async close(): Promise<void> {
    this.closed = true;
    const running = [...this.byOwner.values()].flat().filter((j) => j.state === 'running');
    for (const j of running) j.cancel();
    await Promise.all(running.map((j) => j.finished));
    await this.mirror?.close();
  }

  /** Drops finished jobs past their time, and the oldest finished beyond the per-user count. */
  private prune(owner: string): void {
    const key = ownerKey(owner);
    const list = this.byOwner.get(key);
    if (list === undefined) return;
    const now = Date.now();
    const kept = list.filter((j) => j.finishedAt === null || now - j.finishedAt.getTime() < this.settings.keepForMs);
    const finished = kept.filter((j) => j.finishedAt !== null);
    const drop = new Set(finished.slice(0, Math.max(0, finished.length - this.settings.keepPerUser)));
    const left = kept.filter((j) => !drop.has(j));
    if (left.length === 0) this.byOwner.delete(key);
    else this.byOwner.set(key, left);
  }
}
