import { SignInBusyError } from './errors.js';

/**
 * Sign-ins in the order they came, at most `concurrency` at a time. The DC is the bottleneck of a sign-in storm:
 * 200 at once, unqueued, made every one of them slow and many time out (a 503 that looked like a broken
 * directory). Queued, each waits its turn; one that would wait longer than `maxWaitMs`, or find `maxQueued`
 * already waiting, is answered at once with SignInBusyError (503 + Retry-After) instead.
 */
export interface SignInQueueSettings {
  concurrency: number;
  maxWaitMs: number;
  maxQueued: number;
}

interface Waiter {
  start(): void;
  timer: NodeJS.Timeout;
}

/** Retry-After bounds, in seconds: never "now", never so long the user gives up. */
const MIN_RETRY_SECONDS = 1;
const MAX_RETRY_SECONDS = 60;

export class SignInQueue {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  /** Moving average of how long one sign-in holds its slot, for Retry-After. */
  private averageMs = 200;

  constructor(private readonly settings: SignInQueueSettings) {}

  get stats(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.slot();
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.averageMs = 0.9 * this.averageMs + 0.1 * (performance.now() - started);
      this.release();
    }
  }

  /** How long until a sign-in arriving now would likely get a slot. */
  retryAfterSeconds(): number {
    const ahead = this.waiting.length + 1;
    const seconds = Math.ceil((ahead * this.averageMs) / this.settings.concurrency / 1000);
    return Math.min(MAX_RETRY_SECONDS, Math.max(MIN_RETRY_SECONDS, seconds));
  }

  private slot(): Promise<void> {
    if (this.running < this.settings.concurrency && this.waiting.length === 0) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.settings.maxQueued) return Promise.reject(new SignInBusyError(this.retryAfterSeconds()));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        start: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          const at = this.waiting.indexOf(waiter);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(new SignInBusyError(this.retryAfterSeconds()));
        }, this.settings.maxWaitMs),
      };
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
