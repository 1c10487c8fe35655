// `npm run bench -- load [--n 50,200,500] [--duration 60] [--search-phase 10] [--soak 600] [--route-cpu 10]
//                        [--cpu-prof DIR] [--env K=V] [--ip 127.0.0.30] [--name bench] [--port 3992]`
// A lecture hall against the app as `npm start` runs it (needs `npm run build` first):
//   - N distinct students sign in at once through the real form (GET /login for the CSRF token, then POST); a 503
//     is retried after its Retry-After, as a browser user would; p50/p99 of the POST, failures, the DC's CPU;
//   - then all N sessions loop concurrently for --duration seconds: home listing, Documents listing, a 77-byte
//     download, the Library listing, a thumbnail, a 1 MiB download, and every tenth loop a 10 MiB upload. Every
//     request has a deadline and every session a loop cap, so a stuck server ends the run rather than hangs it;
//   - meanwhile alice opens the 10,000-entry folder three times (the issue's target: ≤ 2 s under N = 200);
//   - per route: requests/s, p50/p95/p99, errors by status; app CPU ms per request (/proc); peak and final RSS;
//     open SMB connections (the app's gauge) and smbd processes; event-loop delay p99 (the app's /metrics);
//   - then search fairness (issue 13), --search-phase seconds a phase (0 skips): the same sessions loop over their
//     listings alone, while alice searches the whole Shared drive back to back, alone, searching (search-fairness.ts,
//     as `bench search`): listing p50/p99 and req/s per phase, the searches, and listing p99 searching vs alone.
// --route-cpu S: afterwards, each route alone for S seconds from all sessions: the app's CPU ms per request of
// that route (what --cpu-prof work is judged by). --soak 600: N = 50 for ten minutes, a line each minute, and
// the growth of RSS, handles and SMB connections after the first minute. --env passes settings to the app.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appEnvFor } from '../test/fixtures/app-env.js';
import { type DomainInfo, startDomain, stopDomain } from '../test/fixtures/domain.js';
import { BIG_FOLDER, LIBRARY_FILES, STUDENT_COUNT, studentName } from '../test/fixtures/domain-data.js';
import { canConnect, waitFor } from '../test/fixtures/proc.js';
import { csrfTokenIn, HttpClient, signInOk } from '../test/helpers/http-client.js';
import { verdict } from './common.js';
import { hit, MAX_LOOPS_PER_SECOND, type Hit } from './hit.js';
import { dcCpuMs, openHandles, percentile, processCpuMs, startArgs, statusBytes } from './proc-stats.js';
import { fairnessLines, fairnessPhases, SEARCH_MAX_SECONDS } from './search-fairness.js';

export const summary = 'N students signed in and looping at once (--n 50,200,500; --soak 600): per-route p99, CPU/request, RSS, SMB connections';

interface Options {
  n: number[];
  durationS: number;
  soakS: number | undefined;
  routeCpuS: number;
  searchPhaseS: number;
  cpuProf: string | undefined;
  env: Record<string, string>;
  ip: string;
  name: string;
  port: number;
}

function parseOptions(args: string[]): Options {
  const o: Options = { n: [50, 200, 500], durationS: 60, soakS: undefined, routeCpuS: 0, searchPhaseS: 10, cpuProf: undefined, env: {}, ip: '127.0.0.30', name: 'bench', port: 3992 };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string => args[++i] ?? '';
    if (a === '--n') o.n = value().split(',').map(Number);
    else if (a === '--duration') o.durationS = Number(value());
    else if (a === '--soak') o.soakS = Number(value());
    else if (a === '--route-cpu') o.routeCpuS = Number(value());
    else if (a === '--search-phase') o.searchPhaseS = Number(value());
    else if (a === '--cpu-prof') o.cpuProf = value();
    else if (a === '--env') {
      const [k = '', ...v] = value().split('=');
      o.env[k] = v.join('=');
    } else if (a === '--ip') o.ip = value();
    else if (a === '--name') o.name = value();
    else if (a === '--port') o.port = Number(value());
    else throw new Error(`unknown option ${a} (known: --n N,N, --duration S, --soak S, --route-cpu S, --search-phase S, --cpu-prof DIR, --env K=V, --ip IP, --name NAME, --port N)`);
  }
  if (o.soakS !== undefined) o.n = [50];
  if (o.n.some((n) => !(n >= 1 && n <= STUDENT_COUNT))) throw new Error(`--n takes 1 … ${STUDENT_COUNT}`);
  if (!(o.durationS > 0)) throw new Error('--duration takes seconds');
  if (!(o.searchPhaseS >= 0)) throw new Error('--search-phase takes seconds (0 skips the search phases)');
  return o;
}

const log = (line: string): void => void process.stderr.write(`bench load: ${line}\n`);

const UPLOAD_BYTES = 10 * 1024 * 1024;
const ADMIN_TOKEN = 'bench-load-admin-token';

interface Route {
  name: string;
  /** Small listing, for the p99 ≤ 250 ms target. */
  listing?: boolean;
  method: 'GET' | 'POST';
  path: string;
  /** The body a good answer carries, when known: a shorter one is an error. */
  bytes?: number;
  ok: number;
}

const enc = encodeURIComponent;
const ROUTES: Route[] = [
  { name: 'home listing', listing: true, method: 'GET', path: '/browse/home/', ok: 200 },
  { name: 'Documents listing', listing: true, method: 'GET', path: '/browse/home/Documents/', ok: 200 },
  { name: 'small download', method: 'GET', path: '/download/home/Welcome.txt', ok: 200 },
  { name: 'Library listing', listing: true, method: 'GET', path: '/browse/library/', ok: 200 },
  { name: 'thumbnail', method: 'GET', path: `/thumb/library/${enc(LIBRARY_FILES.image)}`, ok: 200 },
  { name: '1 MiB download', method: 'GET', path: `/download/library/${enc(LIBRARY_FILES.oneMiB)}`, bytes: LIBRARY_FILES.oneMiBBytes, ok: 200 },
];
const UPLOAD: Route = { name: '10 MiB upload', method: 'POST', path: '/upload/home/?conflict=overwrite', ok: 201 };

interface Session {
  username: string;
  cookie: string;
  csrf: string;
}

/** A multipart body carrying one 10 MiB file, built once and sent by every uploader. */
function uploadBody(): { body: Buffer; type: string } {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="load-upload.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { body: Buffer.concat([head, randomBytes(UPLOAD_BYTES), tail]), type: `multipart/form-data; boundary=${boundary}` };
}

class RouteStats {
  readonly ms = new Map<string, number[]>();
  readonly statuses = new Map<string, Map<string, number>>();

  add(route: Route, h: Hit): void {
    const good = h.status === route.ok && (route.bytes === undefined || h.bytes === route.bytes);
    const base = good ? 'ok' : h.status === 0 ? 'no answer' : h.status === route.ok ? 'short body' : String(h.status);
    const label = !good && h.why ? `${base} (${h.why})` : base;
    const s = this.statuses.get(route.name) ?? new Map<string, number>();
    s.set(label, (s.get(label) ?? 0) + 1);
    this.statuses.set(route.name, s);
    if (good) {
      const xs = this.ms.get(route.name) ?? [];
      xs.push(h.ms);
      this.ms.set(route.name, xs);
    }
  }

  count(): { total: number; errors: number } {
    let total = 0;
    let errors = 0;
    for (const s of this.statuses.values()) {
      for (const [label, n] of s) {
        total += n;
        if (label !== 'ok') errors += n;
      }
    }
    return { total, errors };
  }

  p99(name: string): number {
    return percentile(this.ms.get(name) ?? [], 99);
  }
}

interface AppMetrics {
  smbConnections: number;
  smbWaiting: number;
  eventLoopP99Ms: number;
}

async function scrape(port: number): Promise<AppMetrics> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  const text = await res.text();
  const sum = (name: string): number =>
    text
      .split('\n')
      .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
      .reduce((acc, l) => acc + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  return { smbConnections: sum('portcullis_smb_connections'), smbWaiting: sum('portcullis_smb_waiting_requests'), eventLoopP99Ms: sum('portcullis_nodejs_eventloop_lag_p99_seconds') * 1000 };
}

/**
 * The DC's smbd: it runs in a session of its own (it daemonises), so the DC's CPU is samba's session plus this
 * one. `children`: smbd processes serving a client (one per SMB connection), its helpers and parent left out.
 */
function smbdOf(domain: DomainInfo): { session: number | undefined; children: number } {
  const conf = join(domain.dir, 'etc', 'smb.conf');
  let session: number | undefined;
  let parent: number | undefined;
  const smbd: { ppid: number }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== 'smbd') continue;
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(conf)) continue;
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(rest[1]);
      smbd.push({ ppid });
      if (Number(rest[3]) === Number(entry)) {
        session = Number(entry);
        parent = Number(entry);
      }
    } catch {
      // gone meanwhile
    }
  }
  return { session, children: smbd.filter((p) => p.ppid === parent).length };
}

/** CPU ms so far of the whole DC: samba's session and smbd's. */
function dcTotalCpuMs(domain: DomainInfo): number {
  const smbdSession = smbdOf(domain).session;
  return dcCpuMs(domain.pid) + (smbdSession === undefined ? 0 : dcCpuMs(smbdSession));
}

const mb = (b: number): string => `${(b / 1e6).toFixed(0)} MB`;
const fmt = (ms: number): string => (Number.isFinite(ms) ? `${ms.toFixed(0)}` : '—');

interface SignInResult {
  sessions: Session[];
  lines: string[];
}

async function signInAll(base: string, names: string[], domain: DomainInfo, appPid: number): Promise<SignInResult> {
  const password = domain.password;
  const ms: number[] = [];
  const firstFailures = new Map<string, number>();
  let finalFailures = 0;
  const dc0 = dcTotalCpuMs(domain);
  const app0 = processCpuMs(appPid);
  const t0 = performance.now();
  const sessions = await Promise.all(
    names.map(async (username): Promise<Session | undefined> => {
      for (let attempt = 0; attempt < 4; attempt++) {
        const client = new HttpClient(base);
        const page = await client.get('/login').catch(() => undefined);
        if (page?.status !== 200) {
          if (attempt === 0) firstFailures.set(`GET ${page?.status ?? 'no answer'}`, (firstFailures.get(`GET ${page?.status ?? 'no answer'}`) ?? 0) + 1);
          continue;
        }
        const started = performance.now();
        const reply = await client.post('/login', { _csrf: csrfTokenIn(page.text), username, password, next: '' }).catch(() => undefined);
        const status = reply?.status ?? 0;
        if (status === 303 && !reply?.location?.startsWith('/login')) {
          ms.push(performance.now() - started);
          const home = await client.get('/browse/home/');
          return { username, cookie: client.jar.header(), csrf: csrfTokenIn(home.text) };
        }
        if (attempt === 0) firstFailures.set(String(status), (firstFailures.get(String(status)) ?? 0) + 1);
        const wait = Number(reply?.headers.get('retry-after') ?? '5');
        await new Promise((r) => setTimeout(r, Math.min(30, Math.max(1, wait)) * 1000));
      }
      finalFailures++;
      return undefined;
    }),
  );
  const wall = performance.now() - t0;
  const failed = [...firstFailures].map(([s, n]) => `${n}×${s}`).join(', ') || 'none';
  return {
    sessions: sessions.filter((s): s is Session => s !== undefined),
    lines: [
      `  sign-in of ${names.length} at once: p50 ${fmt(percentile(ms, 50))} ms, p99 ${fmt(percentile(ms, 99))} ms (POST; ${(wall / 1000).toFixed(1)} s for all), first-attempt failures: ${failed}, still failing after 3 retries: ${finalFailures}`,
      `  CPU during sign-in (and each session's first listing): DC ${((dcTotalCpuMs(domain) - dc0) / names.length).toFixed(1)} ms per sign-in (${((dcTotalCpuMs(domain) - dc0) / 1000).toFixed(1)} s), app ${((processCpuMs(appPid) - app0) / names.length).toFixed(1)} ms`,
    ],
  };
}

/** Every session loops through `routes` until `until`; returns the loops run. */
async function drive(sessions: Session[], port: number, agent: Agent, routes: Route[], withUpload: boolean, stats: RouteStats, untilMs: number): Promise<number> {
  const upload = withUpload ? uploadBody() : undefined;
  const maxLoops = Math.ceil(((untilMs - performance.now()) / 1000) * MAX_LOOPS_PER_SECOND);
  let loops = 0;
  await Promise.all(
    sessions.map(async (s, i) => {
      const headers = { Cookie: s.cookie, Accept: 'text/html' };
      // Sessions start their upload turn at different loops, so uploads spread over the run.
      for (let loop = 0; loop < maxLoops && performance.now() < untilMs; loop++) {
        for (const route of routes) {
          if (performance.now() >= untilMs) break;
          stats.add(route, await hit(agent, port, route.method, route.path, headers));
        }
        if (upload && (loop + i) % 10 === 9 && performance.now() < untilMs) {
          const h = await hit(agent, port, 'POST', `${UPLOAD.path}&_csrf=${enc(s.csrf)}`, { ...headers, Accept: 'application/json', 'Content-Type': upload.type, 'Content-Length': String(upload.body.length) }, upload.body);
          stats.add(UPLOAD, h);
        }
        loops++;
      }
    }),
  );
  return loops;
}

interface Sampler {
  peakRss: number;
  stop(): void;
}

function sampleRss(pid: number): Sampler {
  const s: Sampler = {
    peakRss: statusBytes(pid, 'VmRSS'),
    stop: () => clearInterval(timer),
  };
  const timer = setInterval(() => {
    try {
      s.peakRss = Math.max(s.peakRss, statusBytes(pid, 'VmRSS'));
    } catch {
      // the app is gone: the run reports it
    }
  }, 250);
  return s;
}

function routeLines(stats: RouteStats, seconds: number, routes: Route[]): string[] {
  return routes.map((r) => {
    const xs = stats.ms.get(r.name) ?? [];
    const errors = [...(stats.statuses.get(r.name) ?? [])].filter(([l]) => l !== 'ok').map(([l, n]) => `${n}×${l}`).join(', ') || 'none';
    return `    ${r.name.padEnd(18)} ${(xs.length / seconds).toFixed(1).padStart(7)} req/s  p50 ${fmt(percentile(xs, 50)).padStart(5)}  p95 ${fmt(percentile(xs, 95)).padStart(5)}  p99 ${fmt(percentile(xs, 99)).padStart(5)} ms  errors: ${errors}`;
  });
}

/** alice opens the 10,000-entry folder `times` times, one after the other: the full page's time each. */
async function bigFolder(base: string, password: string, times: number): Promise<number[]> {
  const client = new HttpClient(base);
  const page = await client.get('/login');
  await client.post('/login', { _csrf: csrfTokenIn(page.text), username: 'alice', password, next: '' });
  const out: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    const reply = await client.get(`/browse/shared/${enc(BIG_FOLDER.path)}/`);
    out.push(reply.status === 200 ? performance.now() - t0 : NaN);
  }
  return out;
}

async function withApp<T>(root: string, domain: DomainInfo, o: Options, work: (base: string, appPid: number) => Promise<T>): Promise<T> {
  const data = mkdtempSync(join(tmpdir(), 'portcullis-bench-load-'));
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
      ADMIN_TOKEN,
      // One address signs in the whole lecture hall: only failed sign-ins count, but keep every limit out of the way.
      LOGIN_MAX_PER_IP: '10000',
      SEARCH_MAX_SECONDS: String(SEARCH_MAX_SECONDS),
      ...o.env,
    };
    // BENCH_APP_NODE_ARGS adds node flags, as for `bench cost` ('--trace-gc', say).
    const args = [...(process.env.BENCH_APP_NODE_ARGS ?? '').split(/\s+/).filter((a) => a !== ''), ...startArgs(root)];
    if (o.cpuProf !== undefined) {
      mkdirSync(o.cpuProf, { recursive: true });
      args.unshift('--cpu-prof', '--cpu-prof-dir', o.cpuProf);
    }
    app = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
    await waitFor('the app', () => canConnect('127.0.0.1', o.port), 15_000);
    if (app.pid === undefined) throw new Error('the app has no pid');
    return await work(`http://127.0.0.1:${o.port}`, app.pid);
  } finally {
    app?.kill('SIGTERM');
    if (app && app.exitCode === null) await new Promise((r) => app?.once('exit', r));
    rmSync(data, { recursive: true, force: true });
  }
}

async function loadRun(o: Options, domain: DomainInfo, base: string, appPid: number, n: number, firstStudent: number): Promise<string[]> {
  const lines = [`N = ${n} (students ${studentName(firstStudent)}…${studentName(firstStudent + n - 1)}), ${o.soakS ?? o.durationS} s, machine load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} at start`];
  const names = Array.from({ length: n }, (_, i) => studentName(firstStudent + i));
  const startRss = statusBytes(appPid, 'VmRSS');
  const signIn = await signInAll(base, names, domain, appPid);
  lines.push(...signIn.lines);
  const sessions = signIn.sessions;
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  try {
    await scrape(o.port); // resets the event-loop histogram: the figure below is the load's
    const rss = sampleRss(appPid);
    const cpu0 = processCpuMs(appPid);
    const dcCpu0 = dcTotalCpuMs(domain);
    const benchCpu0 = process.cpuUsage();
    const seconds = o.soakS ?? o.durationS;
    const stats = new RouteStats();
    const t0 = performance.now();
    const until = t0 + seconds * 1000;
    let peakSmb = 0;
    let peakSmbd = 0;
    let peakEld = 0;
    /** The worst 2-second p99 of the current minute (each scrape resets the app's histogram). */
    let minuteEld = 0;
    const minutes: { rss: number; fds: number; smb: number }[] = [];
    let lastCount = 0;
    const watch = setInterval(() => {
      void scrape(o.port)
        .then((m) => {
          peakSmb = Math.max(peakSmb, m.smbConnections);
          peakEld = Math.max(peakEld, m.eventLoopP99Ms);
          minuteEld = Math.max(minuteEld, m.eventLoopP99Ms);
        })
        .catch(() => undefined);
      peakSmbd = Math.max(peakSmbd, smbdOf(domain).children);
    }, 2000);
    const perMinute = o.soakS === undefined
      ? undefined
      : setInterval(() => {
          void scrape(o.port).then((m) => {
            const now = stats.count();
            const sample = { rss: statusBytes(appPid, 'VmRSS'), fds: openHandles(appPid), smb: m.smbConnections };
            minutes.push(sample);
            log(`  minute ${minutes.length}: ${((now.total - lastCount) / 60).toFixed(0)} req/s, ${now.errors} errors so far, RSS ${mb(sample.rss)}, handles ${sample.fds}, SMB connections ${sample.smb}, event-loop p99 ${Math.max(minuteEld, m.eventLoopP99Ms).toFixed(0)} ms`);
            minuteEld = 0;
            lastCount = now.total;
          });
        }, 60_000);
    const bigRun = o.soakS !== undefined ? Promise.resolve([] as number[]) : new Promise<number[]>((r) => setTimeout(r, Math.min(20_000, (seconds * 1000) / 3))).then(() => bigFolder(base, domain.password, 3));
    const loops = await drive(sessions, o.port, agent, ROUTES, true, stats, until);
    const elapsed = (performance.now() - t0) / 1000;
    clearInterval(watch);
    if (perMinute) clearInterval(perMinute);
    const cpuMs = processCpuMs(appPid) - cpu0;
    const dcCpuLoadMs = dcTotalCpuMs(domain) - dcCpu0;
    const benchCpu = process.cpuUsage(benchCpu0);
    const benchCpuMs = (benchCpu.user + benchCpu.system) / 1000;
    const end = await scrape(o.port);
    rss.stop();
    const bigMs = await bigRun;
    const { total, errors } = stats.count();
    lines.push(`  ${sessions.length} sessions, ${loops} loops, ${total} requests in ${elapsed.toFixed(1)} s: ${(total / elapsed).toFixed(0)} req/s, ${errors} errors`);
    lines.push(...routeLines(stats, elapsed, [...ROUTES, UPLOAD]));
    const share = (ms: number): string => `${((ms / 1000 / elapsed) * 100).toFixed(0)}% of a core`;
    lines.push(`  app CPU ${(cpuMs / 1000).toFixed(1)} s: ${(cpuMs / total).toFixed(2)} ms per request (${share(cpuMs)}); meanwhile the DC (samba + smbd) ${share(dcCpuLoadMs)}, this benchmark's client ${share(benchCpuMs)}`);
    const finalRss = statusBytes(appPid, 'VmRSS');
    lines.push(`  RSS before sign-in ${mb(startRss)}, peak ${mb(rss.peakRss)}, final ${mb(finalRss)} (${((finalRss - startRss) / sessions.length / 1e6).toFixed(2)} MB per session); handles ${openHandles(appPid)}; SMB connections peak ${peakSmb} (smbd processes ${peakSmbd}), at the end ${end.smbConnections}; event-loop delay p99 ${Math.max(peakEld, end.eventLoopP99Ms).toFixed(0)} ms (worst 2-s window)`);
    if (bigMs.length > 0) lines.push(`  the ${BIG_FOLDER.entries}-entry folder under this load: ${bigMs.map((x) => `${(x / 1000).toFixed(2)} s`).join(', ')}`);
    if (minutes.length > 1) {
      const first = minutes[0]!;
      const last = minutes.at(-1)!;
      lines.push(`  soak growth after the first minute: RSS ${mb(last.rss - first.rss)}, handles ${last.fds - first.fds}, SMB connections ${last.smb - first.smb}`);
    }
    if (n === 200 || n === 500) {
      const listP99 = Math.max(...ROUTES.filter((r) => r.listing).map((r) => stats.p99(r.name)));
      const dlP99 = stats.p99('1 MiB download');
      const okAll = errors === 0 && total / elapsed >= 496 && listP99 <= 250 && dlP99 <= 400 && rss.peakRss <= 400e6;
      lines.push(`  targets (0 errors, ≥ 496 req/s, listing p99 ≤ 250 ms [${fmt(listP99)}], 1 MiB p99 ≤ 400 ms [${fmt(dlP99)}], RSS ≤ 400 MB) ${verdict(okAll)}`);
      if (bigMs.length > 0) lines.push(`  10,000-entry folder ≤ 2 s ${verdict(bigMs.every((x) => x <= 2000))}`);
    }
    if (o.searchPhaseS > 0) {
      // Issue 13's "one search must not slow other users' listings", under this N: the same sessions, listings only.
      const alice = new HttpClient(base);
      await signInOk(alice, 'alice', domain.password);
      const listings = ROUTES.filter((r) => r.listing).map((r) => r.path);
      const setup = { port: o.port, agent, searcher: alice.jar.header(), listers: sessions.map((s) => s.cookie), listings, phaseS: o.searchPhaseS };
      const phases = await fairnessPhases(setup, [false, true, false, true]);
      lines.push(`  search fairness, ${o.searchPhaseS} s per phase: the ${sessions.length} sessions loop over their listings alone, then while alice searches all of Shared back to back:`);
      lines.push(...fairnessLines(phases, '    '));
    }
    if (o.routeCpuS > 0) {
      lines.push(`  CPU per request, each route alone for ${o.routeCpuS} s from all sessions:`);
      for (const route of ROUTES) {
        const rs = new RouteStats();
        const c0 = processCpuMs(appPid);
        const s0 = performance.now();
        await drive(sessions, o.port, agent, [route], false, rs, performance.now() + o.routeCpuS * 1000);
        const c = processCpuMs(appPid) - c0;
        const { total: t, errors: e } = rs.count();
        lines.push(`    ${route.name.padEnd(18)} ${(c / t).toFixed(2)} ms CPU per request (${t} requests, ${(t / ((performance.now() - s0) / 1000)).toFixed(0)} req/s, ${e} errors)`);
      }
    }
  } finally {
    agent.destroy();
  }
  return lines;
}

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args);
  const root = new URL('..', import.meta.url).pathname;
  if (!existsSync(join(root, 'dist', 'server.js'))) throw new Error('run `npm run build` first: the benchmark starts node dist/server.js');
  log(`starting the domain ${o.name} on ${o.ip}`);
  const domain = await startDomain({ name: o.name, ip: o.ip });
  const out: string[] = [];
  try {
    // A fresh app per N: one run's sessions, connections and heap must not flatter or burden the next.
    let next = 1;
    for (const n of o.n) {
      const first = next + n - 1 <= STUDENT_COUNT ? next : 1;
      log(`N = ${n}`);
      const lines = await withApp(root, domain, o, (base, appPid) => loadRun(o, domain, base, appPid, n, first));
      next = first + n;
      for (const l of lines) log(l);
      out.push(...lines);
    }
  } finally {
    await stopDomain(o.name);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
