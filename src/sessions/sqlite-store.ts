import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import session from 'express-session';
import type { SessionData } from 'express-session';

type Callback<T = void> = (err?: unknown, value?: T) => void;

export interface SqliteSessionStoreOptions {
  file: string;
  /** Lifetime of a session whose cookie has no expiry (a browser-session cookie). */
  defaultTtlMs: number;
  /** How often expired rows are deleted; reading an expired session never returns it in between. */
  purgeIntervalMs?: number;
  onPurgeError?: (err: unknown) => void;
}

/** When a session ends: its cookie's expiry, or now + the default for browser-session cookies. */
export function expiryOf(sess: SessionData, defaultTtlMs: number, now = Date.now()): number {
  // A Date in memory, an ISO string once it has been through JSON.
  const expires: unknown = sess.cookie?.expires;
  if (expires instanceof Date || typeof expires === 'string' || typeof expires === 'number') {
    const at = new Date(expires).getTime();
    if (Number.isFinite(at)) return at;
  }
  return now + defaultTtlMs;
}

/**
 * A rolling session's expiry moves with every request. Writing it each time was a third of the store's cost
 * under load (a 50-session bench: 8% of the app's CPU in touch); a move smaller than a tenth of the session's
 * remaining life, and at most a minute, is not written. The session may then end that much early, never late.
 */
const TOUCH_MAX_SKIP_MS = 60_000;
const TOUCH_SKIP_FRACTION = 0.1;

interface Row {
  sess: string;
}

/**
 * An express-session Store in one SQLite file. Written here rather than taken from npm: the maintained
 * candidates pin old dependencies or target better-sqlite3 versions before 12, and this is ~100 lines.
 * WAL lets several processes on one host share the file (readers don't block the writer).
 */
export class SqliteSessionStore extends session.Store {
  private readonly db: Database.Database;
  private readonly defaultTtlMs: number;
  private readonly timer: NodeJS.Timeout | undefined;
  /** The expiry this process last wrote for each session it set or touched (see TOUCH_MAX_SKIP_MS). */
  private readonly written = new Map<string, number>();
  private readonly stmt: {
    get: Database.Statement<[string, number], Row>;
    set: Database.Statement<[string, string, number]>;
    touch: Database.Statement<[number, string]>;
    destroy: Database.Statement<[string]>;
    purge: Database.Statement<[number]>;
    clear: Database.Statement<[]>;
    length: Database.Statement<[number], { n: number }>;
    all: Database.Statement<[number], { sid: string; sess: string }>;
  };

  constructor(options: SqliteSessionStoreOptions) {
    super();
    this.defaultTtlMs = options.defaultTtlMs;
    // The file holds only ciphertext credentials, but session ids are bearer tokens: keep it private.
    mkdirSync(dirname(options.file), { recursive: true, mode: 0o700 });
    this.db = new Database(options.file);
    chmodSync(options.file, 0o600);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // Another process (a second instance, or the old one during a restart) may hold the write lock briefly.
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS sessions (
        sid TEXT PRIMARY KEY NOT NULL,
        sess TEXT NOT NULL,
        expires INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS sessions_expires ON sessions (expires);
    `);
    this.stmt = {
      get: this.db.prepare('SELECT sess FROM sessions WHERE sid = ? AND expires > ?'),
      set: this.db.prepare('INSERT INTO sessions (sid, sess, expires) VALUES (?, ?, ?) ON CONFLICT (sid) DO UPDATE SET sess = excluded.sess, expires = excluded.expires'),
      touch: this.db.prepare('UPDATE sessions SET expires = ? WHERE sid = ?'),
      destroy: this.db.prepare('DELETE FROM sessions WHERE sid = ?'),
      purge: this.db.prepare('DELETE FROM sessions WHERE expires <= ?'),
      clear: this.db.prepare('DELETE FROM sessions'),
      length: this.db.prepare('SELECT count(*) AS n FROM sessions WHERE expires > ?'),
      all: this.db.prepare('SELECT sid, sess FROM sessions WHERE expires > ?'),
    };
    const interval = options.purgeIntervalMs ?? 15 * 60_000;
    if (interval > 0) {
      this.timer = setInterval(() => {
        try {
          this.purge();
        } catch (err) {
          options.onPurgeError?.(err);
        }
      }, interval);
      this.timer.unref();
    }
  }

  /** Deletes expired sessions now; returns how many. */
  purge(now = Date.now()): number {
    for (const [sid, expires] of this.written) if (expires <= now) this.written.delete(sid);
    return this.stmt.purge.run(now).changes;
  }

  override get(sid: string, callback: Callback<SessionData | null>): void {
    let value: SessionData | null;
    try {
      const row = this.stmt.get.get(sid, Date.now());
      value = row === undefined ? null : (JSON.parse(row.sess) as SessionData);
    } catch (err) {
      callback(err);
      return;
    }
    callback(null, value);
  }

  override set(sid: string, sess: SessionData, callback?: Callback): void {
    const expires = expiryOf(sess, this.defaultTtlMs);
    this.run(() => {
      this.stmt.set.run(sid, JSON.stringify(sess), expires);
      this.written.set(sid, expires);
    }, callback);
  }

  override touch(sid: string, sess: SessionData, callback?: Callback): void {
    const now = Date.now();
    const expires = expiryOf(sess, this.defaultTtlMs, now);
    const last = this.written.get(sid);
    if (last !== undefined && last > now && expires >= last && expires - last < Math.min(TOUCH_MAX_SKIP_MS, (expires - now) * TOUCH_SKIP_FRACTION)) {
      callback?.();
      return;
    }
    this.run(() => {
      this.stmt.touch.run(expires, sid);
      this.written.set(sid, expires);
    }, callback);
  }

  override destroy(sid: string, callback?: Callback): void {
    this.written.delete(sid);
    this.run(() => this.stmt.destroy.run(sid), callback);
  }

  override clear(callback?: Callback): void {
    this.written.clear();
    this.run(() => this.stmt.clear.run(), callback);
  }

  override length(callback: Callback<number>): void {
    let n: number;
    try {
      n = this.stmt.length.get(Date.now())?.n ?? 0;
    } catch (err) {
      callback(err);
      return;
    }
    callback(null, n);
  }

  override all(callback: Callback<Record<string, SessionData>>): void {
    const out: Record<string, SessionData> = {};
    try {
      for (const row of this.stmt.all.all(Date.now())) out[row.sid] = JSON.parse(row.sess) as SessionData;
    } catch (err) {
      callback(err);
      return;
    }
    callback(null, out);
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.db.open) this.db.close();
  }

  // Callbacks run outside the try, so an exception thrown by express-session is not reported as a store error.
  private run(op: () => unknown, callback?: Callback): void {
    try {
      op();
    } catch (err) {
      callback?.(err);
      return;
    }
    callback?.();
  }
}
