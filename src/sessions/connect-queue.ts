import { SmbBusyError } from './errors.js';

/**
 * SMB connection set-ups in the order they were asked for, at most `concurrency` at a time. 200 sessions opening
 * their connections at once made Samba fork 200 smbd processes and about 5% of the NEGOTIATEs time out after
 * 10 s: a 503 that looked like a dead server. Queued, each set-up is quick; one that would wait longer than
 * `maxWaitMs`, or find `maxQueued` already waiting, gets SmbBusyError (503) with a Retry-After estimate at once.
 */
export interface ConnectQueueSettings {
  concurrency: number;
  maxWaitMs: number;
  maxQueued: number;
}

interface Waiter {
  start(): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** Retry-After bounds, in seconds: never "now", never so long the user gives up. */
const MIN_RETRY_SECONDS = 1;
const MAX_RETRY_SECONDS = 60;

export class ConnectQueue {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  /** Moving average of one set-up's time, for Retry-After. */
  private averageMs = 100;

  constructor(private readonly settings: ConnectQueueSettings) {}

  get stats(): { connecting: number; waiting: number } {
    return { connecting: this.running, waiting: this.waiting.length };
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

  /** Fails every queued set-up (at shutdown). */
  rejectAll(err: () => Error): void {
    for (const w of this.waiting.splice(0)) {
      clearTimeout(w.timer);
      w.reject(err());
    }
  }

  private busy(): SmbBusyError {
    const ahead = this.waiting.length + 1;
    const seconds = Math.ceil((ahead * this.averageMs) / this.settings.concurrency / 1000);
    return new SmbBusyError({ retryAfterSeconds: Math.min(MAX_RETRY_SECONDS, Math.max(MIN_RETRY_SECONDS, seconds)) });
  }

  private slot(): Promise<void> {
    if (this.running < this.settings.concurrency && this.waiting.length === 0) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.settings.maxQueued) return Promise.reject(this.busy());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        start: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        reject,
        timer: setTimeout(() => {
          const at = this.waiting.indexOf(waiter);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(this.busy());
        }, this.settings.maxWaitMs),
      };
      waiter.timer.unref();
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
