import type { RequestHandler, Response } from 'express';
import { AppError, said } from '../../errors/index.js';
import { FairQueue, type FairQueueSettings } from '../../shared/fair-queue.js';

/**
 * Past its capacity the instance answers "busy, try again in N seconds" (503 + Retry-After) rather than taking
 * every request at once. Not an outage of anything upstream, so it is not reported as one.
 */
export class ServerBusyError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    const [message, options] = said('errors.serverBusy', { count: String(retryAfterSeconds) });
    super(503, message, 'server_busy', options);
  }
}

export type AdmissionSettings = Pick<FairQueueSettings, 'concurrency' | 'maxQueued' | 'maxWaitMs'>;

/**
 * Page and file GETs take their turn: at most `concurrency` are worked on before their answer starts (the
 * listing, the SMB round trips, the template), the rest wait in arrival order, and one that would wait longer
 * than `maxWaitMs` or finds `maxQueued` waiting gets ServerBusyError at once. At 500 sessions on one core,
 * unqueued, every request was in progress at once, all of them slow, and some got no answer in 60 s.
 * The turn ends when the answer's headers go out, so a long download or a live-updates stream holds no slot.
 * Only GET and HEAD: posts are uploads (long, and they hold their own body) or sign-ins (their own queue).
 */
export function admission(settings: AdmissionSettings): { middleware: RequestHandler; queue: FairQueue } {
  const queue = new FairQueue({ ...settings, initialAverageMs: 20 }, (retryAfterSeconds) => new ServerBusyError(retryAfterSeconds));
  const middleware: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const gone = new AbortController();
    res.once('close', () => gone.abort(new Error('the client went away while waiting')));
    // The work holding the slot: the request goes on, and the slot is given back when its headers go out.
    const turn = (): Promise<void> =>
      new Promise<void>((resolve) => {
        const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => Response;
        res.writeHead = ((...args: unknown[]) => {
          res.writeHead = writeHead as typeof res.writeHead;
          resolve();
          return writeHead(...args);
        }) as typeof res.writeHead;
        res.once('close', () => resolve());
        next();
      });
    queue.run(turn, gone.signal).catch((err: unknown) => {
      if (!gone.signal.aborted) next(err);
    });
  };
  return { middleware, queue };
}
