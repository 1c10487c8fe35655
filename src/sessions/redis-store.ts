// The Redis session store (connect-redis on node-redis), kept apart so its modules load only when REDIS_URL is set.
import type { SessionData } from 'express-session';
import { RedisStore } from 'connect-redis';
import { createClient, type RedisClientType } from 'redis';
import type { Config } from '../config/index.js';
import { UnavailableError } from '../errors/index.js';
import type { Logger } from '../log.js';
import { expiryOf } from './sqlite-store.js';
import type { SessionStoreDeps, SessionStoreHandle } from './store-types.js';

type Callback<T> = (err?: unknown, value?: T) => void;

const SESSIONS_UNAVAILABLE = 'Sign-in sessions are not available right now. Try again shortly.';

const unavailable = (err: unknown): UnavailableError => new UnavailableError(SESSIONS_UNAVAILABLE, { cause: err, code: 'sessions_unavailable' });

/** connect-redis passes Redis' own errors through; users should get the same 503 as for any outage. */
function mapped<T>(callback: Callback<T> | undefined): Callback<T> | undefined {
  if (callback === undefined) return undefined;
  return (err, value) => (err ? callback(unavailable(err)) : callback(null, value));
}

class PortcullisRedisStore extends RedisStore {
  override get(sid: string, cb?: Callback<SessionData | null>): Promise<unknown> {
    return super.get(sid, mapped(cb));
  }
  override set(sid: string, sess: SessionData, cb?: Callback<unknown>): Promise<unknown> {
    return super.set(sid, sess, mapped(cb));
  }
  override touch(sid: string, sess: SessionData, cb?: Callback<unknown>): Promise<unknown> {
    return super.touch(sid, sess, mapped(cb));
  }
  override destroy(sid: string, cb?: Callback<unknown>): Promise<unknown> {
    return super.destroy(sid, mapped(cb));
  }
}

export function createRedisSessionStore(config: Pick<Config, 'session' | 'dataDir'>, logger: Logger, deps: SessionStoreDeps, defaultTtlMs: number): SessionStoreHandle {
  const owned = deps.redisClient === undefined;
  let everConnected = false;
  const client: RedisClientType =
    deps.redisClient ??
    createClient({
      url: config.session.redisUrl,
      // Without this a request during an outage would wait for Redis forever; failing it gives a 503 now.
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 5000,
        // Give up only on the very first connection, so a wrong REDIS_URL stops start-up; later outages retry for ever.
        reconnectStrategy: (retries, cause) => (!everConnected && retries >= 5 ? cause : Math.min(100 * 2 ** retries, 3000)),
      },
    });
  let lastError = '';
  if (owned) {
    // node-redis emits 'error' on every failed reconnect; one line per distinct failure is enough.
    client.on('error', (err: unknown) => {
      const text = err instanceof Error ? err.message : String(err);
      if (text !== lastError) logger.warn('session store: Redis error', { err });
      lastError = text;
    });
    client.on('ready', () => {
      everConnected = true;
      if (lastError !== '') logger.info('session store: Redis connection restored');
      lastError = '';
    });
  }
  const ready: Promise<void> = owned
    ? client.connect().then(
        () => undefined,
        (err: unknown) => {
          throw new UnavailableError(`Cannot reach Redis for sessions at ${redactUrl(config.session.redisUrl)}`, { cause: err, code: 'sessions_unavailable' });
        },
      )
    : Promise.resolve();
  // The caller may never await ready; an unreachable Redis is logged above, so no unhandled rejection here.
  ready.catch(() => undefined);

  const store = new PortcullisRedisStore({
    client,
    prefix: 'portcullis:sess:',
    // Zero or less makes connect-redis delete the key, which is right for a session already past its expiry.
    ttl: (sess: SessionData) => Math.ceil((expiryOf(sess, defaultTtlMs) - Date.now()) / 1000),
  });
  return {
    store,
    kind: 'redis',
    redis: client,
    ready,
    close: async () => {
      if (owned && client.isOpen) await client.close();
    },
  };
}

function redactUrl(url: string | undefined): string {
  if (url === undefined) return '(client given)';
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}
