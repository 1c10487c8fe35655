// Issue 11, several instances: two app processes (`node src/server.ts`, NODE_ENV=production) sharing one Redis,
// behind a real nginx running the README's example (docs/nginx-portcullis.conf) over HTTPS: round-robin, no sticky
// sessions. Every request goes through nginx; each reply's X-Request-Id is then found in one instance's log, so
// the tests know (and assert) which instance served what.
import { chownSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LARGE_FILE, SHARES, USERS, USERS_GID } from '../../fixtures/domain-data.js';
import { makeTree } from '../../fixtures/demo-files.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { startNginxInFront, type NginxInFront } from '../../fixtures/nginx.js';
import { DEMO_PASSWORD, FIXTURE_ROOT } from '../../fixtures/paths.js';
import { run, waitFor } from '../../fixtures/proc.js';
import { startRedis, type RedisFixture } from '../../fixtures/redis.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { alertIn, csrfTokenIn, listedNames, signIn, signInOk, signOut } from '../../helpers/http-client.js';
import { startSmbGate, type SmbGate } from '../../helpers/smb-gate.js';
import { TlsHttpClient } from '../../helpers/tls-client.js';
import { startServerProcess, tempDataDir, webEnvFor, type ServerProcess } from '../../helpers/web-app.js';
import { sha256 } from '../transfer/helpers.js';
import { startDownload } from './helpers.js';

// Ports of their own: nginx 5800 (HTTPS) and 5803 (HTTP), the instances 5801 and 5802, an SMB gate 5804, Redis 6780.
const PROXY = { https: 5800, http: 5803 };
const APP_PORTS = [5801, 5802] as const;
const REDIS_PORT = 6780;
/** Both instances reach the file server through it: a test can hold a job mid-way, on the file server's side. */
const GATE_PORT = 5804;
const MAX_PER_USER = 4;
const ADMIN_TOKEN = 'scale-admin-token-0123456789';
/** Its own folder in alice's home: other test files list her home root and must not see these uploads. */
const SCALE_DIR = 'scale-tests';

let domain: DomainInfo;
let redis: RedisFixture;
let nginx: NginxInFront;
let gate: SmbGate;
const instances: { name: 'A' | 'B'; server: ServerProcess; dataDir: string }[] = [];
const proxyUrl = `https://127.0.0.1:${PROXY.https}`;

const client = (localAddress?: string): TlsHttpClient => new TlsHttpClient(proxyUrl, { ca: nginx.ca, ...(localAddress ? { localAddress } : {}) });

/** The instance's open SMB connections, from its own /metrics (asked directly, not through nginx). */
async function smbConnections(name: 'A' | 'B'): Promise<number> {
  const port = APP_PORTS[name === 'A' ? 0 : 1];
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(res.status).toBe(200);
  const text = await res.text();
  return [...text.matchAll(/^portcullis_smb_connections(?:\{[^}]*\})? (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/** Which instance served the reply: the one whose log has its request id (the line is written as the answer ends). */
async function servedBy(reply: { headers: Headers }): Promise<'A' | 'B'> {
  const id = reply.headers.get('x-request-id');
  if (!id) throw new Error('no X-Request-Id on the reply');
  let found: 'A' | 'B' | undefined;
  await waitFor(`request ${id} in an instance's log`, () => {
    found = instances.find((i) => i.server.output().includes(`"id":"${id}"`))?.name;
    return Promise.resolve(found !== undefined);
  }, 10_000);
  return found ?? 'A';
}

const other = (name: 'A' | 'B'): 'A' | 'B' => (name === 'A' ? 'B' : 'A');

function instanceEnv(port: number, dataDir: string): Record<string, string> {
  return webEnvFor(domain, dataDir, {
    NODE_ENV: 'production',
    PORT: String(port),
    REDIS_URL: redis.url,
    // nginx runs on the same host: trust exactly loopback, so X-Forwarded-For/-Proto count only from it.
    TRUST_PROXY: 'loopback',
    LOGIN_MAX_PER_USER: String(MAX_PER_USER),
    ADMIN_TOKEN,
    // No SMB connection idles out during the tests: one that closes did so because its session ended.
    SMB_IDLE_SECONDS: '3600',
    SMB_HOST_MAP: `${domain.fileServerName}=127.0.0.1:${GATE_PORT}`,
  });
}

beforeAll(async () => {
  domain = requireDomain();
  redis = await startRedis({ name: 'scale', port: REDIS_PORT });
  // Passes everything until a test asks it to hold.
  gate = await startSmbGate({ port: GATE_PORT, target: { host: domain.ip, port: 445 }, holdFromQuery: 0 });
  for (const [i, port] of APP_PORTS.entries()) {
    const dataDir = tempDataDir('portcullis-scale-');
    instances.push({ name: i === 0 ? 'A' : 'B', server: await startServerProcess(instanceEnv(port, dataDir)), dataDir });
  }
  nginx = await startNginxInFront({ name: 'scale', upstreams: APP_PORTS.map((p) => `127.0.0.1:${p}`), ...PROXY });
}, 120_000);

afterAll(async () => {
  await nginx?.stop();
  for (const i of instances) {
    await i.server.stop();
    rmSync(i.dataDir, { recursive: true, force: true });
  }
  await redis?.stop();
  await gate?.close();
});

describe('two instances behind nginx, round-robin, no sticky sessions', () => {
  it('signs in through one instance and browses through the other; sign-out through one ends access on both', async () => {
    const alice = client();
    const page = await alice.get('/login');
    expect(page.status).toBe(200);
    const pageFrom = await servedBy(page);
    // The form's CSRF token (bound to the pre-sign-in cookie) was made by one instance and is checked by the other.
    const signedIn = await alice.post('/login', { _csrf: csrfTokenIn(page.text), username: 'alice', password: DEMO_PASSWORD, next: '' });
    expect(signedIn.status).toBe(303);
    expect(signedIn.location).not.toMatch(/^\/login/);
    const signInFrom = await servedBy(signedIn);
    expect(signInFrom).toBe(other(pageFrom));
    // HTTPS reached the app through X-Forwarded-Proto from a trusted proxy: Secure, __Host- cookies.
    expect(alice.jar.names()).toEqual(expect.arrayContaining(['__Host-portcullis.sid', '__Host-portcullis.key']));

    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const listing = await alice.get(i % 2 ? '/browse/home/' : '/browse/shared/');
      expect(listing.status).toBe(200);
      expect(listedNames(listing.text)).toContain(i % 2 ? 'Documents' : 'Projects');
      seen.add(await servedBy(listing));
    }
    expect([...seen].sort()).toEqual(['A', 'B']);

    const stolen = alice.copy();
    const out = await signOut(alice);
    expect(out.status).toBe(303);
    expect(out.location).toBe('/login?signed-out=1');
    // The copied cookies are refused by both instances.
    const refusedBy = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const replay = await stolen.get('/browse/home/');
      expect(replay.status).toBe(303);
      expect(replay.location).toMatch(/^\/login/);
      refusedBy.add(await servedBy(replay));
    }
    expect([...refusedBy].sort()).toEqual(['A', 'B']);
  });

  it('counts failed sign-ins through both instances together, by the client address nginx forwards', async () => {
    // A source address of its own: the per-address count must be keyed by it, not by nginx's 127.0.0.1.
    const source = '127.0.65.7';
    const mallory = client(source);
    // One sign-in page, then only posts (each refusal renders the form again with a token): round-robin then sends
    // the posts to A and B in turn.
    let token = csrfTokenIn((await mallory.get('/login')).text);
    const servedWrong: string[] = [];
    for (let i = 0; i < MAX_PER_USER; i++) {
      const reply = await mallory.post('/login', { _csrf: token, username: 'ivan', password: 'wrong password', next: '' });
      expect(reply.status).toBe(401);
      token = csrfTokenIn(reply.text);
      servedWrong.push(await servedBy(reply));
    }
    expect(servedWrong.filter((s) => s === 'A')).toHaveLength(MAX_PER_USER / 2);
    expect(servedWrong.filter((s) => s === 'B')).toHaveLength(MAX_PER_USER / 2);
    // Each instance saw only half of the failures; together they reach the limit, so even the right password is refused.
    const blocked = await signIn(mallory, 'ivan', DEMO_PASSWORD);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(alertIn(blocked.text)).toMatch(/Too many sign-in attempts/);
    const r = await createClient({ url: redis.url }).connect();
    try {
      expect(Number(await r.get('portcullis:signin:user:ivan'))).toBe(MAX_PER_USER);
      expect(Number(await r.get(`portcullis:signin:ip:${source}`))).toBe(MAX_PER_USER);
      // nginx's own address holds no failures (earlier sign-ins from 127.0.0.1 gave their points back).
      expect(Number(await r.get('portcullis:signin:ip:127.0.0.1'))).toBe(0);
    } finally {
      await r.close();
    }
    // From another address too: the username's count is the same on both instances.
    const again = await signIn(client(), 'ivan', DEMO_PASSWORD);
    expect(again.status).toBe(429);
  });

  it('starts a resumable upload through one instance and finishes it through the other', async () => {
    const alice = client();
    await signInOk(alice, 'alice', DEMO_PASSWORD);
    const csrf = csrfTokenIn((await alice.get('/browse/home/')).text);
    const data = Buffer.alloc(12 << 20);
    for (let i = 0; i < data.length; i += 4) data.writeUInt32LE((i * 2654435761) >>> 0, i);
    const name = `scale-resumable-${Date.now()}.bin`;
    const headers = { 'X-CSRF-Token': csrf, Accept: 'application/json' };

    const created = await alice.raw('POST', '/uploads', { ...headers, 'Content-Type': 'application/json' }, Buffer.from(JSON.stringify({ drive: 'home', folder: [SCALE_DIR], mkdir: true, name, size: data.length })));
    expect(created.status).toBe(201);
    const startedOn = await servedBy(created);
    const { id } = JSON.parse(created.body.toString('utf8')) as { id: string };
    const served: ('A' | 'B')[] = [startedOn];
    const half = data.length / 2;
    for (const [from, to] of [[0, half], [half, data.length]] as const) {
      const put = await alice.raw('PUT', `/uploads/${id}?offset=${from}`, { ...headers, 'Content-Type': 'application/octet-stream', 'Content-Length': to - from }, data.subarray(from, to));
      expect(put.status).toBe(200);
      expect(JSON.parse(put.body.toString('utf8'))).toEqual({ offset: to });
      served.push(await servedBy(put));
    }
    // Round-robin alternates: the second chunk and the finish land on the other instance than the one before.
    const finished = await alice.raw('POST', `/uploads/${id}/finish`, headers);
    expect(finished.status).toBe(201);
    served.push(await servedBy(finished));
    expect(served).toEqual([startedOn, other(startedOn), startedOn, other(startedOn)]);

    // The file server has the exact bytes, read back with smbclient.
    const local = join(FIXTURE_ROOT, `nginx-scale-${name}`);
    try {
      await run('smbclient', [`//${domain.ip}/${SHARES.users}`, '-U', `${domain.netbiosDomain}\\alice%${DEMO_PASSWORD}`, '-c', `cd alice/${SCALE_DIR}; get "${name}" "${local}"`]);
      expect(sha256(readFileSync(local))).toBe(sha256(data));
    } finally {
      rmSync(local, { force: true });
    }
  });

  it('sign-out through one instance removes the temporaries of unfinished uploads started through the other', async () => {
    const alice = client();
    await signInOk(alice, 'alice', DEMO_PASSWORD);
    const csrf = csrfTokenIn((await alice.get('/browse/home/')).text);
    const headers = { 'X-CSRF-Token': csrf, Accept: 'application/json' };
    const name = `scale-abandoned-${Date.now()}.bin`;
    const home = join(domain.homesDir, 'alice', SCALE_DIR);
    const temporaries = (): string[] => readdirSync(home).filter((n) => n.startsWith('.~portcullis-') && n.includes(name));

    const created = await alice.raw('POST', '/uploads', { ...headers, 'Content-Type': 'application/json' }, Buffer.from(JSON.stringify({ drive: 'home', folder: [SCALE_DIR], mkdir: true, name, size: 1 << 20 })));
    expect(created.status).toBe(201);
    const startedOn = await servedBy(created);
    const { id } = JSON.parse(created.body.toString('utf8')) as { id: string };
    const put = await alice.raw('PUT', `/uploads/${id}?offset=0`, { ...headers, 'Content-Type': 'application/octet-stream', 'Content-Length': 4096 }, Buffer.alloc(4096, 1));
    expect(put.status).toBe(200);
    expect(temporaries()).toHaveLength(1);

    const out = await signOut(alice);
    expect(out.location).toBe('/login?signed-out=1');
    expect(await servedBy(out)).toBe(other(startedOn));
    // The instance that signed the session out learnt of the upload from Redis, not from its own memory.
    expect(temporaries()).toEqual([]);
  });

  it('sign-out through one instance closes the SMB connections the other opened for that session', async () => {
    // A user no other test here signs in as, so their connections are this session's alone.
    const student = client();
    await signInOk(student, 'student001', DEMO_PASSWORD);
    const before = { A: await smbConnections('A'), B: await smbConnections('B') };
    const browsedOn = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const listing = await student.get('/browse/home/');
      expect(listing.status).toBe(200);
      browsedOn.add(await servedBy(listing));
    }
    expect([...browsedOn].sort()).toEqual(['A', 'B']);
    const opened = { A: await smbConnections('A'), B: await smbConnections('B') };
    expect(opened.A).toBeGreaterThan(before.A);
    expect(opened.B).toBeGreaterThan(before.B);

    const out = await signOut(student);
    expect(out.location).toBe('/login?signed-out=1');
    const signedOutOn = await servedBy(out);
    // The instance that signed out closed its own at once; the other one hears of it through Redis.
    expect(await smbConnections(signedOutOn)).toBeLessThanOrEqual(before[signedOutOn]);
    const elsewhere = other(signedOutOn);
    await waitFor(`instance ${elsewhere} to close the session's SMB connections`, async () => (await smbConnections(elsewhere)) <= before[elsewhere], 15_000, 200);
  });

  it('a job started through one instance is followed, listed and cancelled through the other', async () => {
    const alice = client();
    await signInOk(alice, 'alice', DEMO_PASSWORD);
    const csrf = csrfTokenIn((await alice.get('/browse/home/')).text);
    const headers = { 'X-CSRF-Token': csrf, Accept: 'application/json', 'Content-Type': 'application/json' };
    const home = join(domain.homesDir, 'alice', SCALE_DIR);
    const aliceUid = USERS.find((u) => u.username === 'alice')?.uidNumber ?? 0;
    const tree = (name: string): string[] => {
      const made = makeTree(join(home, name), { top: 2, sub: 2, files: 5 });
      for (const rel of ['', ...made.map((m) => m.split('/').slice(0, -1).join('/')), ...made]) chownSync(join(home, name, rel), aliceUid, USERS_GID);
      return made;
    };
    type View = { id: string; state: string; done: { items: number }; total: { items: number } | null; results: unknown[] };
    const json = <T>(reply: { body: Buffer }): T => JSON.parse(reply.body.toString('utf8')) as T;
    const startDelete = async (name: string): Promise<{ id: string; runner: 'A' | 'B' }> => {
      const body = Buffer.from(JSON.stringify({ drive: 'home', paths: [`${SCALE_DIR}/${name}`] }));
      const reply = await alice.raw('POST', '/api/files/delete', headers, body);
      // Held at the file server: still running when the POST stops waiting for it.
      expect(reply.status).toBe(202);
      return { id: json<{ job: View }>(reply).job.id, runner: await servedBy(reply) };
    };

    tree('job-done');
    gate.holdFrom(1);
    const first = await startDelete('job-done');
    // Two polls in a row: one through each instance (before, the one not running it answered 404).
    const polledBy = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const poll = await alice.raw('GET', `/api/jobs/${first.id}`, headers);
      expect(poll.status).toBe(200);
      expect(json<View>(poll).state).toBe('running');
      polledBy.add(await servedBy(poll));
    }
    expect([...polledBy].sort()).toEqual(['A', 'B']);
    gate.release();
    let last: View | undefined;
    await waitFor('the job to end, polled through both instances', async () => {
      const poll = await alice.raw('GET', `/api/jobs/${first.id}`, headers);
      expect(poll.status).toBe(200);
      last = json<View>(poll);
      return last.state !== 'running';
    }, 60_000, 100);
    expect(last?.state).toBe('done');
    // The folder, 2 terms with an index each, 4 weeks, 20 notes: all reported, none left.
    expect(last?.done.items).toBe(1 + 2 + 2 + 4 + 20);
    expect(last?.results).toHaveLength(29);
    expect(existsSync(join(home, 'job-done'))).toBe(false);
    for (let i = 0; i < 2; i++) {
      const list = await alice.raw('GET', '/api/jobs', headers);
      expect(json<{ jobs: View[] }>(list).jobs.find((j) => j.id === first.id)?.state).toBe('done');
    }

    const kept = tree('job-cancelled');
    gate.holdFrom(1);
    const second = await startDelete('job-cancelled');
    // Strict alternation: the request after the POST goes to the instance that does not run the job.
    const cancelling = alice.raw('DELETE', `/api/jobs/${second.id}`, headers);
    const runner = instances.find((i) => i.name === second.runner);
    await waitFor('the running instance to hear the cancel', () => Promise.resolve((runner?.server.output() ?? '').split('\n').some((l) => l.includes('job cancelled through another instance') && l.includes(second.id))), 15_000);
    gate.release();
    const cancelled = await cancelling;
    expect(cancelled.status).toBe(200);
    expect(await servedBy(cancelled)).toBe(other(second.runner));
    expect(json<View>(cancelled)).toMatchObject({ id: second.id, state: 'cancelled', done: { items: 0 } });
    // Cancelled while counting: nothing was deleted.
    for (const rel of kept) expect(existsSync(join(home, 'job-cancelled', rel))).toBe(true);
    rmSync(join(home, 'job-cancelled'), { recursive: true, force: true });
  });

  it('an instance killed mid-download: the client sees a cut transfer, and its next request works through the other without signing in', async () => {
    const alice = client();
    await signInOk(alice, 'alice', DEMO_PASSWORD);
    // Round-robin is strict alternation here (one nginx worker): after a request served by X, the next goes to Y.
    const probe = await alice.get('/browse/shared/');
    expect(probe.status).toBe(200);
    const victim = other(await servedBy(probe));
    const download = startDownload(alice, `/download/shared/${encodeURIComponent(LARGE_FILE.path)}`);
    // Some bytes have arrived and the client stops reading: the instance is mid-transfer, held back by TCP.
    await download.received(1 << 20);
    const dying = instances.find((i) => i.name === victim);
    dying?.server.child.kill('SIGKILL');
    await waitFor('the killed instance to exit', () => Promise.resolve(dying?.server.child.exitCode !== null || dying.server.child.signalCode !== null), 10_000);
    const result = await download.finish();
    expect(result.status).toBe(200);
    expect(result.contentLength).toBe(LARGE_FILE.bytes);
    expect(result.received).toBeLessThan(LARGE_FILE.bytes);
    expect(result.ending).not.toBe('end');
    console.log(`instance killed mid-download: ${result.received} of ${result.contentLength} bytes, then the connection ${result.ending}`);

    // The session lives in Redis and the key in the cookie: the survivor serves the next requests as they are.
    const next = await alice.get('/browse/shared/');
    expect(next.status).toBe(200);
    expect(listedNames(next.text)).toContain(LARGE_FILE.path);
    expect(await servedBy(next)).toBe(other(victim));
    const whole = await alice.raw('GET', `/download/shared/${encodeURIComponent(LARGE_FILE.path)}`);
    expect(whole.status).toBe(200);
    expect(whole.body.length).toBe(LARGE_FILE.bytes);
    expect(sha256(whole.body)).toBe(sha256(readFileSync(join(domain.sharesDir, SHARES.shared, LARGE_FILE.path))));
  });

  it('an instance killed mid-upload: the upload resumes through the survivor from the offset the file server holds', async () => {
    // The test before killed an instance: start it again on its port, as an orchestrator would.
    for (const [i, inst] of instances.entries()) {
      if (inst.server.child.exitCode !== null || inst.server.child.signalCode !== null) {
        inst.server = await startServerProcess(instanceEnv(APP_PORTS[i] ?? 0, inst.dataDir));
      }
    }
    const alice = client();
    await signInOk(alice, 'alice', DEMO_PASSWORD);
    // nginx sends nothing to an instance for a while after it failed (fail_timeout): wait until both serve again.
    const seen = new Set<string>();
    await waitFor('nginx to use both instances again', async () => {
      seen.add(await servedBy(await alice.get('/browse/home/')));
      return seen.size === 2;
    }, 60_000, 500);

    const csrf = csrfTokenIn((await alice.get('/browse/home/')).text);
    const headers = { 'X-CSRF-Token': csrf, Accept: 'application/json' };
    const data = Buffer.alloc(24 << 20);
    for (let i = 0; i < data.length; i += 4) data.writeUInt32LE((i * 2246822519 + 7) >>> 0, i);
    const name = `scale-interrupted-${Date.now()}.bin`;
    const home = join(domain.homesDir, 'alice', SCALE_DIR);
    const temporarySize = (): number => {
      const temp = readdirSync(home).find((n) => n.startsWith('.~portcullis-') && n.includes(name));
      return temp === undefined ? -1 : statSync(join(home, temp)).size;
    };
    const created = await alice.raw('POST', '/uploads', { ...headers, 'Content-Type': 'application/json' }, Buffer.from(JSON.stringify({ drive: 'home', folder: [SCALE_DIR], mkdir: true, name, size: data.length })));
    expect(created.status).toBe(201);
    const { id } = JSON.parse(created.body.toString('utf8')) as { id: string };
    const first = 4 << 20;
    const put1 = await alice.raw('PUT', `/uploads/${id}?offset=0`, { ...headers, 'Content-Type': 'application/octet-stream', 'Content-Length': first }, data.subarray(0, first));
    expect(put1.status).toBe(200);

    // Strict alternation: the request after one served by X goes to the other, which is the one to kill.
    const victim = other(await servedBy(put1));
    const cookie = alice.jar.header();
    const put2 = alice.open('PUT', `/uploads/${id}?offset=${first}`, { ...headers, Cookie: cookie, 'Content-Type': 'application/octet-stream', 'Content-Length': data.length - first });
    const outcome = new Promise<string>((resolve) => {
      put2.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(`status ${res.statusCode ?? 0}`));
        res.on('error', () => resolve('error'));
      });
      put2.on('error', (err) => resolve(`error ${err.message}`));
    });
    put2.write(data.subarray(first, first + (8 << 20)));
    // The victim is writing the second chunk to the file server when it dies.
    await waitFor('the second chunk to reach the file server', () => Promise.resolve(temporarySize() > first + (1 << 20)), 30_000);
    const dying = instances.find((i) => i.name === victim);
    dying?.server.child.kill('SIGKILL');
    await waitFor('the killed instance to exit', () => Promise.resolve(dying?.server.child.exitCode !== null || dying.server.child.signalCode !== null), 10_000);
    // The client's request fails (nginx answers 502 or drops the connection); it is never taken as done.
    const ended = await Promise.race([outcome, new Promise<string>((resolve) => setTimeout(() => resolve('still open'), 20_000))]);
    put2.destroy();
    expect(ended).not.toBe('status 200');

    // Through the survivor: where the upload stands is what the file server holds, and it continues from there.
    const head = await alice.raw('HEAD', `/uploads/${id}`, headers);
    expect(head.status).toBe(200);
    expect(await servedBy(head)).toBe(other(victim));
    const offset = Number(head.headers.get('upload-offset'));
    expect(offset).toBeGreaterThan(first);
    expect(offset).toBeLessThanOrEqual(first + (8 << 20));
    expect(offset).toBe(temporarySize());
    console.log(`instance killed mid-upload: the client saw ${ended}; the upload resumed at byte ${offset} through the survivor`);
    const put3 = await alice.raw('PUT', `/uploads/${id}?offset=${offset}`, { ...headers, 'Content-Type': 'application/octet-stream', 'Content-Length': data.length - offset }, data.subarray(offset));
    expect(put3.status).toBe(200);
    const finished = await alice.raw('POST', `/uploads/${id}/finish`, headers);
    expect(finished.status).toBe(201);
    const local = join(FIXTURE_ROOT, `nginx-scale-${name}`);
    try {
      await run('smbclient', [`//${domain.ip}/${SHARES.users}`, '-U', `${domain.netbiosDomain}\\alice%${DEMO_PASSWORD}`, '-c', `cd alice/${SCALE_DIR}; get "${name}" "${local}"`]);
      expect(sha256(readFileSync(local))).toBe(sha256(data));
    } finally {
      rmSync(local, { force: true });
    }
  });
});
