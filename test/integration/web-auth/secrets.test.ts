// Neither the session store nor the logs hold the password or the NTLMv2 key (or anything that opens to it
// without the key cookie): a raw dump of the SQLite file and every log line are searched for each encoding.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveNtowfv2, openCredential } from '../../../src/auth/index.js';
import { KEY_COOKIE } from '../../../src/web/auth/session-data.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { type HttpClient, signIn, signInOk, signOut } from '../../helpers/http-client.js';
import { startWebApp, tempDataDir, type WebApp } from '../../helpers/web-app.js';

/** Every way the secret might be written down, as strings to search text for. */
function encodings(secret: Buffer, label: string): [string, string][] {
  return [
    [`${label} hex`, secret.toString('hex')],
    [`${label} HEX`, secret.toString('hex').toUpperCase()],
    [`${label} base64`, secret.toString('base64')],
    [`${label} base64 (unpadded)`, secret.toString('base64').replace(/=+$/, '')],
    [`${label} base64url`, secret.toString('base64url')],
  ];
}

function needles(domain: DomainInfo, usernames: string[]): [string, string][] {
  const utf8 = Buffer.from(DEMO_PASSWORD, 'utf8');
  const utf16 = Buffer.from(DEMO_PASSWORD, 'utf16le');
  const list: [string, string][] = [
    ['password', DEMO_PASSWORD],
    ['password (url-encoded)', encodeURIComponent(DEMO_PASSWORD)],
    ['password (UTF-16LE as latin1)', utf16.toString('latin1')],
    ...encodings(utf8, 'password UTF-8'),
    ...encodings(utf16, 'password UTF-16LE'),
  ];
  for (const username of usernames) list.push(...encodings(deriveNtowfv2(DEMO_PASSWORD, username, domain.netbiosDomain), `NTOWFv2(${username})`));
  return list;
}

function findIn(haystack: string, list: [string, string][]): string[] {
  return list.filter(([, needle]) => haystack.includes(needle)).map(([label]) => label);
}

describe('what the store and the logs hold', () => {
  let domain: DomainInfo;
  let app: WebApp;
  let dataDir: string;
  const clients: Record<string, HttpClient> = {};
  const users = ['alice', 'jürgen', 'manygroups'];

  beforeAll(async () => {
    domain = requireDomain();
    dataDir = tempDataDir();
    app = await startWebApp(domain, { dataDir, logLevel: 'debug' });
    for (const username of users) {
      const client = app.client();
      await signInOk(client, username, DEMO_PASSWORD, { remember: username === 'alice' });
      expect((await client.get('/browse/home/Documents/')).status).toBe(200);
      clients[username] = client;
    }
    // Failures and a sign-out log too.
    await signIn(app.client(), 'alice', `${DEMO_PASSWORD}x`);
    await signIn(app.client(), 'nobody', DEMO_PASSWORD);
    await signIn(app.client(), 'dave', DEMO_PASSWORD);
    const leaving = app.client();
    await signInOk(leaving, 'carol', DEMO_PASSWORD);
    await signOut(leaving);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('the session store, dumped raw (rows and every file byte), holds neither the password nor the NTLMv2 key', () => {
    const list = needles(domain, [...users, 'carol']);
    const db = new Database(join(dataDir, 'sessions.sqlite'), { readonly: true, fileMustExist: true });
    const rows = db.prepare('SELECT * FROM sessions').all() as Record<string, unknown>[];
    db.close();
    expect(rows.length).toBeGreaterThanOrEqual(users.length);
    const dump = JSON.stringify(rows);
    expect(dump).toContain('sealedCredential');
    expect(findIn(dump, list)).toEqual([]);
    // The files themselves (database, WAL, journal), as latin1 so any byte sequence is searchable.
    const files = readdirSync(dataDir).filter((f) => f.startsWith('sessions.sqlite'));
    expect(files.length).toBeGreaterThan(0);
    const raw = files.map((f) => readFileSync(join(dataDir, f)).toString('latin1')).join('\n');
    expect(findIn(raw, list)).toEqual([]);
    expect(raw.includes(Buffer.from(DEMO_PASSWORD, 'utf16le').toString('latin1'))).toBe(false);
    // The key cookies are not in the store either, so the store alone opens nothing.
    for (const username of users) {
      const key = clients[username]?.jar.get(KEY_COOKIE) ?? '';
      expect(key.length).toBeGreaterThan(10);
      expect(raw.includes(key)).toBe(false);
      expect(raw.includes(decodeURIComponent(key))).toBe(false);
    }
  });

  it('a sealed credential opens only with its own key cookie', () => {
    const db = new Database(join(dataDir, 'sessions.sqlite'), { readonly: true, fileMustExist: true });
    const rows = db.prepare('SELECT sess FROM sessions').all() as { sess: string }[];
    db.close();
    const sealedOf = (username: string): string => {
      const row = rows.map((r) => JSON.parse(r.sess) as { user?: { username: string }; sealedCredential?: string }).find((s) => s.user?.username === username);
      if (!row?.sealedCredential) throw new Error(`no session for ${username}`);
      return row.sealedCredential;
    };
    const alice = sealedOf('alice');
    const aliceKey = decodeURIComponent(clients.alice?.jar.get(KEY_COOKIE) ?? '');
    expect(openCredential(alice, aliceKey, 'alice').equals(deriveNtowfv2(DEMO_PASSWORD, 'alice', domain.netbiosDomain))).toBe(true);
    const otherKey = decodeURIComponent(clients.manygroups?.jar.get(KEY_COOKIE) ?? '');
    expect(() => openCredential(alice, otherKey, 'alice')).toThrow();
    expect(() => openCredential(alice, '', 'alice')).toThrow();
    expect(() => openCredential(alice, 'A'.repeat(aliceKey.length), 'alice')).toThrow();
    // Bound to its user as well: alice's key on alice's sealed credential under another name does not open.
    expect(() => openCredential(alice, aliceKey, 'manygroups')).toThrow();
  });

  it('the logs (at debug) hold neither the password, the NTLMv2 key nor the key cookies', () => {
    const logs = app.logs.join('\n');
    expect(logs).toContain('signed in');
    expect(logs).toContain('signed out');
    expect(findIn(logs, needles(domain, [...users, 'carol']))).toEqual([]);
    for (const username of users) {
      const key = clients[username]?.jar.get(KEY_COOKIE) ?? '';
      expect(logs.includes(key)).toBe(false);
      expect(logs.includes(decodeURIComponent(key))).toBe(false);
    }
  });
});
