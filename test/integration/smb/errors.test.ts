import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmbd, type SmbdFixture } from '../../fixtures/smbd.js';
import {
  SmbAccessDeniedError,
  SmbBadShareError,
  SmbClient,
  SmbDisconnectedError,
  SmbExistsError,
  SmbInvalidNameError,
  SmbLogonFailureError,
  SmbNotFoundError,
  SmbTimeoutError,
} from '../../../src/smb/index.js';
import { clientOptions, connect } from './helpers.js';
import { createServer, type Server } from 'node:net';
import { finished } from 'node:stream/promises';

describe('typed errors against real smbd', () => {
  let f: SmbdFixture;
  let client: SmbClient;

  beforeAll(async () => {
    f = await startSmbd({ name: 'smb-errors', port: 4465 });
    client = await connect(f);
  });
  afterAll(async () => {
    await client?.close();
    await f?.stop();
  });

  it('not found, for files and for folders on the way', async () => {
    const err = await client.stat('nope.txt').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SmbNotFoundError);
    expect((err as SmbNotFoundError).statusName).toBe('STATUS_OBJECT_NAME_NOT_FOUND');
    expect((err as SmbNotFoundError).status).toBe(0xc0000034);
    await expect(client.readdir('no/such/dir')).rejects.toBeInstanceOf(SmbNotFoundError);
    await expect(client.readFile('missing.bin')).rejects.toBeInstanceOf(SmbNotFoundError);
  });

  it('access denied writing to a read-only share', async () => {
    const ro = client.share(f.readonlyShare);
    expect((await ro.readFile('readme.txt')).toString()).toContain('read-only');
    await expect(ro.writeFile('new.txt', 'x')).rejects.toBeInstanceOf(SmbAccessDeniedError);
    await expect(ro.mkdir('newdir')).rejects.toBeInstanceOf(SmbAccessDeniedError);
  });

  it('exists for mkdir and wx', async () => {
    await client.mkdir('exists');
    await expect(client.mkdir('exists')).rejects.toBeInstanceOf(SmbExistsError);
    await client.writeFile('exists/f.txt', '1');
    const ws = client.createWriteStream('exists/f.txt', { flags: 'wx' });
    ws.end('2');
    await expect(finished(ws)).rejects.toBeInstanceOf(SmbExistsError);
    await client.mkdir('deep/er/still', { recursive: true });
    await client.mkdir('deep/er/still', { recursive: true });
    expect((await client.stat('deep/er/still')).type).toBe('dir');
  });

  it('refuses . and .. segments before touching the wire', async () => {
    await expect(client.stat('../etc/passwd')).rejects.toBeInstanceOf(SmbInvalidNameError);
  });

  it('a missing share', async () => {
    await expect(client.share('nosuchshare').readdir('')).rejects.toBeInstanceOf(SmbBadShareError);
  });

  it('wrong password is a logon failure', async () => {
    const err = await SmbClient.connect(clientOptions(f, { credential: { username: f.username, domain: f.domain, password: 'wrong' } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SmbLogonFailureError);
    expect((err as SmbLogonFailureError).statusName).toBe('STATUS_LOGON_FAILURE');
  });

  it('the NTOWFv2 hash works in place of the password', async () => {
    const { ntowfv2 } = await import('../../../src/smb/auth/ntlm.js');
    const c = await SmbClient.connect(clientOptions(f, { credential: { username: f.username, domain: f.domain, ntowfv2: ntowfv2(f.password, f.username, f.domain) } }));
    expect((await c.readdir('')).length).toBeGreaterThanOrEqual(0);
    await c.close();
  });

  it('nothing listening: Disconnected, quickly', async () => {
    const t = Date.now();
    await expect(SmbClient.connect(clientOptions(f, { port: 4469, connectTimeoutMs: 60_000, timeoutMs: 60_000 }))).rejects.toBeInstanceOf(SmbDisconnectedError);
    // A refused connection fails at once, not after the (here one-minute) timeout, however busy the machine.
    expect(Date.now() - t).toBeLessThan(30_000);
  });

  it('a server that accepts but never answers: Timeout', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(4468, '127.0.0.1', r));
    try {
      await expect(SmbClient.connect(clientOptions(f, { port: 4468, connectTimeoutMs: 500, timeoutMs: 500 }))).rejects.toBeInstanceOf(SmbTimeoutError);
    } finally {
      silent.close();
    }
  });

  it('Unicode names round-trip exactly', async () => {
    const names = ['emoji 😀🎉.txt', 'cafe\u0301 combining.txt', 'café precomposed.txt', '.leading-dot', '..two-dots', 'ünïcödé ß 中文 עברית', 'space at end .txt'];
    await client.mkdir('names');
    for (const n of names) await client.writeFile(`names/${n}`, n);
    const listed = (await client.readdir('names')).map((e) => e.name).sort();
    expect(listed).toEqual([...names].sort());
    for (const n of names) expect((await client.readFile(`names\\${n}`)).toString()).toBe(n);
    // Both forms of é exist side by side: nothing was normalised.
    expect(listed.filter((n) => n.startsWith('caf')).length).toBe(2);
  });

  it('watch reports a new file', async () => {
    await client.mkdir('watched');
    const watcher = client.watch('watched');
    await watcher.ready();
    const first = (async () => {
      for await (const ev of watcher) return ev;
      return undefined;
    })();
    await new Promise((r) => setTimeout(r, 100));
    writeFileSync(join(f.shareDir, 'watched', 'new.txt'), 'x');
    const ev = await first;
    expect(ev).toEqual({ action: 'added', name: 'new.txt' });
    await watcher.close();
    // The connection stays usable after the cancelled CHANGE_NOTIFY.
    expect((await client.readdir('watched')).map((e) => e.name)).toEqual(['new.txt']);
  });

  it('readdir reports types, sizes, times and attributes', async () => {
    mkdirSync(join(f.shareDir, 'attrs', 'sub'), { recursive: true });
    writeFileSync(join(f.shareDir, 'attrs', 'five.txt'), '12345');
    const entries = await client.readdir('attrs');
    const file = entries.find((e) => e.name === 'five.txt');
    const dir = entries.find((e) => e.name === 'sub');
    expect(file).toMatchObject({ type: 'file', size: 5, hidden: false });
    expect(dir).toMatchObject({ type: 'dir' });
    expect(Math.abs((file?.mtime.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
  });
});
