import { join } from 'node:path';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import { SqliteSessionStore } from './sqlite-store.js';
import type { SessionStoreDeps, SessionStoreHandle } from './store-types.js';

export type { SessionStoreDeps, SessionStoreHandle } from './store-types.js';

/** The embedded store's file: `<DATA_DIR>/sessions.sqlite` unless a test names another. Settings and bookmarks share it. */
export const sessionsFile = (config: Pick<Config, 'dataDir'>, deps: Pick<SessionStoreDeps, 'sqliteFile'> = {}): string => deps.sqliteFile ?? join(config.dataDir, 'sessions.sqlite');

/**
 * The server-side session store: SQLite in DATA_DIR by default (one instance, survives restarts),
 * Redis when REDIS_URL is set (several instances share sessions). Both keep a session until its
 * cookie's expiry, or for the idle timeout when the cookie has none. The Redis modules (~17 MB once loaded)
 * are loaded only when Redis is configured.
 */
export async function createSessionStore(config: Pick<Config, 'session' | 'dataDir'>, logger: Logger, deps: SessionStoreDeps = {}): Promise<SessionStoreHandle> {
  const defaultTtlMs = config.session.idleMinutes * 60_000;

  if (config.session.redisUrl === undefined && deps.redisClient === undefined) {
    const store = new SqliteSessionStore({
      file: sessionsFile(config, deps),
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

  const { createRedisSessionStore } = await import('./redis-store.js');
  return createRedisSessionStore(config, logger, deps, defaultTtlMs);
}
