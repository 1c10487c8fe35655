// `npm run bench -- cost [--rounds N] [--concurrency N] [--size-mib N] [--only download|upload|form|put]`
// What one transfer costs the app, beside what the same transfer costs smbclient, in the same run against the
// same server and file (needs `npm run build` first: the app runs as `npm start` runs it):
//   N (20) concurrent downloads of a 512 MiB file through the app (curl), then N concurrent `smbclient get`;
//   N concurrent uploads through the app, as a form (curl -F) and as the resumable PUT browsers use for large
//   files, then N concurrent `smbclient put`.
// For each: the app's CPU seconds per GiB (utime+stime from /proc/PID/stat, before and after), smbclient's
// CPU seconds per GiB (its processes' own rusage through /usr/bin/time), the aggregate MiB/s of both, and
// the RSS each app transfer adds above the idle process: (peak during the step − RSS after sign-in) / N.
// Targets (issue 11): ≤ 10 MB per transfer; CPU per GiB ≤ 1.5× smbclient's for downloads, ≤ 2× for uploads.
// Throughput (≥ 0.8× smbclient) is reported, not judged: on a shared 2-core machine CPU time is steadier.
// All app transfers use one signed-in session (alice), as one user's tabs would.
// BENCH_DOMAIN_IP (127.0.0.30) and BENCH_PORT (3990) move the DC and the app, as in bench http.
import { chownSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDomain, stopDomain, type DomainInfo } from '../test/fixtures/domain.js';
import { NETBIOS_DOMAIN, STAFF_GID } from '../test/fixtures/domain-data.js';
import { cpuTimes, curl, peakRssBytes, resetPeakRss, rssBytes, startApp, type RunningApp } from './app-proc.js';
import { exec, median, MiB, verdict, writeRandomFile, type Proc } from './common.js';

export const summary = 'cost per transfer: N concurrent downloads/uploads, app RSS and CPU-s/GiB vs smbclient';

const BENCH_IP = process.env.BENCH_DOMAIN_IP ?? '127.0.0.30';
const DOMAIN = { name: BENCH_IP === '127.0.0.30' ? 'bench' : `bench-${BENCH_IP}`, ip: BENCH_IP };
const GiB = 1024 * MiB;
const TARGETS = { rssPerTransferBytes: 10e6, downloadCpu: 1.5, uploadCpu: 2, throughput: 0.8 } as const;

interface Options {
  rounds: number;
  concurrency: number;
  sizeMiB: number;
  /** form and put: one kind of app upload only (with smbclient's put beside it), to profile it alone. */
  only: 'download' | 'upload' | 'form' | 'put' | undefined;
}

function parseOptions(args: string[]): Options {
  const o: Options = { rounds: 2, concurrency: 20, sizeMiB: 512, only: undefined };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--rounds') o.rounds = Math.max(1, Number(args[++i]));
    else if (a === '--concurrency') o.concurrency = Math.max(1, Number(args[++i]));
    else if (a === '--size-mib') o.sizeMiB = Math.max(1, Number(args[++i]));
    else if (a === '--only') {
      const v = args[++i];
      if (v !== 'download' && v !== 'upload' && v !== 'form' && v !== 'put') throw new Error('--only takes download, upload, form or put');
      o.only = v;
    } else throw new Error(`unknown option ${a} (known: --rounds N, --concurrency N, --size-mib N, --only download|upload|form|put)`);
  }
  return o;
}

const log = (line: string): void => void process.stderr.write(`bench cost: ${line}\n`);

/** One step's measurements: N transfers of `bytes` each at once. */
interface Step {
  cpuS: number;
  /** The user-mode part of cpuS (the rest is kernel time: socket reads and writes, page faults). */
  userS: number;
  wallMs: number;
  bytes: number;
  /** App only: peak RSS during the step, and RSS just before it. */
  peak?: number;
  before?: number;
}

const cpuPerGiB = (s: Step): number => s.cpuS / (s.bytes / GiB);
const userPerGiB = (s: Step): number => s.userS / (s.bytes / GiB);
const mibPerS = (s: Step): number => s.bytes / MiB / (s.wallMs / 1000);

/** Runs `work` with the app's CPU time, wall time and peak RSS around it. */
async function appStep(app: RunningApp, bytes: number, work: () => Promise<unknown>): Promise<Step> {
  const before = rssBytes(app.pid);
  resetPeakRss(app.pid);
  const cpu0 = cpuTimes(app.pid);
  const t0 = performance.now();
  await work();
  const wallMs = performance.now() - t0;
  const cpu1 = cpuTimes(app.pid);
  const userS = cpu1.user - cpu0.user;
  return { cpuS: userS + cpu1.system - cpu0.system, userS, wallMs, bytes, peak: peakRssBytes(app.pid), before };
}

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args);
  const root = new URL('..', import.meta.url).pathname;
  const size = o.sizeMiB * MiB;
  const n = o.concurrency;
  const work = mkdtempSync(join(tmpdir(), 'portcullis-bench-cost-'));
  let app: RunningApp | undefined;
  try {
    log(`starting the domain on ${DOMAIN.ip}`);
    const domain: DomainInfo = await startDomain(DOMAIN);
    const sharedDir = join(domain.sharesDir, domain.shares.shared);
    const remoteName = 'bench-cost-source.bin';
    log(`writing a ${o.sizeMiB} MiB random file into the shared share and one to upload`);
    writeRandomFile(join(sharedDir, remoteName), size);
    chownSync(join(sharedDir, remoteName), 0, STAFF_GID);
    const upload = join(work, 'bench-upload.bin');
    writeRandomFile(upload, size);

    app = await startApp(root, domain, {
      port: Number(process.env.BENCH_PORT ?? 3990),
      dataDir: join(work, 'data'),
      username: 'alice',
      env: { UPLOAD_MAX_BYTES: String(4 * size) },
    });
    const a = app;
    // The idle process: started, signed in, one folder page served; no transfer yet.
    const idle = rssBytes(a.pid);
    log(`app idle RSS ${(idle / 1e6).toFixed(0)} MB`);

    const smbArgs = (command: string): string[] => [
      'smbclient', `//${domain.ip}/${domain.shares.shared}`, '-U', `${NETBIOS_DOMAIN}\\alice`, '-m', 'SMB3_11', '-c', command,
    ];
    const smbEnv = { ...process.env, PASSWD: domain.password, LC_ALL: 'C.UTF-8' };
    const checked = (p: Proc, what: string): Proc => {
      if (p.code !== 0 || /NT_STATUS_/.test(p.stdout + p.stderr)) throw new Error(`${what} failed: ${(p.stdout + p.stderr).trim()}`);
      return p;
    };
    /** smbclient with its own CPU seconds (user + system, from its rusage via /usr/bin/time). */
    const timedSmbclient = async (command: string, i: number): Promise<{ user: number; system: number }> => {
      const out = join(work, `time-${i}.txt`);
      checked(await exec('/usr/bin/time', ['-o', out, '-f', '%U %S', ...smbArgs(command)], smbEnv), `smbclient -c '${command}'`);
      const [u, s] = readFileSync(out, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number) as [number, number];
      return { user: u, system: s };
    };
    const smbclientStep = async (command: (i: number) => string): Promise<Step> => {
      const t0 = performance.now();
      const cpus = await Promise.all(Array.from({ length: n }, (_, i) => timedSmbclient(command(i), i)));
      const userS = cpus.reduce((x, c) => x + c.user, 0);
      return { cpuS: userS + cpus.reduce((x, c) => x + c.system, 0), userS, wallMs: performance.now() - t0, bytes: n * size };
    };
    /** Removes one step's uploads straight from the share's folder (untimed), so the next round can write them anew. */
    const removeUploads = (prefix: string): void => {
      for (const name of readdirSync(sharedDir)) if (name.startsWith(prefix)) rmSync(join(sharedDir, name), { force: true });
    };

    const auth = ['-H', `Cookie: ${a.cookie}`];
    const appDownloads = (): Promise<Step> =>
      appStep(a, n * size, () =>
        Promise.all(Array.from({ length: n }, async () => {
          const d = await curl([...auth, `${a.base}/download/shared/${remoteName}`]);
          if (d.status !== 200 || d.bytes !== size) throw new Error(`download through the app: HTTP ${d.status}, ${d.bytes} bytes`);
        })),
      );
    const appFormUploads = (): Promise<Step> =>
      appStep(a, n * size, () =>
        Promise.all(Array.from({ length: n }, async (_, i) => {
          const u = await curl([...auth, '-H', `X-CSRF-Token: ${a.token}`, '-H', 'Accept: application/json',
            '-F', `file=@${upload};filename=bench-cost-form-${i}.bin`, `${a.base}/upload/shared/?conflict=fail`]);
          if (u.status >= 300) throw new Error(`form upload through the app: HTTP ${u.status}`);
        })),
      );
    const jsonHeaders = { Cookie: a.cookie, 'X-CSRF-Token': a.token, Accept: 'application/json', 'Content-Type': 'application/json' };
    const appResumableUploads = (): Promise<Step> =>
      appStep(a, n * size, () =>
        Promise.all(Array.from({ length: n }, async (_, i) => {
          const created = await fetch(`${a.base}/uploads`, {
            method: 'POST',
            headers: jsonHeaders,
            body: JSON.stringify({ drive: 'shared', folder: [], name: `bench-cost-put-${i}.bin`, size, conflict: 'fail' }),
          });
          if (created.status !== 201) throw new Error(`resumable create: HTTP ${created.status} ${await created.text()}`);
          const { id } = (await created.json()) as { id: string };
          const put = await curl([...auth, '-H', `X-CSRF-Token: ${a.token}`, '-H', 'Content-Type: application/octet-stream', '-T', upload,
            `${a.base}/uploads/${encodeURIComponent(id)}?offset=0`]);
          if (put.status >= 300) throw new Error(`resumable PUT: HTTP ${put.status}`);
          const finished = await fetch(`${a.base}/uploads/${encodeURIComponent(id)}/finish`, { method: 'POST', headers: jsonHeaders });
          if (finished.status >= 300) throw new Error(`resumable finish: HTTP ${finished.status}`);
        })),
      );
    const smbGets = (): Promise<Step> => smbclientStep(() => `get ${remoteName} /dev/null`);
    const smbPuts = (): Promise<Step> => smbclientStep((i) => `put ${upload} bench-cost-smbclient-${i}.bin`);

    const steps = { download: [] as Step[], get: [] as Step[], form: [] as Step[], resumable: [] as Step[], put: [] as Step[] };
    const report = (label: string, s: Step): void =>
      log(`  ${label.padEnd(22)} ${mibPerS(s).toFixed(0).padStart(5)} MiB/s  ${cpuPerGiB(s).toFixed(3)} CPU-s/GiB` +
        ` (user ${userPerGiB(s).toFixed(3)}, system ${(cpuPerGiB(s) - userPerGiB(s)).toFixed(3)})` +
        (s.peak === undefined ? '' : `  peak RSS ${(s.peak / 1e6).toFixed(0)} MB (before ${((s.before ?? NaN) / 1e6).toFixed(0)})`));
    for (let round = 1; round <= o.rounds; round++) {
      log(`round ${round}/${o.rounds}: ${n} at once, ${o.sizeMiB} MiB each`);
      const appFirst = round % 2 === 1;
      if (o.only === undefined || o.only === 'download') {
        const order: [string, () => Promise<Step>, Step[]][] = [['app download', appDownloads, steps.download], ['smbclient get', smbGets, steps.get]];
        for (const [label, step, into] of appFirst ? order : order.reverse()) {
          const s = await step();
          into.push(s);
          report(label, s);
        }
      }
      if (o.only !== 'download') {
        const kinds = o.only === 'form' || o.only === 'put' ? [o.only, 'smbclient'] : ['form', 'put', 'smbclient'];
        // Each upload step writes new files, removed (untimed) after it, so every step lands on pages the one
        // before freed (a file server writing into memory it has not touched costs it more; see bench http).
        const order: [string, () => Promise<Step>, Step[], string][] = [
          ['app upload (form)', appFormUploads, steps.form, 'bench-cost-form-'],
          ['app upload (resumable)', appResumableUploads, steps.resumable, 'bench-cost-put-'],
          ['smbclient put', smbPuts, steps.put, 'bench-cost-smbclient-'],
        ];
        const chosen = order.filter((_, i) => kinds.includes(['form', 'put', 'smbclient'][i]!));
        for (const [label, step, into, prefix] of appFirst ? chosen : chosen.reverse()) {
          const s = await step();
          into.push(s);
          report(label, s);
          removeUploads(prefix);
        }
      }
    }

    const med = (list: Step[], f: (s: Step) => number): number => median(list.map(f));
    const perTransfer = (list: Step[]): number => Math.max(...list.map((s) => ((s.peak ?? NaN) - idle) / n));
    const f = (x: number, d = 2): string => x.toFixed(d).padStart(8);
    const rows: string[] = [
      '',
      `cost per transfer: ${n} concurrent transfers of ${o.sizeMiB} MiB, alice (one session) over signed SMB 3.1.1 to the AD DC,`,
      `median of ${o.rounds} rounds; app idle RSS ${(idle / 1e6).toFixed(0)} MB (signed in, no transfer yet); shared 2-core machine`,
      '                          app CPU-s/GiB  smbclient  ratio  target        app MiB/s  smbclient  ratio   RSS/transfer MB (max)',
    ];
    const line = (label: string, app: Step[], ref: Step[], cpuTarget: number): string => {
      const cpuRatio = med(app, cpuPerGiB) / med(ref, cpuPerGiB);
      const rate = med(app, mibPerS) / med(ref, mibPerS);
      const rss = perTransfer(app);
      return `${label.padEnd(24)} ${f(med(app, cpuPerGiB), 3)}  ${f(med(ref, cpuPerGiB), 3)}  ${f(cpuRatio)}x <= ${cpuTarget}x ${verdict(cpuRatio <= cpuTarget)}` +
        `  ${f(med(app, mibPerS), 0)}  ${f(med(ref, mibPerS), 0)}  ${f(rate)}x   ${f(rss / 1e6, 1)} <= 10 ${verdict(rss <= TARGETS.rssPerTransferBytes)}`;
    };
    if (steps.download.length > 0) rows.push(line('download (vs get)', steps.download, steps.get, TARGETS.downloadCpu));
    if (steps.form.length > 0) rows.push(line('upload form (vs put)', steps.form, steps.put, TARGETS.uploadCpu));
    if (steps.resumable.length > 0) rows.push(line('upload PUT (vs put)', steps.resumable, steps.put, TARGETS.uploadCpu));
    const all = (list: Step[], g: (s: Step) => number, d: number): string => list.map((s) => g(s).toFixed(d)).join(', ');
    rows.push('', 'rounds (CPU-s/GiB; of it user-mode; MiB/s):');
    for (const [label, list] of Object.entries(steps)) {
      if (list.length > 0) rows.push(`  ${label.padEnd(10)} [${all(list, cpuPerGiB, 3)}]; user [${all(list, userPerGiB, 3)}]; [${all(list, mibPerS, 0)}]`);
    }
    rows.push(`app RSS after the run ${(rssBytes(a.pid) / 1e6).toFixed(0)} MB; throughput target >= ${TARGETS.throughput}x is a reported figure`, '');
    process.stdout.write(rows.join('\n'));
  } finally {
    await app?.stop();
    await stopDomain(DOMAIN.name);
    rmSync(work, { recursive: true, force: true });
  }
}
