// SIGTERM while a big download runs (the real server process, alice downloading from the DC's `shared` share,
// read slowly): the download finishes whole within SHUTDOWN_GRACE_SECONDS, new connections are refused, SMB
// sessions are closed, the process exits 0. And `portcullis check` against the test domain.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appEnvFor } from '../../fixtures/app-env.js';
import { LARGE_FILE } from '../../fixtures/domain-data.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { HttpClient, signInOk } from '../../helpers/http-client.js';
import { freePort, type ServerProcess, startServerProcess, tempDataDir, webEnvFor } from '../../helpers/web-app.js';

interface SlowDownload {
  status: number;
  /** Bytes so far. */
  received(): number;
  /** Resolves with the byte count when the body ends, or rejects when the connection is cut. */
  done: Promise<number>;
}

/** GET that reads about `bytesPerSecond`, pausing the socket so the server feels the back-pressure. */
function slowDownload(url: string, cookie: string, bytesPerSecond: number): Promise<SlowDownload> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { Cookie: cookie, Connection: 'keep-alive' } }, (res) => {
      let received = 0;
      const started = Date.now();
      const done = new Promise<number>((ok, fail) => {
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          const ahead = received / bytesPerSecond - (Date.now() - started) / 1000;
          if (ahead > 0) {
            res.pause();
            setTimeout(() => res.resume(), ahead * 1000);
          }
        });
        res.on('end', () => (res.complete ? ok(received) : fail(new Error(`incomplete after ${received} bytes`))));
        res.on('aborted', () => fail(new Error(`aborted after ${received} bytes`)));
        res.on('error', fail);
      });
      resolve({ status: res.statusCode ?? 0, received: () => received, done });
    });
    req.on('error', reject);
  });
}

const fileUrl = `/download/shared/${encodeURIComponent(LARGE_FILE.path)}`;

describe('graceful shutdown during a download', () => {
  let domain: DomainInfo;
  let dataDir: string;
  let server: ServerProcess | undefined;

  beforeAll(() => {
    domain = requireDomain();
    dataDir = tempDataDir('portcullis-shutdown-');
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(grace: number): Promise<{ server: ServerProcess; cookie: string }> {
    const port = await freePort();
    server = await startServerProcess(webEnvFor(domain, dataDir, { PORT: String(port), SHUTDOWN_GRACE_SECONDS: String(grace) }));
    const client = new HttpClient(server.url);
    await signInOk(client, 'alice', DEMO_PASSWORD);
    return { server, cookie: client.jar.header() ?? '' };
  }

  it('SIGTERM: the download in flight finishes whole, new connections are refused, SMB sessions are logged off, exit 0', async () => {
    const { server: proc, cookie } = await start(30);
    // 64 MiB at 16 MiB/s: about 4 s, well inside the 30 s grace.
    const download = await slowDownload(`${proc.url}${fileUrl}`, cookie, 16 * 1024 * 1024);
    expect(download.status).toBe(200);
    while (download.received() < 4 * 1024 * 1024) await new Promise((r) => setTimeout(r, 20));
    const exited = once(proc.child, 'exit');
    const signalledAt = Date.now();
    proc.child.kill('SIGTERM');
    // Refused once the process has handled the signal, which a busy machine may delay: wait for that, not a fixed time.
    await expect.poll(() => fetch(`${proc.url}/healthz`).then(() => 'answered', () => 'refused'), { timeout: 20_000, interval: 50 }).toBe('refused');
    expect(await download.done).toBe(LARGE_FILE.bytes);
    const [code] = (await exited) as [number | null];
    const tookMs = Date.now() - signalledAt;
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(30_000);
    const out = proc.output();
    expect(out).toContain('SIGTERM received: finishing in-flight requests');
    expect(out).toContain('SMB connection closed');
    expect(out.indexOf('SMB connection closed')).toBeGreaterThan(out.indexOf('SIGTERM received'));
    expect(out).toContain('"message":"stopped"');
  });

  it('a download longer than the grace period is cut when it ends (visibly incomplete), and the process exits', async () => {
    const { server: proc, cookie } = await start(2);
    // 64 MiB at 4 MiB/s would take 16 s.
    const download = await slowDownload(`${proc.url}${fileUrl}`, cookie, 4 * 1024 * 1024);
    while (download.received() < 1024 * 1024) await new Promise((r) => setTimeout(r, 20));
    const exited = once(proc.child, 'exit');
    const signalledAt = Date.now();
    proc.child.kill('SIGTERM');
    await expect(download.done).rejects.toThrow(/aborted|incomplete/);
    const cutAfter = Date.now() - signalledAt;
    expect(cutAfter).toBeGreaterThan(1500);
    // Well short of the ~15 s the rest of the download would take uncut; the slack is for a busy machine.
    expect(cutAfter).toBeLessThan(12_000);
    await exited;
    expect(proc.output()).toContain('shutdown grace of 2 s is over');
  });
});

function runCheck(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'check', ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
  return once(child, 'exit').then(([code]) => ({ code: code as number | null, out }));
}

const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('portcullis check', () => {
  it('passes against the test domain: config, bind, TCP probe of the file server', async () => {
    const domain = requireDomain();
    const { code, out } = await runCheck(appEnvFor(domain));
    expect(out).toMatch(/^PASS\s+Configuration\s/m);
    expect(out).toMatch(new RegExp(`^PASS\\s+Directory bind \\(LDAPS\\)\\s+ldaps://${escaped(domain.ip)}`, 'm'));
    expect(out).toMatch(new RegExp(`^PASS\\s+File server ${domain.fileServerName.replace(/\./g, '\\.')}\\s`, 'm'));
    expect(out).toContain('All checks passed.');
    expect(code).toBe(0);
  });

  it('with --user, signs in (password from PORTCULLIS_PASSWORD) and opens every drive of that user over SMB', async () => {
    const domain = requireDomain();
    const { code, out } = await runCheck({ ...appEnvFor(domain), PORTCULLIS_PASSWORD: DEMO_PASSWORD }, ['--user', 'alice']);
    expect(out).toMatch(/^PASS\s+Sign-in as alice\s+LDAP\s.*signed in as alice/m);
    expect(out).toMatch(new RegExp(`^PASS\\s+Drive "My home" as alice\\s+${escaped(domain.ip)}:445 \\\\users\\s.*SMB 3\\.1\\.1 session, share and folder open`, 'm'));
    expect(out).toMatch(/^PASS\s+Drive "Shared" as alice\s/m);
    expect(out).toMatch(/^PASS\s+Drive "Library" as alice\s/m);
    expect(out).not.toContain(DEMO_PASSWORD);
    expect(code).toBe(0);
  });

  it('fails clearly with a wrong service password (exit 1, FAIL row naming the bind)', async () => {
    const domain = requireDomain();
    const { code, out } = await runCheck({ ...appEnvFor(domain), LDAP_BIND_PASSWORD: 'Wrong-Service-PW-3' });
    expect(out).toMatch(
      new RegExp(`^FAIL\\s+Directory bind \\(LDAPS\\)\\s+ldaps://${escaped(domain.ip)}\\s.*wrong service-account password \\(LDAP_BIND_PASSWORD\\) or unknown LDAP_BIND_DN \\[.*data 52e`, 'm'),
    );
    expect(out).toMatch(/FAILED: 1 check\(s\) failed\./);
    expect(out).not.toContain('Wrong-Service-PW-3');
    expect(code).toBe(1);
  });

  it('fails on an invalid configuration, naming the setting', async () => {
    const { code, out } = await runCheck({ LDAP_TIMEOUT_MS: 'soon' });
    expect(out).toMatch(/^FAIL\s+Configuration\s+environment\s+.*LDAP_TIMEOUT_MS: expected an integer/m);
    expect(code).toBe(1);
  });
});
