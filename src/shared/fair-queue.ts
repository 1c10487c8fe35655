/**
 * A bounded fair queue: work runs at most `concurrency` at a time, the rest waits in arrival order. A waiter that
 * would wait longer than `maxWaitMs`, or arrives to find `maxQueued` already waiting, is turned away at once with
 * an overload error carrying a Retry-After estimate — a clear "try again in N seconds", never a timeout that looks
 * like a broken service. Sign-ins at the directory and SMB connection set-ups both queue through it; each passes
 * its own error for the overload (the page's sentence differs), which is why this sits below both in src/shared.
 */

export interface FairQueueSettings {
  concurrency: number;
  maxWaitMs: number;
  maxQueued: number;
  /** Assumed time one piece of work holds its slot until some have been measured (for Retry-After). */
  initialAverageMs?: number;
}

/** Turned away: the queue is full, or the wait ran out. The default overload error. */
export class QueueOverloadError extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    readonly reason: 'full' | 'timeout',
  ) {
    super(`busy, try again in ${retryAfterSeconds} s`);
    this.name = 'QueueOverloadError';
  }
}

interface Waiter {
  start(): void;
  fail(err: unknown): void;
}

/** Retry-After bounds, in seconds: never "now", never so long the user gives up. */
export const MIN_RETRY_SECONDS = 1;
export const MAX_RETRY_SECONDS = 60;

export class FairQueue {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  /** Moving average of how long one piece of work holds its slot. */
  private averageMs: number;

  constructor(
    private readonly settings: FairQueueSettings,
    private readonly overloaded: (retryAfterSeconds: number, reason: 'full' | 'timeout') => Error = (s, r) => new QueueOverloadError(s, r),
  ) {
    this.averageMs = settings.initialAverageMs ?? 100;
  }

  get stats(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** Runs `work` in its turn. `signal` withdraws a waiter from the queue (rejecting with its reason). */
  async run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.slot(signal);
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.averageMs = 0.9 * this.averageMs + 0.1 * (performance.now() - started);
      this.release();
    }
  }

  /** How long until work arriving now would likely get a slot. */
  retryAfterSeconds(): number {
    const ahead = this.waiting.length + 1;
    const seconds = Math.ceil((ahead * this.averageMs) / this.settings.concurrency / 1000);
    return Math.min(MAX_RETRY_SECONDS, Math.max(MIN_RETRY_SECONDS, seconds));
  }

  /** Fails every waiter (at shutdown); running work is left to finish. */
  rejectAll(err: () => Error): void {
    for (const w of this.waiting.splice(0)) w.fail(err());
  }

  private slot(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.running < this.settings.concurrency && this.waiting.length === 0) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.settings.maxQueued) return Promise.reject(this.overloaded(this.retryAfterSeconds(), 'full'));
    return new Promise((resolve, reject) => {
      const leave = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
      };
      // Each way out removes the waiter first, so a slot handed on can only go to one still waiting: none leaks.
      const waiter: Waiter = {
        start: () => {
          leave();
          resolve();
        },
        fail: (err) => {
          leave();
          reject(err as Error);
        },
      };
      const timer = setTimeout(() => {
        leave();
        reject(this.overloaded(this.retryAfterSeconds(), 'timeout'));
      }, this.settings.maxWaitMs);
      timer.unref();
      const onAbort = (): void => waiter.fail(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next in line, so a newcomer can never jump the queue.
    if (next) next.start();
    else this.running--;
  }
}
