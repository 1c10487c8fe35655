import { join } from 'node:path';
import type { SessionData, Store } from 'express-session';
import { RedisStore } from 'connect-redis';
import { createClient, type RedisClientType } from 'redis';
import type { Config } from '../config/index.js';
import { UnavailableError } from '../errors/index.js';
import type { Logger } from '../log.js';
import { SqliteSessionStore, expiryOf } from './sqlite-store.js';

export interface SessionStoreDeps {
  /** Use this (already created) client instead of opening one from REDIS_URL; it is not closed by close(). */
  redisClient?: RedisClientType;
  /** Overrides `<dataDir>/sessions.sqlite`. */
  sqliteFile?: string;
  purgeIntervalMs?: number;
}

export interface SessionStoreHandle {
  store: Store;
  kind: 'sqlite' | 'redis';
  /**
   * The Redis client behind the store (undefined for SQLite), for other state several instances must share
   * (sign-in throttling). Commands fail at once during an outage rather than queue. close() closes it
   * when the store opened it, so close its other users first.
   */
  redis: RedisClientType | undefined;
  /**
   * Settles when the store can serve requests: at once for SQLite; for Redis when the first connection
   * is up, or rejects when Redis cannot be reached at start-up (so the server can refuse to start with
   * a clear message rather than answer every request with 503).
   */
  ready: Promise<void>;
  close(): Promise<void>;
}

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

/**
 * The server-side session store: SQLite in DATA_DIR by default (one instance, survives restarts),
 * Redis when REDIS_URL is set (several instances share sessions). Both keep a session until its
 * cookie's expiry, or for the idle timeout when the cookie has none.
 */
export function createSessionStore(config: Pick<Config, 'session' | 'dataDir'>, logger: Logger, deps: SessionStoreDeps = {}): SessionStoreHandle {
  const defaultTtlMs = config.session.idleMinutes * 60_000;

  if (config.session.redisUrl === undefined && deps.redisClient === undefined) {
    const store = new SqliteSessionStore({
      file: deps.sqliteFile ?? join(config.dataDir, 'sessions.sqlite'),
      defaultTtlMs,
      ...(deps.purgeIntervalMs === undefined ? {} : { purgeIntervalMs: deps.purgeIntervalMs }),
      onPurgeError: (err) => logger.error('could not purge expired sessions', { err }),
    });
    return {
      store,
      kind: 'sqlite',
      redis: undefined,
      ready: Promise.resolve(),
      close: () => {
        store.close();
        return Promise.resolve();
      },
    };
  }

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
