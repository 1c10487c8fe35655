/**
 * Jobs seen from every instance: behind a round-robin balancer the page's polls of a job land on any instance,
 * and only one runs it. The running instance mirrors each job's view into Redis (not the work: that stays where
 * it started) — at once when it starts and ends, otherwise at most every WRITE_EVERY_MS — with its results as a
 * list it appends to, so a big delete does not rewrite 10,000 results four times a second. Any instance answers
 * from there; a cancel is published on a channel and the instance running the job cancels it; the per-user bound
 * on running jobs is a sorted set of leases, taken in one atomic script.
 *
 * An instance that dies stops heartbeating: after LEASE_MS its running jobs read as failed ("the server running
 * this operation stopped"), and their places in the running count are free again. Heartbeats are compared with
 * the reader's clock, so instances' clocks must agree to within a few seconds (NTP).
 */
import type { RedisClientType } from 'redis';
import type { Logger } from '../log.js';
import type { OpResult } from '../files/index.js';
import { CATALOGUES, translate } from '../i18n/index.js';
import type { Job, JobMirror, JobSettings, JobView } from './registry.js';

const PREFIX = 'portcullis:job:';
const CHANNEL = 'portcullis:job-cancel';
/** Progress is written at most this often per job (its start and end at once). */
export const WRITE_EVERY_MS = 250;
/** A running job's view and running place are refreshed this often even when it makes no progress… */
const HEARTBEAT_MS = 10_000;
/** …and count as abandoned (its instance gone) once this old. */
export const LEASE_MS = 30_000;

interface Stored {
  owner: string;
  /** When the running instance last wrote it (its clock, ms). */
  heartbeat: number;
  view: Omit<JobView, 'results'>;
}

interface Entry {
  job: Job;
  /** Writes of this job, one after another, so an older view never lands after a newer one. */
  chain: Promise<void>;
  /** Results already appended to the list. */
  pushed: number;
  lastWrite: number;
  timer?: NodeJS.Timeout;
}

// Drops leases that have run out, then takes a place if one is free: -1 when taken, else the running count.
const RESERVE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local n = redis.call('ZCARD', KEYS[1])
if n >= tonumber(ARGV[2]) then return n end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return -1`;

const ownerKey = (owner: string): string => owner.toLowerCase();
const viewKey = (id: string): string => `${PREFIX}${id}`;
const resultsKey = (id: string): string => `${PREFIX}${id}:results`;
const ownerJobsKey = (owner: string): string => `${PREFIX}owner:${ownerKey(owner)}`;
const runningKey = (owner: string): string => `${PREFIX}running:${ownerKey(owner)}`;

export class RedisJobMirror implements JobMirror {
  private readonly entries = new Map<string, Entry>();
  private readonly subscriber: RedisClientType;
  private readonly heartbeat: NodeJS.Timeout;
  private cancelHandler: (owner: string, id: string) => boolean = () => false;
  private readonly ttlSeconds: number;

  constructor(
    private readonly redis: RedisClientType,
    private readonly settings: JobSettings,
    private readonly logger: Logger,
  ) {
    this.ttlSeconds = Math.max(1, Math.ceil(settings.keepForMs / 1000));
    this.heartbeat = setInterval(() => {
      for (const e of this.entries.values()) if (e.job.state === 'running') this.enqueue(e);
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
    // A subscribed connection can do nothing else: a second one, in the background. Until it is up (or if it never
    // is), a cancel sent through another instance does not arrive; the one running the job still cancels directly.
    this.subscriber = redis.duplicate();
    let lastError = '';
    this.subscriber.on('error', (err: unknown) => {
      const text = err instanceof Error ? err.message : String(err);
      if (text !== lastError) logger.warn('jobs: Redis subscriber error', { err });
      lastError = text;
    });
    this.subscriber.on('ready', () => (lastError = ''));
    this.subscribed = this.subscriber
      .connect()
      .then(() =>
        this.subscriber.subscribe(CHANNEL, (message) => {
          try {
            const { owner, id } = JSON.parse(message) as { owner: string; id: string };
            // Every instance hears it; only the one running the job acts (and says so).
            if (this.cancelHandler(owner, id)) logger.info('job cancelled through another instance', { job: id, user: owner });
          } catch (err) {
            logger.warn('jobs: a cancel request that cannot be read', { err });
          }
        }),
      )
      .then(
        () => undefined,
        (err: unknown) => {
          logger.warn('jobs: cannot subscribe to cancel requests; a job is cancelled only through the instance running it', { err });
        },
      );
  }

  /** Settles once cancel requests are being heard (or subscribing failed, logged). */
  readonly subscribed: Promise<void>;

  async reserve(owner: string, id: string, max: number): Promise<number> {
    const now = Date.now();
    try {
      const reply = await this.redis.eval(RESERVE, {
        keys: [runningKey(owner)],
        arguments: [String(now), String(max), String(now + LEASE_MS), id, String(LEASE_MS)],
      });
      return Number(reply);
    } catch (err) {
      // Redis away: the bound holds per instance (the registry's own count) rather than refusing all work.
      this.logger.warn('jobs: cannot count running jobs across instances; counting this instance only', { err });
      return -1;
    }
  }

  async release(owner: string, id: string): Promise<void> {
    await this.redis.zRem(runningKey(owner), id).catch((err: unknown) => this.logger.warn('jobs: cannot release a running place', { err }));
  }

  changed(job: Job, urgent: boolean): void {
    let entry = this.entries.get(job.id);
    if (!entry) {
      if (job.state !== 'running' && !urgent) return;
      entry = { job, chain: Promise.resolve(), pushed: 0, lastWrite: 0 };
      this.entries.set(job.id, entry);
    }
    if (urgent) {
      clearTimeout(entry.timer);
      entry.timer = undefined;
      this.enqueue(entry);
      return;
    }
    if (entry.timer !== undefined) return;
    const e = entry;
    e.timer = setTimeout(() => {
      e.timer = undefined;
      this.enqueue(e);
    }, Math.max(0, e.lastWrite + WRITE_EVERY_MS - Date.now()));
  }

  flush(job: Job): Promise<void> {
    return this.entries.get(job.id)?.chain ?? Promise.resolve();
  }

  async get(owner: string, id: string, since: number): Promise<JobView | undefined> {
    const [raw, results] = await Promise.all([this.redis.get(viewKey(id)), this.redis.lRange(resultsKey(id), since, -1)]);
    const stored = raw === null ? undefined : parseStored(raw);
    if (stored?.owner !== ownerKey(owner)) return undefined;
    return this.viewOf(stored, results);
  }

  async list(owner: string): Promise<JobView[]> {
    const ids = await this.redis.zRange(ownerJobsKey(owner), 0, -1);
    if (ids.length === 0) return [];
    const raws = await this.redis.mGet(ids.map(viewKey));
    const gone = ids.filter((_, i) => raws[i] === null);
    if (gone.length > 0) await this.redis.zRem(ownerJobsKey(owner), gone);
    const live = ids.flatMap((id, i) => {
      const stored = raws[i] ? parseStored(raws[i]) : undefined;
      return stored?.owner === ownerKey(owner) ? [{ id, stored }] : [];
    });
    const results = await Promise.all(live.map(({ id }) => this.redis.lRange(resultsKey(id), 0, -1)));
    const views = live.map(({ stored }, i) => this.viewOf(stored, results[i] ?? [])).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    // As the registry keeps them: every running job, and the newest finished ones (time is Redis's TTL).
    const finished = views.filter((v) => v.state !== 'running').slice(0, this.settings.keepPerUser);
    return views.filter((v) => v.state === 'running' || finished.includes(v));
  }

  async requestCancel(owner: string, id: string): Promise<void> {
    await this.redis.publish(CHANNEL, JSON.stringify({ owner, id }));
  }

  onCancel(handler: (owner: string, id: string) => boolean): void {
    this.cancelHandler = handler;
  }

  /** Writes what is pending (the registry has stopped its jobs by now), then drops the subscriber. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const e of this.entries.values()) {
      if (e.timer !== undefined) {
        clearTimeout(e.timer);
        e.timer = undefined;
        this.enqueue(e);
      }
    }
    await Promise.all([...this.entries.values()].map((e) => e.chain));
    try {
      this.subscriber.destroy();
    } catch {
      // already closed
    }
  }

  private enqueue(entry: Entry): void {
    entry.chain = entry.chain
      .then(() => this.write(entry))
      .catch((err: unknown) => {
        this.logger.warn('jobs: cannot write a job view to Redis', { err });
      });
  }

  private async write(entry: Entry): Promise<void> {
    const { job } = entry;
    const { results, ...view } = job.view(entry.pushed);
    const now = Date.now();
    const stored: Stored = { owner: ownerKey(job.owner), heartbeat: now, view };
    const running = job.state === 'running';
    const multi = this.redis
      .multi()
      .set(viewKey(job.id), JSON.stringify(stored), { EX: this.ttlSeconds })
      .zAdd(ownerJobsKey(job.owner), { score: job.startedAt.getTime(), value: job.id })
      .expire(ownerJobsKey(job.owner), this.ttlSeconds);
    if (results.length > 0) multi.rPush(resultsKey(job.id), results.map((r) => JSON.stringify(r)));
    multi.expire(resultsKey(job.id), this.ttlSeconds);
    if (running) multi.zAdd(runningKey(job.owner), { score: now + LEASE_MS, value: job.id }).pExpire(runningKey(job.owner), LEASE_MS);
    else multi.zRem(runningKey(job.owner), job.id);
    await multi.exec();
    entry.pushed += results.length;
    entry.lastWrite = now;
    // Its last view is written: nothing more will change.
    if (!running && entry.timer === undefined) this.entries.delete(job.id);
  }

  /** The stored view; a running one whose instance stopped heartbeating reads as failed. */
  private viewOf(stored: Stored, results: string[]): JobView {
    const view: JobView = { ...stored.view, results: results.map((r) => JSON.parse(r) as OpResult) };
    if (view.state !== 'running' || Date.now() - stored.heartbeat <= LEASE_MS) return view;
    return {
      ...view,
      state: 'failed',
      current: null,
      finishedAt: new Date(stored.heartbeat).toISOString(),
      failures: [...view.failures, { path: '', code: 'failed', message: translate(CATALOGUES.en, 'en', 'errors.op.serverStopped'), messageKey: 'errors.op.serverStopped' }],
    };
  }
}

function parseStored(raw: string): Stored | undefined {
  try {
    return JSON.parse(raw) as Stored;
  } catch {
    return undefined;
  }
}
