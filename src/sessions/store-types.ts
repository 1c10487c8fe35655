import type { Store } from 'express-session';
import type { RedisClientType } from 'redis';

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
