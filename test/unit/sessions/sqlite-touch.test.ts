// The embedded store skips writing a rolling session's expiry when it barely moved (see TOUCH_MAX_SKIP_MS).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { SessionData } from 'express-session';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteSessionStore } from '../../../src/sessions/index.js';

const dirs: string[] = [];
const stores: SqliteSessionStore[] = [];

function open(): { store: SqliteSessionStore; expiresOf: (sid: string) => number | undefined } {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-touch-'));
  dirs.push(dir);
  const file = join(dir, 'sessions.db');
  const store = new SqliteSessionStore({ file, defaultTtlMs: 3_600_000, purgeIntervalMs: 0 });
  stores.push(store);
  const reader = new Database(file, { readonly: true });
  return {
    store,
    expiresOf: (sid) => (reader.prepare('SELECT expires FROM sessions WHERE sid = ?').get(sid) as { expires: number } | undefined)?.expires,
  };
}

const session = (expiresAt: number): SessionData => ({ cookie: { originalMaxAge: expiresAt - Date.now(), expires: new Date(expiresAt) } }) as unknown as SessionData;
const done = (fn: (cb: (err?: unknown) => void) => void): Promise<void> => new Promise((resolve, reject) => fn((err) => (err ? reject(err as Error) : resolve())));

afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('SqliteSessionStore.touch', () => {
  it('does not rewrite an expiry that moved by less than a minute of a 30-minute session, and writes a larger move', async () => {
    const { store, expiresOf } = open();
    const t0 = Date.now() + 30 * 60_000;
    await done((cb) => store.set('sid', session(t0), cb));
    expect(expiresOf('sid')).toBe(t0);

    await done((cb) => store.touch('sid', session(t0 + 5_000), cb));
    expect(expiresOf('sid')).toBe(t0);

    await done((cb) => store.touch('sid', session(t0 + 61_000), cb));
    expect(expiresOf('sid')).toBe(t0 + 61_000);
  });

  it('always writes a move that is large against a short session’s remaining life', async () => {
    const { store, expiresOf } = open();
    const t0 = Date.now() + 3_000;
    await done((cb) => store.set('sid', session(t0), cb));
    await done((cb) => store.touch('sid', session(t0 + 2_000), cb));
    expect(expiresOf('sid')).toBe(t0 + 2_000);
  });

  it('writes the expiry of a session this process has not written before (another instance set it)', async () => {
    const { store, expiresOf } = open();
    const t0 = Date.now() + 30 * 60_000;
    await done((cb) => store.set('sid', session(t0), cb));
    const other = new SqliteSessionStore({ file: join(dirs.at(-1) ?? '', 'sessions.db'), defaultTtlMs: 3_600_000, purgeIntervalMs: 0 });
    stores.push(other);
    await done((cb) => other.touch('sid', session(t0 + 1_000), cb));
    expect(expiresOf('sid')).toBe(t0 + 1_000);
  });
});
