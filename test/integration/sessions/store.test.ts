import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import session, { type SessionData, type Store } from 'express-session';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../../src/config/index.js';
import { UnavailableError } from '../../../src/errors/index.js';
import { createLogger } from '../../../src/log.js';
import { createSessionStore, type SessionStoreHandle } from '../../../src/sessions/index.js';
import { startRedis, type RedisFixture } from '../../fixtures/redis.js';

const logger = createLogger({ level: 'error', format: 'json' });

/** What a 250-group AD user's session holds: about 10 KB of JSON. */
function bigSession(expiresInMs: number): SessionData {
  const groups = Array.from({ length: 250 }, (_, i) => `CN=group-${String(i + 1).padStart(3, '0')},CN=Users,DC=example,DC=test`);
  const data = {
    cookie: { originalMaxAge: expiresInMs, expires: new Date(Date.now() + expiresInMs), httpOnly: true, path: '/', sameSite: 'lax', secure: false },
    user: { username: 'manygroups', displayName: 'Morgan Manygroups — Zoë Ångström 📁', homeDirectory: '\\\\dc1.example.test\\users\\manygroups', groups },
    vault: { iv: 'AAAAAAAAAAAAAAAA', ciphertext: 'Q'.repeat(64), tag: 'B'.repeat(24) },
  };
  return data as unknown as SessionData;
}

const roundTrip = (sess: SessionData): unknown => JSON.parse(JSON.stringify(sess));

const get = (store: Store, sid: string): Promise<SessionData | null | undefined> =>
  new Promise((resolve, reject) => store.get(sid, (err, s) => (err ? reject(err as Error) : resolve(s))));
const call = (fn: (cb: (err?: unknown) => void) => void): Promise<void> =>
  new Promise((resolve, reject) => fn((err) => (err ? reject(err as Error) : resolve())));
const set = (store: Store, sid: string, sess: SessionData) => call((cb) => store.set(sid, sess, cb));
const touch = (store: Store, sid: string, sess: SessionData) => call((cb) => store.touch?.(sid, sess, cb));
const destroy = (store: Store, sid: string) => call((cb) => store.destroy(sid, cb));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The same behaviour is asked of both stores. */
function storeContract(open: () => Promise<SessionStoreHandle>) {
  let handle: SessionStoreHandle;
  beforeAll(async () => {
    handle = await open();
    await handle.ready;
  });
  afterAll(async () => {
    await handle.close();
  });

  it('stores and returns a ~10 KB session (a 250-group user) intact', async () => {
    const sess = bigSession(60_000);
    expect(JSON.stringify(sess).length).toBeGreaterThan(9_000);
    await set(handle.store, 'sid-big', sess);
    expect(await get(handle.store, 'sid-big')).toEqual(roundTrip(sess));
  });

  it('returns nothing for an unknown id', async () => {
    expect(await get(handle.store, 'no-such-sid')).toBeFalsy();
  });

  it('destroys a session', async () => {
    await set(handle.store, 'sid-destroy', bigSession(60_000));
    await destroy(handle.store, 'sid-destroy');
    expect(await get(handle.store, 'sid-destroy')).toBeFalsy();
    await destroy(handle.store, 'sid-destroy'); // twice is fine: logout may race an expiry
  });

  it('forgets a session at its cookie expiry, and touch extends it', async () => {
    // 3 s: long enough that a busy machine still reads it back before it expires.
    await set(handle.store, 'sid-expiring', bigSession(3000));
    await set(handle.store, 'sid-touched', bigSession(3000));
    await touch(handle.store, 'sid-touched', bigSession(60_000));
    expect(await get(handle.store, 'sid-expiring')).toBeTruthy();
    await expect.poll(() => get(handle.store, 'sid-expiring'), { timeout: 20_000, interval: 200 }).toBeFalsy();
    expect(await get(handle.store, 'sid-touched')).toBeTruthy();
  });

  it('deletes rather than stores a session already past its expiry', async () => {
    await set(handle.store, 'sid-past', bigSession(60_000));
    await set(handle.store, 'sid-past', bigSession(-1000));
    expect(await get(handle.store, 'sid-past')).toBeFalsy();
  });

  it('works under express-session: a cookie carries the session across requests', async () => {
    const app = express();
    app.use(session({ store: handle.store, secret: 'test-secret', resave: false, saveUninitialized: false, rolling: true, cookie: { maxAge: 60_000, sameSite: 'lax' } }));
    app.get('/set', (req, res) => {
      const s = req.session as unknown as Record<string, unknown>;
      s.groups = (bigSession(1).user as unknown as { groups: string[] }).groups;
      res.send('ok');
    });
    app.get('/get', (req, res) => {
      res.json({ groups: ((req.session as unknown as Record<string, unknown>).groups as string[] | undefined)?.length ?? 0 });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const first = await fetch(`${base}/set`);
      const cookie = first.headers.get('set-cookie')?.split(';')[0] ?? '';
      expect(cookie).toMatch(/^connect\.sid=/u);
      const second = await fetch(`${base}/get`, { headers: { cookie } });
      expect(await second.json()).toEqual({ groups: 250 });
      const stranger = await fetch(`${base}/get`);
      expect(await stranger.json()).toEqual({ groups: 0 });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
}

function configFor(dataDir: string, env: Record<string, string> = {}): Config {
  return loadConfig({ DATA_DIR: dataDir, ...env });
}

describe('embedded SQLite session store', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-sessions-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  describe('contract', () => {
    storeContract(() => Promise.resolve(createSessionStore(configFor(dataDir), logger, { purgeIntervalMs: 0 })));
  });

  it('lives in <dataDir>/sessions.sqlite, private, in WAL mode', async () => {
    const handle = await createSessionStore(configFor(dataDir), logger);
    try {
      expect(handle.kind).toBe('sqlite');
      expect(handle.redis).toBeUndefined();
      const file = join(dataDir, 'sessions.sqlite');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(existsSync(`${file}-wal`)).toBe(true);
    } finally {
      void handle.close();
    }
  });

  it('keeps sessions when the file is closed and opened again (an app restart)', async () => {
    const first = await createSessionStore(configFor(dataDir), logger);
    const sess = bigSession(60_000);
    await set(first.store, 'sid-restart', sess);
    await first.close();
    const second = await createSessionStore(configFor(dataDir), logger);
    try {
      expect(await get(second.store, 'sid-restart')).toEqual(roundTrip(sess));
    } finally {
      await second.close();
    }
  });

  it('purges expired rows periodically', async () => {
    const handle = await createSessionStore(configFor(dataDir), logger, { purgeIntervalMs: 200 });
    try {
      await call((cb) => handle.store.clear?.(cb));
      await set(handle.store, 'sid-gone', bigSession(100));
      await set(handle.store, 'sid-kept', bigSession(60_000));
      // The periodic purge deletes the expired row from the table itself: wait for that, not for a fixed time.
      const { default: Database } = await import('better-sqlite3');
      const rows = (): unknown[] => {
        const db = new Database(join(dataDir, 'sessions.sqlite'), { readonly: true });
        try {
          return db.prepare('SELECT sid FROM sessions').all();
        } finally {
          db.close();
        }
      };
      await expect.poll(rows, { timeout: 20_000, interval: 100 }).toEqual([{ sid: 'sid-kept' }]);
      const all = await new Promise<Record<string, SessionData>>((resolve, reject) =>
        handle.store.all?.((err, rows) => (err ? reject(err as Error) : resolve(rows as Record<string, SessionData>))),
      );
      expect(Object.keys(all)).toEqual(['sid-kept']);
    } finally {
      await handle.close();
    }
  });

  it('gives sessions without a cookie expiry the idle timeout', async () => {
    const handle = await createSessionStore(configFor(dataDir, { SESSION_IDLE_MINUTES: '1' }), logger, { purgeIntervalMs: 0 });
    try {
      const sess = bigSession(1);
      (sess.cookie as unknown as Record<string, unknown>).expires = null;
      await set(handle.store, 'sid-browser', sess);
      await sleep(50);
      expect(await get(handle.store, 'sid-browser')).toBeTruthy();
    } finally {
      await handle.close();
    }
  });
});

describe('Redis session store (real redis-server)', () => {
  let redis: RedisFixture;
  beforeAll(async () => {
    redis = await startRedis({ name: 'sessions', port: 6391 });
  });
  afterAll(async () => {
    await redis?.stop();
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-sessions-redis-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  describe('contract', () => {
    storeContract(() => Promise.resolve(createSessionStore(configFor(dataDir, { REDIS_URL: redis.url }), logger)));
  });

  it('is chosen by REDIS_URL and shares sessions between two app instances', async () => {
    const a = await createSessionStore(configFor(dataDir, { REDIS_URL: redis.url }), logger);
    const b = await createSessionStore(configFor(dataDir, { REDIS_URL: redis.url }), logger);
    try {
      await Promise.all([a.ready, b.ready]);
      expect(a.kind).toBe('redis');
      // Shared with sign-in throttling, which must see the same Redis.
      expect(await a.redis?.ping()).toBe('PONG');
      const sess = bigSession(60_000);
      await set(a.store, 'sid-shared', sess);
      expect(await get(b.store, 'sid-shared')).toEqual(roundTrip(sess));
      await destroy(b.store, 'sid-shared');
      expect(await get(a.store, 'sid-shared')).toBeFalsy();
      expect(existsSync(join(dataDir, 'sessions.sqlite'))).toBe(false);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('fails start-up clearly when Redis cannot be reached', async () => {
    const h = await createSessionStore(configFor(dataDir, { REDIS_URL: 'redis://127.0.0.1:6399' }), logger);
    await expect(h.ready).rejects.toBeInstanceOf(UnavailableError);
    await h.close();
  });

  it('answers 503 (UnavailableError) while Redis is down, and recovers when it is back', async () => {
    const own = await startRedis({ name: 'sessions-outage', port: 6392 });
    const h = await createSessionStore(configFor(dataDir, { REDIS_URL: own.url }), logger);
    try {
      await h.ready;
      await set(h.store, 'sid-outage', bigSession(60_000));
      await own.stop();
      await sleep(200);
      const err = await get(h.store, 'sid-outage').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnavailableError);
      expect((err as UnavailableError).status).toBe(503);
      const back = await startRedis({ name: 'sessions-outage', port: 6392 });
      try {
        // The fixture keeps nothing on disk, so the session is gone, but the store works again by itself.
        await expect.poll(async () => set(h.store, 'sid-again', bigSession(60_000)).then(() => true, () => false), { timeout: 10_000, interval: 200 }).toBe(true);
        expect(await get(h.store, 'sid-again')).toBeTruthy();
      } finally {
        await back.stop();
      }
    } finally {
      await h.close();
      await own.stop();
    }
  });
});
