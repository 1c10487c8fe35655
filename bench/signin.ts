// `npm run bench -- signin [--at-once 50,200] [--single 40] [--first-time] [--ip 127.0.0.30] [--name bench]`
// Sign-in storms through the real form (GET /login for the CSRF token and cookie, then POST), as distinct
// student accounts, against the app as `npm start` runs it (needs `npm run build` first):
//   - a single sign-in at a time, N times: p50 of the POST (loopback, so ≈ the server's time), target ≤ 60 ms;
//     first as each student's first sign-in ever on the (fresh) domain, then again as returning users;
//   - N sign-ins at once, each a different student: p50/p99 of the POST, failures by status, targets for 200 at
//     once: 0 failures, p50 ≤ 2 s, p99 ≤ 5 s. Returning students (signed in once, unmeasured, before the burst),
//     as a lecture hall's are; --first-time for students who never signed in;
//   - CPU per sign-in: the DC's (utime+stime of every process in its session, from /proc) and the app's.
// --ip/--name choose the domain (a test domain's own name and IP reuse its snapshot).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appEnvFor } from '../test/fixtures/app-env.js';
import { type DomainInfo, startDomain, stopDomain } from '../test/fixtures/domain.js';
import { STUDENT_COUNT, studentName } from '../test/fixtures/domain-data.js';
import { canConnect, waitFor } from '../test/fixtures/proc.js';
import { HttpClient } from '../test/helpers/http-client.js';
import { verdict } from './common.js';

export const summary = 'sign-ins at once as distinct students (p50/p99, failures), single sign-in p50, DC CPU ms per sign-in';

interface Options {
  atOnce: number[];
  single: number;
  ip: string;
  name: string;
  port: number;
  firstTime: boolean;
}

function parseOptions(args: string[]): Options {
  const o: Options = { atOnce: [50, 200], single: 40, ip: '127.0.0.30', name: 'bench', port: 3991, firstTime: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string => args[++i] ?? '';
    if (a === '--at-once') o.atOnce = value().split(',').map(Number);
    else if (a === '--single') o.single = Number(value());
    else if (a === '--ip') o.ip = value();
    else if (a === '--name') o.name = value();
    else if (a === '--port') o.port = Number(value());
    else if (a === '--first-time') o.firstTime = true;
    else throw new Error(`unknown option ${a} (known: --at-once N,N, --single N, --first-time, --ip IP, --name NAME, --port N)`);
  }
  if (o.atOnce.some((n) => !(n >= 1 && n <= STUDENT_COUNT))) throw new Error(`--at-once takes 1 … ${STUDENT_COUNT}`);
  return o;
}

const log = (line: string): void => void process.stderr.write(`bench signin: ${line}\n`);

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU ms so far of every process in the DC's session (samba forks its workers into the launcher's session). */
function dcCpuMs(launcherPid: number): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): state ppid pgrp session … utime(14) stime(15).
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(rest[3]) !== launcherPid) continue;
      ticks += Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]);
    } catch {
      // gone meanwhile
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** CPU ms so far of one process, or with `mainThread` of its main thread only (the one that serialises requests). */
function processCpuMs(pid: number, mainThread = false): number {
  const stat = readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(rest[11]) + Number(rest[12])) * 1000) / TICKS_PER_SECOND;
}

function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

interface Outcome {
  ms: number;
  status: number;
}

/** POST timing only: the form is fetched first, then the clock runs. */
async function timedSignIn(base: string, username: string, password: string): Promise<Outcome> {
  const client = new HttpClient(base);
  const page = await client.get('/login').catch(() => undefined);
  if (page?.status !== 200) return { ms: NaN, status: page?.status ?? 0 };
  const token = /name="_csrf" value="([^"]*)"/.exec(page.text)?.[1] ?? '';
  const started = performance.now();
  const reply = await client.post('/login', { _csrf: token, username, password, next: '' }).catch(() => undefined);
  return { ms: performance.now() - started, status: reply?.status ?? 0 };
}

function describeRun(label: string, outcomes: Outcome[], dcMs: number, appMs: number, mainMs: number): string {
  const ok = outcomes.filter((o) => o.status === 303);
  const failures = new Map<number, number>();
  for (const o of outcomes) if (o.status !== 303) failures.set(o.status, (failures.get(o.status) ?? 0) + 1);
  const ms = ok.map((o) => o.ms);
  const failed = [...failures].map(([s, n]) => `${n}×${s === 0 ? 'no answer' : s}`).join(', ') || 'none';
  return `${label}: ${ok.length}/${outcomes.length} signed in, p50 ${percentile(ms, 50).toFixed(0)} ms, p99 ${percentile(ms, 99).toFixed(0)} ms, failures: ${failed}; CPU per sign-in: DC ${(dcMs / outcomes.length).toFixed(1)} ms, app ${(appMs / outcomes.length).toFixed(1)} ms (main thread ${(mainMs / outcomes.length).toFixed(1)} ms)`;
}

function startArgs(root: string): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [cmd, ...args] = pkg.scripts.start.trim().split(/\s+/);
  if (cmd !== 'node') throw new Error(`npm start runs ${cmd}, not node: the benchmark can't follow it`);
  return args;
}

async function withApp<T>(root: string, domain: DomainInfo, o: Options, work: (base: string, appPid: number) => Promise<T>): Promise<T> {
  const data = mkdtempSync(join(tmpdir(), 'portcullis-bench-signin-'));
  let app: ChildProcess | undefined;
  try {
    const env = {
      ...process.env,
      ...appEnvFor(domain),
      NODE_ENV: 'production',
      SESSION_COOKIE_SECURE: 'false',
      PORT: String(o.port),
      HOST: '127.0.0.1',
      SESSION_SECRET: 'bench-'.repeat(8),
      DATA_DIR: data,
      LOG_LEVEL: 'warn',
      // Failed sign-ins only count; a storm of right passwords from one address must not trip anything.
      LOGIN_MAX_PER_IP: '10000',
    };
    // BENCH_APP_NODE_ARGS: extra node flags for the app, as in app-proc.ts (e.g. '--cpu-prof --cpu-prof-dir DIR').
    const extra = (process.env.BENCH_APP_NODE_ARGS ?? '').split(/\s+/).filter((a) => a !== '');
    app = spawn(process.execPath, [...extra, ...startArgs(root)], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
    await waitFor('the app', () => canConnect('127.0.0.1', o.port), 15_000);
    if (app.pid === undefined) throw new Error('the app has no pid');
    return await work(`http://127.0.0.1:${o.port}`, app.pid);
  } finally {
    app?.kill('SIGTERM');
    if (app && app.exitCode === null) await new Promise((r) => app?.once('exit', r));
    rmSync(data, { recursive: true, force: true });
  }
}

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args);
  const root = new URL('..', import.meta.url).pathname;
  if (!existsSync(join(root, 'dist', 'server.js'))) throw new Error('run `npm run build` first: the benchmark starts node dist/server.js');
  log(`starting the domain ${o.name} on ${o.ip}`);
  const domain = await startDomain({ name: o.name, ip: o.ip });
  const lines: string[] = [];
  try {
    await withApp(root, domain, o, async (base, appPid) => {
      // Each phase signs in students nobody has used in this run yet; `returning` ones signed in once before it,
      // as a lecture hall's have: a user's very first logon costs a Samba DC several times more (it records it).
      let next = 1;
      const take = (n: number): string[] => Array.from({ length: n }, () => studentName(((next++ - 1) % STUDENT_COUNT) + 1));
      const sequential = async (names: string[]): Promise<Outcome[]> => {
        const out: Outcome[] = [];
        for (const name of names) out.push(await timedSignIn(base, name, domain.password));
        return out;
      };
      const measure = async (label: string, work: () => Promise<Outcome[]>): Promise<Outcome[]> => {
        const dc0 = dcCpuMs(domain.pid);
        const app0 = processCpuMs(appPid);
        const main0 = processCpuMs(appPid, true);
        const outcomes = await work();
        lines.push(describeRun(label, outcomes, dcCpuMs(domain.pid) - dc0, processCpuMs(appPid) - app0, processCpuMs(appPid, true) - main0));
        return outcomes;
      };
      /** Signs them in once, 8 at a time, unmeasured. */
      const signInOnce = async (names: string[]): Promise<void> => {
        for (let i = 0; i < names.length; i += 8) await Promise.all(names.slice(i, i + 8).map((name) => timedSignIn(base, name, domain.password)));
      };
      // Warm-up: first connections, template compilation.
      await sequential(take(3));

      const singles = take(o.single);
      await measure(`one at a time ×${o.single}, first sign-in ever`, () => sequential(singles));
      const again = await measure(`one at a time ×${o.single}, returning`, () => sequential(singles));
      const singleP50 = percentile(again.filter((s) => s.status === 303).map((s) => s.ms), 50);
      lines.push(`  single returning sign-in p50 ${singleP50.toFixed(1)} ms (target ≤ 60 ms) ${verdict(singleP50 <= 60)}`);

      for (const n of o.atOnce) {
        // Distinct students within a burst: a lecture hall, not one account n times.
        const names = take(n);
        if (!o.firstTime) await signInOnce(names);
        const outcomes = await measure(`${n} at once${o.firstTime ? ', first sign-in ever' : ', returning'}`, () =>
          Promise.all(names.map((name) => timedSignIn(base, name, domain.password))),
        );
        if (n >= 200) {
          const ms = outcomes.filter((x) => x.status === 303).map((x) => x.ms);
          const good = outcomes.every((x) => x.status === 303) && percentile(ms, 50) <= 2000 && percentile(ms, 99) <= 5000;
          lines.push(`  target for 200 at once (0 failures, p50 ≤ 2 s, p99 ≤ 5 s) ${verdict(good)}`);
        }
      }
    });
  } finally {
    await stopDomain(o.name);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
