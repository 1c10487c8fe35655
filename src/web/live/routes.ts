/**
 * Live folders over Server-Sent Events: `GET /live/<drive>/<path…>/` (Accept: text/event-stream) streams what
 * changes in that folder on the file server, from a watch the hub shares with every other viewer of the same
 * folder on the same connection. The stream:
 *
 *   event: live      data: {}                                  the watch is in place
 *   event: change    data: {"action":"added","name":"a.txt"}   added | removed | modified | renamed-from | renamed-to
 *   event: overflow  data: {}                                  too many changes at once: re-read the folder
 *   event: paused    data: {"reason":"total-cap"}              no (more) live updates; the stream ends
 *   : hb                                                       a heartbeat comment every LIVE_HEARTBEAT_SECONDS
 *
 * A client that goes away (tab closed, navigated) lets go of its share of the watch; the last one stops it.
 */
import { type Request, type Response, Router } from 'express';
import type { Config } from '../../config/index.js';
import type { LiveEvent, Subscription, WatchHub } from '../../files/index.js';
import { toHttpError } from '../../errors/index.js';
import { credentialFor, requireUser } from '../auth/current-user.js';
import { driveTargetOf } from '../drive-target.js';

export function liveRoutes(config: Config, hub: WatchHub): Router {
  const router = Router();
  const heartbeatMs = config.live.heartbeatSeconds * 1000;

  // The folder page shows its live status (views/partials/live-status.ejs) only where live folders are on.
  router.use('/browse', (_req, res, next) => {
    res.locals.liveEnabled = config.live.maxWatches > 0;
    next();
  });

  router.use('/live', requireUser, (req, res, next) => {
    if (req.method !== 'GET') return next();
    try {
      const target = driveTargetOf(config, req, res);
      // Read now, while the request's cookies are at hand: the hub opens the watch with it.
      const credential = credentialFor(req);
      stream(req, res, heartbeatMs, (send) => hub.join({ sessionId: req.sessionID, credential: () => credential }, target.drive, target.segments, send));
    } catch (err) {
      next(toHttpError(err));
    }
  });
  return router;
}

/** Every this many heartbeats the stream checks that its sign-in session still exists. */
const SESSION_CHECK_BEATS = 4;

function stream(req: Request, res: Response, heartbeatMs: number, join: (send: (ev: LiveEvent) => void) => Subscription): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    // nginx buffers proxied responses by default; this one must go out as it is written.
    'X-Accel-Buffering': 'no',
  });
  // A reconnect after a dropped stream waits this long (the browser's EventSource does it by itself).
  res.write('retry: 5000\n\n');
  let open = true;
  let beats = 0;
  const heartbeat = setInterval(() => {
    res.write(': hb\n\n');
    // A session that ended without a sign-out (it expired, or was removed from the store) has no one to tell
    // the hub: the stream finds out itself, so it never outlives its sign-in by more than a few heartbeats.
    if (++beats % SESSION_CHECK_BEATS !== 0) return;
    req.session.reload((err: unknown) => {
      if (err || !req.session?.user) send({ type: 'paused', reason: 'signed-out' });
    });
  }, heartbeatMs);
  heartbeat.unref();
  const end = (): void => {
    if (!open) return;
    open = false;
    clearInterval(heartbeat);
    subscription.leave();
    res.end();
  };
  const send = (ev: LiveEvent): void => {
    if (!open) return;
    const { type, ...data } = ev;
    res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
    if (type === 'paused') queueMicrotask(end);
  };
  const subscription = join(send);
  // The client went away (tab closed, page left): its share of the watch goes with it.
  res.on('close', end);
}
