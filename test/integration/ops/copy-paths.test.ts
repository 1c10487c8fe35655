// Where the bytes of a copy go. On one server the server copies (FSCTL_SRV_COPYCHUNK): a 1 GiB file is copied
// while the app receives next to nothing from SMB (the pool's byte counters, the same as /metrics shows). Across
// servers (the DC and a standalone smbd on its own address, joined to nothing, where alice has an account with
// her domain password) the app streams: the counters move by the file's size, and copy and move land whole.
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTree } from '../../fixtures/demo-files.js';
import { SHARES, USERS, USERS_GID } from '../../fixtures/domain-data.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { run } from '../../fixtures/proc.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { opsEnv, startSecondServer } from '../../fixtures/second-server.js';
import type { SmbdFixture } from '../../fixtures/smbd.js';
import { startWebApp, type WebApp } from '../../helpers/web-app.js';
import { ApiUser, sha256, smbExists, smbNames, smbSha256 } from './helpers.js';

const ALICE_UID = USERS.find((u) => u.username === 'alice')?.uidNumber ?? 0;
const MiB = 1 << 20;
const GiB = 1 << 30;
/** Its own loopback address (not a DC's: those are 127.0.0.2–.99) and a port of this helper's range. */
const SECOND = { ip: '127.0.0.163', port: 5145 };

describe('where copies go: server-side on one server, streamed across servers', () => {
  let domain: DomainInfo;
  let second: SmbdFixture;
  let app: WebApp;
  let alice: ApiUser;
  const top = `copies-${randomBytes(4).toString('hex')}`;
  let disk: string;
  let holdAt: number | undefined;
  let held: () => void = () => undefined;
  const dc = (): { ip: string } => ({ ip: domain.ip });
  const other = (): { ip: string; port: number } => ({ ip: second.host, port: second.port });
  const smbBytes = (): { received: number; sent: number } => {
    const s = app.services.pool.stats();
    return { received: s.bytesReceived, sent: s.bytesSent };
  };
  const own = (path: string): void => {
    chownSync(path, ALICE_UID, USERS_GID);
    for (const e of readdirSync(path, { withFileTypes: true })) {
      const p = join(path, e.name);
      if (e.isDirectory()) own(p);
      else chownSync(p, ALICE_UID, USERS_GID);
    }
  };

  beforeAll(async () => {
    domain = requireDomain();
    second = await startSecondServer(SECOND);
    app = await startWebApp(domain, {
      env: { LOGIN_MAX_PER_IP: '1000', ...opsEnv(domain, second) },
      logLevel: 'info',
      services: {
        jobHooks: {
          // Holds a job once it has done `holdAt` items, until it is cancelled (see the cancel test).
          afterItem: async (job) => {
            if (holdAt === undefined || job.done.items < holdAt || job.signal.aborted) return;
            held();
            await new Promise<void>((resolve) => job.signal.addEventListener('abort', () => resolve(), { once: true }));
          },
        },
      },
    });
    alice = await ApiUser.signIn(app, 'alice');
    disk = join(domain.homesDir, 'alice', top);
    mkdirSync(join(disk, 'dst'), { recursive: true });
    own(disk);
  });

  afterAll(async () => {
    await app?.close();
    await second?.stop();
    if (disk) rmSync(disk, { recursive: true, force: true });
  });

  it('copies a 1 GiB file on one server without its bytes passing through the app (SMB bytes received stay ~0)', async () => {
    // Random bytes, so nothing on the way can compress them; written on the server's disk by another process
    // (the test's event loop stays free to serve the app), hashed as written.
    const path = join(disk, 'lecture.bin');
    const [expected] = (await run('sh', ['-c', `head -c ${GiB} /dev/urandom | tee '${path}' | sha256sum`])).split(' ');
    chownSync(path, ALICE_UID, USERS_GID);

    await alice.call('GET', '/browse/home/'); // the connection is open before we start counting
    const before = smbBytes();
    const job = await alice.runJob('/api/files/copy', { drive: 'home', paths: [`${top}/lecture.bin`], to: { drive: 'home', path: `${top}/dst` } });
    const after = smbBytes();
    expect(job).toMatchObject({ state: 'done', failures: [], total: { items: 1, bytes: GiB }, done: { items: 1, bytes: GiB } });
    // A few dozen COPYCHUNK requests and their answers: kilobytes, against the gigabyte a streamed copy moves.
    expect(after.received - before.received).toBeLessThan(256 * 1024);
    expect(after.sent - before.sent).toBeLessThan(256 * 1024);
    const [sum] = (await run('sha256sum', [join(disk, 'dst', 'lecture.bin')])).split(' ');
    expect(sum).toBe(expected);
    rmSync(path);
    rmSync(join(disk, 'dst', 'lecture.bin'));
  });

  it('copies between two shares of one server (home → Shared) server-side too: whole by sha256, counters ~0', async () => {
    const data = randomBytes(32 * MiB + 1);
    writeFileSync(join(disk, 'to-shared.bin'), data);
    own(disk);
    const before = smbBytes();
    const job = await alice.runJob('/api/files/copy', { drive: 'home', paths: [`${top}/to-shared.bin`], to: { drive: 'shared', path: '' } });
    const after = smbBytes();
    expect(job).toMatchObject({ state: 'done', failures: [], results: [{ from: `${top}/to-shared.bin`, to: 'to-shared.bin', action: 'copied' }] });
    expect(after.received - before.received).toBeLessThan(256 * 1024);
    expect(await smbSha256(dc(), SHARES.shared, 'alice', 'to-shared.bin')).toBe(sha256(data));
    rmSync(join(domain.sharesDir, SHARES.shared, 'to-shared.bin'));
  });

  it('copies files and a folder tree to the other server by streaming them (the counters move by their size), whole by sha256', async () => {
    const data = randomBytes(8 * MiB + 3);
    writeFileSync(join(disk, 'to-copy.bin'), data);
    makeTree(join(disk, 'tree'), { top: 2, sub: 2, files: 4 });
    own(disk);
    const before = smbBytes();
    const job = await alice.runJob('/api/files/copy', { drive: 'home', paths: [`${top}/to-copy.bin`, `${top}/tree`], to: { drive: 'other-server', path: 'Inbox' } });
    const after = smbBytes();
    expect(job).toMatchObject({ kind: 'copy', state: 'done', failures: [] });
    expect(job.results).toContainEqual({ from: `${top}/to-copy.bin`, to: 'Inbox/to-copy.bin', action: 'copied' });
    expect(job.results).toContainEqual({ from: `${top}/tree`, to: 'Inbox/tree', action: 'copied' });
    // Streamed: read from the DC and written to the other server, through the app.
    expect(after.received - before.received).toBeGreaterThan(data.length);
    expect(after.sent - before.sent).toBeGreaterThan(data.length);
    expect(await smbSha256(other(), 'data', 'alice', 'Inbox/to-copy.bin')).toBe(sha256(data));
    expect(await smbSha256(other(), 'data', 'alice', 'Inbox/tree/Term 02/Week 02/note-004.txt')).toBe(sha256('Term 02 Week 02 note-004.txt\n'));
    expect(await smbNames(other(), 'data', 'alice', 'Inbox/tree/Term 01')).toEqual(['Week 01', 'Week 02', 'index.txt']);
    // No temporary left behind on either side; the originals stay.
    expect(readdirSync(join(second.shareDir, 'Inbox')).sort()).toEqual(['to-copy.bin', 'tree']);
    expect(existsSync(join(disk, 'to-copy.bin'))).toBe(true);
  });

  it('moves a file and a folder from the other server to the DC: whole at the destination, gone from the source', async () => {
    const data = randomBytes(2 * MiB + 5);
    mkdirSync(join(second.shareDir, 'outbox', 'nested'), { recursive: true });
    writeFileSync(join(second.shareDir, 'outbox', 'nested', 'deep.txt'), 'deep\n');
    writeFileSync(join(second.shareDir, 'moving.bin'), data);
    await run('chown', ['-R', 'alice', join(second.shareDir, 'outbox'), join(second.shareDir, 'moving.bin')]);
    const job = await alice.runJob('/api/files/move', { drive: 'other-server', paths: ['moving.bin', 'outbox'], to: { drive: 'home', path: `${top}/dst` } });
    expect(job).toMatchObject({ kind: 'move', state: 'done', failures: [] });
    expect(job.results).toContainEqual({ from: 'moving.bin', to: `${top}/dst/moving.bin`, action: 'moved' });
    expect(job.results).toContainEqual({ from: 'outbox', to: `${top}/dst/outbox`, action: 'moved' });
    expect(await smbSha256(dc(), SHARES.users, 'alice', `alice/${top}/dst/moving.bin`)).toBe(sha256(data));
    expect(await smbSha256(dc(), SHARES.users, 'alice', `alice/${top}/dst/outbox/nested/deep.txt`)).toBe(sha256('deep\n'));
    expect(await smbExists(other(), 'data', 'alice', 'moving.bin')).toBe(false);
    expect(await smbExists(other(), 'data', 'alice', 'outbox')).toBe(false);
  });

  it('a copy to the other server cancelled midway: every file reported is whole there, no other, and no temporary', async () => {
    const src = join(disk, 'many');
    mkdirSync(src);
    const files = Array.from({ length: 60 }, (_, i) => `part-${String(i).padStart(2, '0')}.bin`);
    const content = new Map(files.map((f) => [f, randomBytes(64 * 1024 + files.indexOf(f))]));
    for (const [f, data] of content) writeFileSync(join(src, f), data);
    own(disk);
    holdAt = 20;
    const reached = new Promise<void>((resolve) => (held = resolve));
    try {
      const started = await alice.post('/api/files/copy', { drive: 'home', paths: [`${top}/many`], to: { drive: 'other-server', path: '' } });
      const id = (started.json.job as { id: string }).id;
      await reached;
      const job = (await alice.call('DELETE', `/api/jobs/${id}`)).json as unknown as Awaited<ReturnType<ApiUser['waitJob']>>;
      expect(job.state).toBe('cancelled');
      expect(job.failures).toEqual([]);
      const copied = job.results.map((r) => r.to?.slice('many/'.length));
      expect(copied.length).toBeGreaterThanOrEqual(20);
      expect(copied.length).toBeLessThan(60);
      // Exactly the reported files are there, each whole; the folder holds nothing else (no temporary).
      const there = readdirSync(join(second.shareDir, 'many')).sort();
      expect(there).toEqual([...copied].sort());
      for (const name of there) expect(sha256(readFileSync(join(second.shareDir, 'many', name)))).toBe(sha256(content.get(name) ?? Buffer.alloc(0)));
    } finally {
      holdAt = undefined;
    }
  });

  it('a move across servers that cannot delete an original keeps the copy and says so; nothing short is left anywhere', async () => {
    // A folder alice may read but not change on the other server: copying works, deleting the original cannot.
    mkdirSync(join(second.shareDir, 'kept'), { recursive: true });
    writeFileSync(join(second.shareDir, 'kept', 'fixed.txt'), 'fixed\n');
    await run('chown', ['-R', 'root:root', join(second.shareDir, 'kept')]);
    await run('chmod', ['-R', 'a+rX,go-w', join(second.shareDir, 'kept')]);
    const job = await alice.runJob('/api/files/move', { drive: 'other-server', paths: ['kept/fixed.txt'], to: { drive: 'home', path: `${top}/dst` } });
    // Partial: the copy is reported as done, the original's deletion as failed, by name and kind.
    expect(job.state).toBe('done');
    expect(job.results).toEqual([{ from: 'kept/fixed.txt', to: `${top}/dst/fixed.txt`, action: 'copied' }]);
    expect(job.failures).toEqual([{ path: 'kept/fixed.txt', code: 'denied', message: expect.stringContaining('was copied to') as string }]);
    // The copy is whole under its name; the original stays too: nothing was lost, nothing undone silently.
    expect(await smbSha256(dc(), SHARES.users, 'alice', `alice/${top}/dst/fixed.txt`)).toBe(sha256('fixed\n'));
    expect(await smbExists(other(), 'data', 'alice', 'kept/fixed.txt')).toBe(true);
    expect(readdirSync(join(disk, 'dst')).filter((n) => n.startsWith('.~portcullis-'))).toEqual([]);
  });
});
