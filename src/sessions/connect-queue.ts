import { FairQueue, type FairQueueSettings } from '../shared/fair-queue.js';
import { SmbBusyError } from './errors.js';

/**
 * SMB connection set-ups in the order they were asked for, at most `concurrency` at a time. 200 sessions opening
 * their connections at once made Samba fork 200 smbd processes and about 5% of the NEGOTIATEs time out after
 * 10 s: a 503 that looked like a dead server. Queued, each set-up is quick; one that would wait longer than
 * `maxWaitMs`, or find `maxQueued` already waiting, gets SmbBusyError (503) with a Retry-After estimate at once.
 */
export type ConnectQueueSettings = Omit<FairQueueSettings, 'initialAverageMs'>;

export class ConnectQueue extends FairQueue {
  constructor(settings: ConnectQueueSettings) {
    super({ ...settings, initialAverageMs: 100 }, (retryAfterSeconds) => new SmbBusyError({ retryAfterSeconds }));
  }
}
