/**
 * Sign-out on one instance ends the session in the shared store, so no instance serves it again; but the other
 * instances still hold the SMB connections they opened for it, authenticated as the user, until they idle out
 * (SMB_IDLE_SECONDS). With Redis, an ended session is announced on a channel, and every instance closes its own
 * connections for it at once.
 */
import type { RedisClientType } from 'redis';
import type { Logger } from '../log.js';

const CHANNEL = 'portcullis:session-ended';

export interface SessionEndings {
  /** Tells every instance (this one included) that the session has ended. Never throws. */
  announce(sessionId: string): Promise<void>;
  /** Settles once the subscription is up, or has failed (logged). */
  subscribed: Promise<void>;
  close(): Promise<void>;
}

/**
 * Subscribes on a second connection (a subscribed Redis connection can do nothing else), in the background: start-up
 * never waits for it, and until it is up (or if it never is) connections of sessions ended elsewhere simply close
 * when they idle out, as they would without it.
 */
export function sessionEndings(redis: RedisClientType, onEnded: (sessionId: string) => Promise<void>, logger: Logger): SessionEndings {
  const subscriber = redis.duplicate();
  let lastError = '';
  // node-redis emits 'error' on every failed reconnect; an unhandled one would end the process.
  subscriber.on('error', (err: unknown) => {
    const text = err instanceof Error ? err.message : String(err);
    if (text !== lastError) logger.warn('session endings: Redis error', { err });
    lastError = text;
  });
  subscriber.on('ready', () => (lastError = ''));
  const listener = (sessionId: string): void => {
    onEnded(sessionId).catch((err: unknown) => logger.warn('closing the SMB connections of a session ended elsewhere failed', { err }));
  };
  // node-redis subscribes again by itself after a reconnect.
  const subscribed = subscriber
    .connect()
    .then(() => subscriber.subscribe(CHANNEL, listener))
    .catch((err: unknown) => logger.warn('session endings: cannot subscribe; SMB connections of sessions ended on other instances close when idle', { err }));
  return {
    subscribed: subscribed.then(() => undefined),
    announce: async (sessionId) => {
      try {
        await redis.publish(CHANNEL, sessionId);
      } catch (err) {
        logger.warn('session endings: cannot announce a sign-out to the other instances', { err });
      }
    },
    close: () => {
      // Nothing to flush on a subscriber: drop it at once, even mid-reconnect.
      try {
        subscriber.destroy();
      } catch {
        // already closed
      }
      return Promise.resolve();
    },
  };
}
