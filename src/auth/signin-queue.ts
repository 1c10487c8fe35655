import { FairQueue, type FairQueueSettings } from '../shared/fair-queue.js';
import { SignInBusyError } from './errors.js';

/**
 * Sign-ins in the order they came, at most `concurrency` at a time. The DC is the bottleneck of a sign-in storm:
 * 200 at once, unqueued, made every one of them slow and many time out (a 503 that looked like a broken
 * directory). Queued, each waits its turn; one that would wait longer than `maxWaitMs`, or find `maxQueued`
 * already waiting, is answered at once with SignInBusyError (503 + Retry-After) instead.
 */
export type SignInQueueSettings = Omit<FairQueueSettings, 'initialAverageMs'>;

export class SignInQueue extends FairQueue {
  constructor(settings: SignInQueueSettings) {
    super({ ...settings, initialAverageMs: 200 }, (retryAfterSeconds) => new SignInBusyError(retryAfterSeconds));
  }
}
