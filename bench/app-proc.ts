// The app as `npm start` runs it, for the benchmarks that go through HTTP (http, cost): start it against a
// test domain, sign in, and read its CPU time and memory from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appEnvFor } from '../test/fixtures/app-env.js';
import type { DomainInfo } from '../test/fixtures/domain.js';
import { canConnect, waitFor } from '../test/fixtures/proc.js';
import { csrfTokenIn, HttpClient, signInOk } from '../test/helpers/http-client.js';
import { exec } from './common.js';

/** curl's own timings: status, bytes, seconds to first byte and to the end. */
export async function curl(args: string[]): Promise<{ status: number; bytes: number; ttfbMs: number; totalMs: number }> {
  const p = await exec('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code} %{size_download} %{size_upload} %{time_starttransfer} %{time_total}', ...args]);
  if (p.code !== 0) throw new Error(`curl failed: ${p.stderr.trim()}`);
  const [status, down, up, ttfb, total] = p.stdout.trim().split(' ').map(Number) as [number, number, number, number, number];
  return { status, bytes: Math.max(down, up), ttfbMs: ttfb * 1000, totalMs: total * 1000 };
}

/** The app's arguments exactly as `npm start` gives them to node (its memory flags included). */
export function startArgs(root: string): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [cmd, ...args] = pkg.scripts.start.trim().split(/\s+/);
  if (cmd !== 'node') throw new Error(`npm start runs ${cmd}, not node: the benchmark can't follow it`);
  return args;
}

/** utime and stime of a process apart, in seconds (USER_HZ is 100 on Linux). */
export function cpuTimes(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
}

/** utime + stime of a process, in seconds. */
export function cpuSeconds(pid: number): number {
  const t = cpuTimes(pid);
  return t.user + t.system;
}

function statusKiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

export const peakRssBytes = (pid: number): number => statusKiB(pid, 'VmHWM');
export const rssBytes = (pid: number): number => statusKiB(pid, 'VmRSS');

/** Resets the kernel's high-water mark of RSS to the current RSS (Linux ≥ 4.0). */
export function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

export interface RunningApp {
  proc: ChildProcess;
  pid: number;
  base: string;
  /** Signed in as `username`: the session cookie and a CSRF token for it. */
  cookie: string;
  token: string;
  /** SIGTERM, then waits for the process to exit (so a CPU profile is written). */
  stop(): Promise<void>;
}

/** Starts dist/server.js as `npm start` does, on 127.0.0.1:port, and signs `username` in. */
export async function startApp(
  root: string,
  domain: DomainInfo,
  o: { port: number; dataDir: string; username: string; env?: Record<string, string> },
): Promise<RunningApp> {
  const env = {
    ...process.env,
    ...appEnvFor(domain),
    NODE_ENV: 'production',
    // Plain HTTP on loopback: production's Secure cookies would never be set.
    SESSION_COOKIE_SECURE: 'false',
    PORT: String(o.port),
    HOST: '127.0.0.1',
    SESSION_SECRET: 'bench-'.repeat(8),
    DATA_DIR: o.dataDir,
    LOG_LEVEL: 'warn',
    ...o.env,
  };
  // BENCH_APP_NODE_ARGS: extra node flags for the app, to find where the time goes, e.g.
  // '--cpu-prof --cpu-prof-dir /tmp/prof' (written when the app exits) or '--trace-gc'.
  const extra = (process.env.BENCH_APP_NODE_ARGS ?? '').split(/\s+/).filter((a) => a !== '');
  const proc = spawn(process.execPath, [...extra, ...startArgs(root)], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    await exited;
  };
  try {
    if (proc.pid === undefined) throw new Error('the app has no pid');
    await waitFor('the app', () => canConnect('127.0.0.1', o.port), 15_000);
    const base = `http://127.0.0.1:${o.port}`;
    const client = new HttpClient(base);
    await signInOk(client, o.username, domain.password);
    const token = csrfTokenIn((await client.request('GET', '/browse/shared/')).text);
    return { proc, pid: proc.pid, base, cookie: client.jar.header(), token, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
