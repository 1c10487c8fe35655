// The per-session SMB pool against the real Samba AD DC (signing mandatory, NTLMv2 only).
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig, type Config } from '../../../src/config/index.js';
import { drivesFor, type DriveRef } from '../../../src/drives/index.js';
import { toHttpError } from '../../../src/errors/index.js';
import { CredentialsRejectedError, SmbBusyError, SmbPool, type PoolCredential } from '../../../src/sessions/index.js';
import { ntowfv2 } from '../../../src/smb/auth/ntlm.js';
import { SmbAccessDeniedError, SmbDisconnectedError, type SmbShare } from '../../../src/smb/index.js';
import { appEnvFor } from '../../fixtures/app-env.js';
import { homeDirectoryOf, USERS } from '../../fixtures/domain-data.js';
import { resumeDomain, stopDomain, type DomainInfo } from '../../fixtures/domain.js';
import { run, sleep } from '../../fixtures/proc.js';
import { dropServerConnections as dropFromDomain } from '../../fixtures/faults.js';
import { requireDomain } from '../../fixtures/require-domain.js';

/** The gated relay's port (below). */
const RELAY_PORT = 5610;
const STAFF_DN = 'CN=staff,CN=Users,DC=example,DC=test';
const STUDENTS_DN = 'CN=students,CN=Users,DC=example,DC=test';

let domain: DomainInfo;
let config: Config;
const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-pool-'));
const pools: SmbPool[] = [];

function credentialOf(username: string, password = domain.password): PoolCredential {
  return { username, domain: domain.netbiosDomain, ntowfv2: ntowfv2(password, username, domain.netbiosDomain) };
}

function poolWith(smb: Partial<Config['smb']> = {}): SmbPool {
  const pool = new SmbPool({ smb: { ...config.smb, ...smb } });
  pools.push(pool);
  return pool;
}

function drivesOf(username: string, groups: string[]): DriveRef[] {
  return drivesFor({ username, homeDirectory: homeDirectoryOf(username), groups }, config);
}

function drive(username: string, id: string, groups: string[] = [STAFF_DN]): DriveRef {
  const d = drivesOf(username, groups).find((x) => x.id === id);
  if (!d) throw new Error(`${username} has no drive ${id}`);
  return d;
}

const list = (share: SmbShare, base: string[], rest: string[] = []) => share.readdir([...base, ...rest].join('\\'));
const names = async (p: Promise<{ name: string }[]>) => (await p).map((e) => e.name);

const dropServerConnections = (): Promise<number> => dropFromDomain(domain);

/** SMB sessions the DC's smbd holds for `username`, per smbstatus (which names users by uid). */
async function smbConnectionsOf(username: string): Promise<number> {
  const uid = USERS.find((u) => u.username === username)?.uidNumber;
  const out = await run('smbstatus', ['-s', join(domain.dir, 'etc', 'smb.conf'), '-b', '--json']);
  const status = JSON.parse(out) as { sessions?: Record<string, { uid?: number }> };
  return Object.values(status.sessions ?? {}).filter((s) => s.uid === uid).length;
}

interface GatedRelay {
  port: number;
  accepted(): number;
  /** From now on every connection, held or new, flows. */
  open(): void;
  close(): Promise<void>;
}

/**
 * A TCP relay to the DC's :445 that holds each connection's bytes until open(): a connection set-up through
 * it stays under way for as long as the test needs, so what queues behind it can be looked at without a race.
 */
async function gatedRelay(port: number): Promise<GatedRelay> {
  let flowing = false;
  let accepted = 0;
  const held: (() => void)[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    accepted++;
    const upstream = connect(445, domain.ip);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pause();
    const flow = () => {
      client.pipe(upstream);
      upstream.pipe(client);
    };
    if (flowing) flow();
    else held.push(flow);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    accepted: () => accepted,
    open() {
      flowing = true;
      for (const flow of held.splice(0)) flow();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** samba-tool on this run's own domain database. */
async function samba(args: string[]): Promise<void> {
  await run('samba-tool', [...args, '-H', join(domain.dir, 'private', 'sam.ldb'), '-s', join(domain.dir, 'etc', 'smb.conf')]);
}

beforeAll(() => {
  domain = requireDomain();
  config = loadConfig({ ...appEnvFor(domain), DATA_DIR: dataDir });
});

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('SmbPool against the AD DC', () => {
  it('alice sees home, Shared and Library; bob does not see Shared', () => {
    expect(drivesOf('alice', [STAFF_DN]).map((d) => d.id)).toEqual(['home', 'shared', 'library']);
    expect(drivesOf('bob', [STUDENTS_DN]).map((d) => d.id)).toEqual(['home', 'library']);
    expect(drive('alice', 'home')).toMatchObject({ host: domain.ip, port: 445, share: 'users', basePath: ['alice'] });
  });

  it('opens lazily and reuses one connection for every drive on the server and many requests', async () => {
    const pool = poolWith();
    const alice = credentialOf('alice');
    expect(pool.stats().opened).toBe(0);

    const home = await names(pool.use('sid-a', alice, drive('alice', 'home'), (s, b) => list(s, b), { idempotent: true }));
    expect(home.length).toBeGreaterThan(0);
    await pool.use('sid-a', alice, drive('alice', 'shared'), (s, b) => list(s, b), { idempotent: true });
    await pool.use('sid-a', alice, drive('alice', 'library'), (s, b) => list(s, b), { idempotent: true });
    const many = await Promise.all(Array.from({ length: 25 }, () => names(pool.use('sid-a', alice, drive('alice', 'home'), (s, b) => list(s, b), { idempotent: true }))));
    for (const n of many) expect(n).toEqual(home);

    // Writes go through the same connection, on the staff-only share.
    const file = `pool-${process.pid}-${Date.now()}.txt`;
    await pool.use('sid-a', alice, drive('alice', 'shared'), (s, b) => s.writeFile([...b, file].join('\\'), 'hello'));
    const back = await pool.use('sid-a', alice, drive('alice', 'shared'), (s, b) => s.readFile([...b, file].join('\\')), { idempotent: true });
    expect(back.toString()).toBe('hello');
    await pool.use('sid-a', alice, drive('alice', 'shared'), (s, b) => s.rm([...b, file].join('\\')));

    expect(pool.stats()).toMatchObject({ opened: 1, connections: 1, sessions: 1, reconnects: 0, waiting: 0 });
  });

  it('shares one connection between sessions of one user with the same credential, as Windows does; others get their own', async () => {
    const pool = poolWith();
    const before = await smbConnectionsOf('alice');
    const aliceHome = drive('alice', 'home');
    await pool.use('sid-a', credentialOf('alice'), aliceHome, (s, b) => list(s, b));
    await pool.use('sid-b', credentialOf('bob'), drive('bob', 'home', [STUDENTS_DN]), (s, b) => list(s, b));
    await pool.use('sid-c', credentialOf('alice'), drive('alice', 'library'), (s, b) => list(s, b));
    expect(pool.stats()).toMatchObject({ opened: 2, connections: 2, sessions: 3 });
    // The server agrees: one more session for alice, however many web sessions she has.
    expect(await smbConnectionsOf('alice')).toBe(before + 1);

    // A different credential for the same user (a wrong or a new password) never rides on hers.
    const wrong = await pool.use('sid-d', credentialOf('alice', 'not-the-password'), aliceHome, (s, b) => list(s, b)).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(CredentialsRejectedError);

    // One of her sessions signs out: the other keeps the same, still-open connection.
    await pool.closeSession('sid-a');
    expect(pool.stats()).toMatchObject({ connections: 2, sessions: 2 });
    await expect(pool.use('sid-c', credentialOf('alice'), aliceHome, (s, b) => list(s, b))).resolves.toBeDefined();
    expect(pool.stats().opened).toBe(2);
    // The last one out closes it; bob's is untouched.
    await pool.closeSession('sid-c');
    expect(pool.stats()).toMatchObject({ connections: 1, sessions: 1 });
    await expect.poll(() => smbConnectionsOf('alice'), { timeout: 20_000 }).toBe(before);
    await expect(pool.use('sid-b', credentialOf('bob'), drive('bob', 'home', [STUDENTS_DN]), (s, b) => list(s, b))).resolves.toBeDefined();
  });

  it('sets connections up one at a time with SMB_CONNECT_CONCURRENCY=1, in order, and answers a full queue with 503 and Retry-After', async () => {
    const relay = await gatedRelay(RELAY_PORT);
    onTestFinished(() => relay.close());
    const pool = poolWith({ connectConcurrency: 1, queueLimit: 2, queueTimeoutMs: 60_000 });
    const through = (u: string): DriveRef => ({ ...drive(u, 'home', [STUDENTS_DN]), host: '127.0.0.1', port: relay.port });
    const users = ['bob', 'carol', 'student001'];
    const order: string[] = [];
    const started = users.map((u) =>
      pool.use(`sid-${u}`, credentialOf(u), through(u), async (s, b) => {
        order.push(u);
        return list(s, b);
      }),
    );
    const settled = Promise.allSettled(started);
    // The relay holds the first set-up: one under way, two waiting, and the queue (2) is full.
    await expect.poll(() => pool.stats()).toMatchObject({ connecting: 1, connectWaiting: 2 });
    await expect.poll(() => relay.accepted()).toBe(1);
    const refused = await pool.use('sid-alice', credentialOf('alice'), through('alice'), (s, b) => list(s, b)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SmbBusyError);
    const http = toHttpError(refused);
    expect(http.status).toBe(503);
    expect((refused as SmbBusyError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(http.message).toMatch(/^The file server is busy, please try again in (a second|\d+ seconds)\.$/);

    // Let the server answer: the queued ones all succeed, set up one at a time, in the order they asked.
    relay.open();
    await settled;
    for (const listing of await Promise.all(started)) expect(listing.length).toBeGreaterThan(0);
    expect(order).toEqual(users);
    expect(relay.accepted()).toBe(3);
    expect(pool.stats()).toMatchObject({ connecting: 0, connectWaiting: 0, connections: 3, opened: 3 });
  });

  it('bob forging the Shared drive is refused by the file server (ACCESS_DENIED → 403)', async () => {
    const pool = poolWith();
    const forged = drive('alice', 'shared');
    const err = await pool.use('sid-bob', credentialOf('bob'), forged, (s, b) => list(s, b), { idempotent: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SmbAccessDeniedError);
    expect(toHttpError(err).status).toBe(403);
    // The refusal is about the share, not the connection: bob's own drives still work on it.
    await expect(pool.use('sid-bob', credentialOf('bob'), drive('bob', 'home', [STUDENTS_DN]), (s, b) => list(s, b))).resolves.toBeDefined();
    expect(pool.stats().opened).toBe(1);
  });

  it('closes an idle connection after idleSeconds and reopens it transparently', async () => {
    const pool = poolWith({ idleSeconds: 1 });
    const alice = credentialOf('alice');
    let captured: SmbShare | undefined;
    await pool.use('sid-a', alice, drive('alice', 'home'), (s, b) => {
      captured = s;
      return list(s, b);
    });
    expect(pool.stats().connections).toBe(1);
    await sleep(600);
    await pool.use('sid-a', alice, drive('alice', 'home'), (s, b) => list(s, b)); // activity restarts the timer
    await sleep(600);
    expect(pool.stats().connections).toBe(1);
    // Closing is asynchronous (logoff, then the socket): wait for it rather than for a fixed time.
    await expect.poll(() => pool.stats(), { timeout: 20_000 }).toMatchObject({ connections: 0, sessions: 0 });
    // Really closed: the old share object cannot reach the server any more.
    await expect(captured?.readdir('alice')).rejects.toBeInstanceOf(SmbDisconnectedError);

    const again = await names(pool.use('sid-a', alice, drive('alice', 'home'), (s, b) => list(s, b)));
    expect(again.length).toBeGreaterThan(0);
    expect(pool.stats()).toMatchObject({ opened: 2, connections: 1 });
  });

  it('closeSession closes the session’s connections and only those', async () => {
    const pool = poolWith();
    let captured: SmbShare | undefined;
    await pool.use('sid-a', credentialOf('alice'), drive('alice', 'home'), (s, b) => {
      captured = s;
      return list(s, b);
    });
    await pool.use('sid-b', credentialOf('bob'), drive('bob', 'home', [STUDENTS_DN]), (s, b) => list(s, b));
    expect(pool.stats().connections).toBe(2);
    await pool.closeSession('sid-a');
    expect(pool.stats()).toMatchObject({ connections: 1, sessions: 1 });
    await expect(captured?.readdir('alice')).rejects.toBeInstanceOf(SmbDisconnectedError);
    await pool.closeSession('sid-a'); // a second logout is harmless
    await expect(pool.use('sid-b', credentialOf('bob'), drive('bob', 'home', [STUDENTS_DN]), (s, b) => list(s, b))).resolves.toBeDefined();
  });

  it('rebuilds a connection the server dropped, retrying idempotent work, not the rest', async () => {
    const pool = poolWith();
    const alice = credentialOf('alice');
    const home = drive('alice', 'home');
    await pool.use('sid-a', alice, home, (s, b) => list(s, b));

    // The server goes away while an idempotent listing is under way: it is retried on a new connection.
    let calls = 0;
    const listed = await pool.use('sid-a', alice, home, async (s, b) => {
      if (++calls === 1) expect(await dropServerConnections()).toBeGreaterThan(0);
      return list(s, b);
    }, { idempotent: true });
    expect(listed.length).toBeGreaterThan(0);
    expect(calls).toBe(2);
    expect(pool.stats()).toMatchObject({ opened: 1, reconnects: 1 });

    // A write is not repeated behind the caller's back: the error comes back, and the next request works.
    calls = 0;
    const err = await pool.use('sid-a', alice, home, async (s, b) => {
      calls++;
      await dropServerConnections();
      return s.writeFile([...b, 'never-written.txt'].join('\\'), 'x');
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SmbDisconnectedError);
    expect(toHttpError(err).status).toBe(503);
    expect(calls).toBe(1);
    const exists = await pool.use('sid-a', alice, home, (s, b) => s.exists([...b, 'never-written.txt'].join('\\')));
    expect(exists).toBe(false);
    expect(pool.stats()).toMatchObject({ opened: 1, reconnects: 2, connections: 1 });
  });

  it('reports a credential the server no longer accepts as CredentialsRejectedError (401)', async () => {
    const pool = poolWith();
    const wrong = await pool.use('sid-x', credentialOf('alice', 'not-the-password'), drive('alice', 'home'), (s, b) => list(s, b)).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(CredentialsRejectedError);
    expect(wrong).toMatchObject({ status: 401, reason: 'logon_failure', code: 'credentials_rejected' });
    expect(pool.stats()).toMatchObject({ connections: 0, sessions: 0 });

    const disabled = await pool.use('sid-d', credentialOf('dave'), drive('dave', 'home'), (s, b) => list(s, b)).catch((e: unknown) => e);
    expect(disabled).toMatchObject({ status: 401, reason: 'account_disabled' });
    const mustChange = await pool.use('sid-e', credentialOf('erin'), drive('erin', 'home'), (s, b) => list(s, b)).catch((e: unknown) => e);
    expect(mustChange).toMatchObject({ status: 401, reason: 'password_must_change' });
  });

  it('signs out a user whose account was disabled while their connection was open, once it must reconnect', async () => {
    // (A changed password would not do here: like Windows, Samba keeps accepting the previous password
    // over NTLM for "old password allowed period", 60 minutes by default.)
    const pool = poolWith();
    const carol = credentialOf('carol');
    const home = drive('carol', 'home', [STUDENTS_DN]);
    await pool.use('sid-carol', carol, home, (s, b) => list(s, b));
    await samba(['user', 'disable', 'carol']);
    try {
      // The open connection keeps working (SMB does not re-check an established session)…
      await expect(pool.use('sid-carol', carol, home, (s, b) => list(s, b))).resolves.toBeDefined();
      // …until it has to be rebuilt.
      await dropServerConnections();
      const err = await pool.use('sid-carol', carol, home, (s, b) => list(s, b), { idempotent: true }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CredentialsRejectedError);
      expect(err).toMatchObject({ status: 401, reason: 'account_disabled', message: 'Your account has been disabled. Ask the help desk.' });
      expect(pool.stats()).toMatchObject({ connections: 0, sessions: 0 });
    } finally {
      await samba(['user', 'enable', 'carol']);
    }
    await expect(pool.use('sid-carol', carol, home, (s, b) => list(s, b))).resolves.toBeDefined();
  });

  it('caps connections per server, queues FIFO, and answers 503 when the queue is full or too slow', async () => {
    // giveWayAfterSeconds 0: any connection not in use gives way (the next test keeps recently used ones).
    const pool = poolWith({ maxConnectionsPerServer: 1, queueLimit: 1, queueTimeoutMs: 3000, giveWayAfterSeconds: 0 });
    const home = drive('alice', 'home');
    const bobHome = drive('bob', 'home', [STUDENTS_DN]);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    // alice holds the only slot with a long operation.
    const a = pool.use('sid-a', credentialOf('alice'), home, async (s, b) => {
      await list(s, b);
      await held;
      return 'a';
    });
    await expect.poll(() => pool.stats().connections).toBe(1);

    // bob waits; carol finds the queue full and is told at once.
    const b = pool.use('sid-b', credentialOf('bob'), bobHome, async (s, base) => (await list(s, base)).length);
    await expect.poll(() => pool.stats().waiting).toBe(1);
    const c = await pool.use('sid-c', credentialOf('carol'), drive('carol', 'home', [STUDENTS_DN]), (s, base) => list(s, base)).catch((e: unknown) => e);
    // At once means before bob's queueTimeoutMs is over: he is still waiting, so carol was never queued behind him.
    expect(pool.stats().waiting).toBe(1);
    expect(c).toBeInstanceOf(SmbBusyError);
    expect(toHttpError(c)).toMatchObject({ status: 503, message: 'The file server is busy, try again shortly.' });

    // bob gives up after queueTimeoutMs.
    await expect(b).rejects.toBeInstanceOf(SmbBusyError);
    expect(pool.stats()).toMatchObject({ waiting: 0, connections: 1 });

    // Queued again, bob gets the slot as soon as alice's work ends (her idle connection gives way).
    const b2 = pool.use('sid-b', credentialOf('bob'), bobHome, async (s, base) => (await list(s, base)).length);
    await expect.poll(() => pool.stats().waiting).toBe(1);
    release();
    await expect(a).resolves.toBe('a');
    await expect(b2).resolves.toBeGreaterThan(0);
    expect(pool.stats()).toMatchObject({ connections: 1, waiting: 0, sessions: 1 });

    // An idle connection also gives way without queueing; its owner reconnects on the next request.
    await expect(pool.use('sid-a', credentialOf('alice'), home, (s, base) => list(s, base))).resolves.toBeDefined();
    expect(pool.stats()).toMatchObject({ connections: 1, sessions: 1, opened: 3 });
  });

  it('at the cap, keeps a connection used within giveWayAfterSeconds: the newcomer waits, then 503, and nobody reconnects', async () => {
    const pool = poolWith({ maxConnectionsPerServer: 1, queueLimit: 5, queueTimeoutMs: 1500, giveWayAfterSeconds: 3600 });
    const home = drive('alice', 'home');
    const bobHome = drive('bob', 'home', [STUDENTS_DN]);
    await pool.use('sid-a', credentialOf('alice'), home, (s, b) => list(s, b));
    expect(pool.stats()).toMatchObject({ connections: 1, opened: 1 });
    // alice's connection is idle but was used a moment ago: it stays hers, and bob is told the server is busy.
    const bob = await pool.use('sid-b', credentialOf('bob'), bobHome, (s, b) => list(s, b)).catch((e: unknown) => e);
    expect(bob).toBeInstanceOf(SmbBusyError);
    expect(toHttpError(bob)).toMatchObject({ status: 503 });
    await expect(pool.use('sid-a', credentialOf('alice'), home, (s, b) => list(s, b))).resolves.toBeDefined();
    expect(pool.stats()).toMatchObject({ connections: 1, opened: 1, waiting: 0 });
  });

  it('at the cap, a connection unused for giveWayAfterSeconds gives way to a newcomer at once', async () => {
    const pool = poolWith({ maxConnectionsPerServer: 1, queueLimit: 5, queueTimeoutMs: 60_000, giveWayAfterSeconds: 1 });
    const home = drive('alice', 'home');
    const bobHome = drive('bob', 'home', [STUDENTS_DN]);
    await pool.use('sid-a', credentialOf('alice'), home, (s, b) => list(s, b));
    const lastUsed = Date.now();
    // Waits on a condition (time passed), not a sleep: alice's connection must be unused for over a second.
    await expect.poll(() => Date.now() - lastUsed, { timeout: 10_000, interval: 100 }).toBeGreaterThan(1100);
    await expect(pool.use('sid-b', credentialOf('bob'), bobHome, (s, b) => list(s, b))).resolves.toBeDefined();
    expect(pool.stats()).toMatchObject({ connections: 1, opened: 2, waiting: 0 });
  });

  it('keeps the session working when Samba restarts mid-session', async () => {
    const pool = poolWith();
    const alice = credentialOf('alice');
    const home = drive('alice', 'home');
    const before = await names(pool.use('sid-a', alice, home, (s, b) => list(s, b), { idempotent: true }));
    expect(pool.stats().opened).toBe(1);

    // Only this run's own domain (PORTCULLIS_TEST_DOMAIN_IP), never another engineer's.
    expect(domain.name).toMatch(/^test/u);
    await stopDomain(domain.name);
    const down = await pool.use('sid-a', alice, home, (s, b) => list(s, b), { idempotent: true }).catch((e: unknown) => e);
    expect(toHttpError(down).status).toBe(503);
    // Restarted from its own files, not the snapshot: what earlier test files wrote in alice's home stays.
    domain = await resumeDomain(domain);

    const after = await names(pool.use('sid-a', alice, home, (s, b) => list(s, b), { idempotent: true }));
    expect(after).toEqual(before);
    expect(pool.stats()).toMatchObject({ opened: 1, connections: 1 });
    expect(pool.stats().reconnects).toBeGreaterThanOrEqual(1);
  });
});
