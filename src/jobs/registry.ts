/**
 * Long file operations as jobs: each runs in the background of this process (it goes on when the page that
 * started it is closed), reports its progress, can be cancelled, and is kept for a while after it ends so a
 * returning page can see where it got to. Jobs belong to the user who started them: another user asking for
 * the id is told there is no such job. Kept in memory: a job lives and dies with its process (an instance
 * behind a load balancer answers only for its own jobs; a restart forgets them, and stops running ones).
 */
import { randomUUID } from 'node:crypto';
import type { OpFailure, OpProgress, OpResult } from '../files/index.js';
import { CancelledError, OpError, opErrorOf } from '../files/index.js';

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

export class Job implements OpProgress {
  readonly id = randomUUID();
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
  }
  setCurrent(path: string | null): void {
    this.current = path;
  }
  addBytes(n: number): void {
    this.done.bytes += n;
  }
  itemDone(result: OpResult): void {
    this.done.items++;
    this.results.push(result);
  }
  failed(failure: OpFailure): void {
    this.failures.push(failure);
  }
  afterItem(): Promise<void> {
    return this.hooks.afterItem?.(this) ?? Promise.resolve();
  }

  /** Ends the job from what its run did: cancelled, done (maybe with failures), or failed (nothing got done). */
  settle(err: unknown): void {
    if (err instanceof CancelledError || (err !== undefined && this.signal.aborted)) this.state = 'cancelled';
    else if (err !== undefined) {
      const e = opErrorOf(err);
      this.failures.push({ path: '', code: e.opCode, message: e.message });
      this.state = 'failed';
    } else this.state = this.failures.length > 0 && this.results.length === 0 ? 'failed' : 'done';
    this.current = null;
    this.finishedAt = new Date();
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

export class JobRegistry {
  private readonly byOwner = new Map<string, Job[]>();
  private closed = false;

  constructor(
    private readonly settings: JobSettings = DEFAULT_JOB_SETTINGS,
    private readonly hooks: JobHooks = {},
  ) {}

  /**
   * Starts `run` as a job of `owner`. `onEnd` runs once it has stopped (the audit line; wiping the credential it
   * ran with). Refused while the registry is closing.
   */
  start(owner: string, kind: JobKind, run: (job: Job) => Promise<void>, onEnd?: (job: Job) => void): Job {
    if (this.closed) throw new Error('job registry is closed');
    const list = this.byOwner.get(ownerKey(owner)) ?? [];
    // Counted and added in one synchronous step, so parallel requests cannot all pass the check.
    const running = list.filter((j) => j.state === 'running').length;
    if (running >= this.settings.maxRunningPerUser) {
      throw new OpError('busy', `You already have ${running} operations running. Wait for one to finish (or cancel one), then try again.`);
    }
    const job = new Job(owner, kind, this.hooks);
    list.push(job);
    this.byOwner.set(ownerKey(owner), list);
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

  /** The owner's job, or undefined (also for another user's id: not theirs to see). */
  get(owner: string, id: string): Job | undefined {
    this.prune(owner);
    return this.byOwner.get(ownerKey(owner))?.find((j) => j.id === id);
  }

  /** The owner's jobs, newest first. */
  list(owner: string): Job[] {
    this.prune(owner);
    return [...(this.byOwner.get(ownerKey(owner)) ?? [])].reverse();
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

  /** At shutdown: cancels every running job and waits for them to stop. */
  async close(): Promise<void> {
    this.closed = true;
    const running = [...this.byOwner.values()].flat().filter((j) => j.state === 'running');
    for (const j of running) j.cancel();
    await Promise.all(running.map((j) => j.finished));
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
