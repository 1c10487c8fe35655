// `npm run bench -- http [--large] [--rounds N]`
// The app in front of the file server against smbclient on the same server and file, in the same run,
// alternating who goes first, after an uncounted warm-up round, median of N rounds (needs `npm run build` first: the app runs as `npm start` runs it):
//   curl download through the app vs `smbclient get` of a 512 MiB file (2 GiB with --large), target ≥ 0.8×;
//   curl upload through the app (multipart form) vs `smbclient put`, target ≥ 0.8×; and, for information, the
//   resumable protocol the browser uses for files over 16 MiB (one PUT of the whole file);
//   first byte and full page of the 10,000-entry folder vs `smbclient ls` (start-up and login included), ≤ 1.5×;
//   the app process's peak RSS over all of it (VmHWM), target ≤ 120 MB (the figure is for 2 GiB: --large).
// BENCH_RSS_TRACE=1 also logs the peak of every step of every round.
// BENCH_DOMAIN_IP (127.0.0.30) and BENCH_PORT (3990) move the benchmark's DC and app, so runs side by side on one
// machine (helpers, CI) don't stop each other's domain. The app's CPU seconds are printed too: on a loaded machine
// they compare fairer than MiB/s.
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appEnvFor } from '../test/fixtures/app-env.js';
import { startDomain, stopDomain } from '../test/fixtures/domain.js';
import { BIG_FOLDER, NETBIOS_DOMAIN, STAFF_GID } from '../test/fixtures/domain-data.js';
import { canConnect, waitFor } from '../test/fixtures/proc.js';
import { csrfTokenIn, HttpClient, signInOk } from '../test/helpers/http-client.js';
import { cpuSeconds, curl, peakRssBytes, resetPeakRss, startArgs } from './app-proc.js';
import { exec, median, MiB, smbclientRate, verdict, writeRandomFile, type Proc } from './common.js';

export const summary = 'the app vs smbclient: download/upload MiB/s, 10k-entry page, app peak RSS (--large: 2 GiB)';

const BENCH_IP = process.env.BENCH_DOMAIN_IP ?? '127.0.0.30';
const DOMAIN = { name: BENCH_IP === '127.0.0.30' ? 'bench' : `bench-${BENCH_IP}`, ip: BENCH_IP };
const TARGETS = { download: 0.8, upload: 0.8, page: 1.5 } as const;
const RSS_TARGET_BYTES = 120e6;

function parseOptions(args: string[]): { large: boolean; rounds: number } {
  const o = { large: false, rounds: 3 };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--large') o.large = true;
    else if (a === '--rounds') o.rounds = Math.max(1, Number(args[++i]));
    else throw new Error(`unknown option ${a} (known: --large, --rounds N)`);
  }
  return o;
}

const log = (line: string): void => void process.stderr.write(`bench http: ${line}\n`);

/**
 * The app's peak RSS over the whole run, and per step: each step resets the kernel's high-water mark
 * (writing 5 to /proc/PID/clear_refs, Linux ≥ 4.0) and reads it afterwards.
 */
class PeakRss {
  overall = 0;
  readonly steps = new Map<string, number>();
  constructor(private readonly pid: number) {}

  async during<T>(step: string, work: () => Promise<T>): Promise<T> {
    this.note();
    resetPeakRss(this.pid);
    try {
      return await work();
    } finally {
      const peak = peakRssBytes(this.pid);
      if (process.env.BENCH_RSS_TRACE !== undefined) log(`    ${step}: peak ${(peak / 1e6).toFixed(0)} MB`);
      this.steps.set(step, Math.max(this.steps.get(step) ?? 0, peak));
      this.overall = Math.max(this.overall, peak);
    }
  }

  /** Takes in the high-water mark of what ran outside any step (start-up, sign-in). */
  note(): void {
    this.overall = Math.max(this.overall, peakRssBytes(this.pid));
  }
}

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args);
  const root = new URL('..', import.meta.url).pathname;
  if (!existsSync(join(root, 'dist', 'server.js'))) throw new Error('run `npm run build` first: the benchmark starts node dist/server.js');
  const size = (o.large ? 2048 : 512) * MiB;
  const work = mkdtempSync(join(tmpdir(), 'portcullis-bench-http-'));
  let app: ChildProcess | undefined;
  try {
    log(`starting the domain on ${DOMAIN.ip}`);
    const domain = await startDomain(DOMAIN);
    const sharedDir = join(domain.sharesDir, domain.shares.shared);
    const source = join(sharedDir, 'bench-http-source.bin');
    log(`writing a ${size / MiB} MiB random file into the shared share`);
    writeRandomFile(source, size);
    chownSync(source, 0, STAFF_GID);
    const upload = join(work, 'bench-upload.bin');
    writeRandomFile(upload, size);

    const port = Number(process.env.BENCH_PORT ?? 3990);
    const env = {
      ...process.env,
      ...appEnvFor(domain),
      NODE_ENV: 'production',
      // Plain HTTP on loopback: production's Secure cookies would never be set.
      SESSION_COOKIE_SECURE: 'false',
      PORT: String(port),
      HOST: '127.0.0.1',
      SESSION_SECRET: 'bench-'.repeat(8),
      DATA_DIR: join(work, 'data'),
      LOG_LEVEL: 'warn',
      UPLOAD_MAX_BYTES: String(4 * size),
    };
    app = spawn(process.execPath, startArgs(root), { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
    await waitFor('the app', () => canConnect('127.0.0.1', port), 15_000);
    const base = `http://127.0.0.1:${port}`;
    const client = new HttpClient(base);
    await signInOk(client, 'alice', domain.password);
    const token = csrfTokenIn((await client.request('GET', '/browse/shared/')).text);
    const cookie = client.jar.header();
    if (app.pid === undefined) throw new Error('the app has no pid');
    const rss = new PeakRss(app.pid);

    const smbclient = (command: string): Promise<Proc> =>
      exec('smbclient', [`//${domain.ip}/${domain.shares.shared}`, '-U', `${NETBIOS_DOMAIN}\\alice`, '-m', 'SMB3_11', '-c', command], {
        ...process.env,
        PASSWD: domain.password,
        LC_ALL: 'C.UTF-8',
      }).then((p) => {
        if (p.code !== 0 || /NT_STATUS_/.test(p.stdout + p.stderr)) throw new Error(`smbclient -c '${command}' failed: ${(p.stdout + p.stderr).trim()}`);
        return p;
      });

    /** The protocol the browser uses for large files: create, PUT the bytes, finish (here in one PUT). */
    const resumableUpload = async (name: string): Promise<number> => {
      const t0 = performance.now();
      const headers = { Cookie: cookie, 'X-CSRF-Token': token, Accept: 'application/json', 'Content-Type': 'application/json' };
      const created = await fetch(`${base}/uploads`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ drive: 'shared', folder: [], name, size, conflict: 'fail' }),
      });
      if (created.status !== 201) throw new Error(`resumable create: HTTP ${created.status} ${await created.text()}`);
      const { id } = (await created.json()) as { id: string };
      const put = await curl(['-H', `Cookie: ${cookie}`, '-H', `X-CSRF-Token: ${token}`, '-H', 'Content-Type: application/octet-stream', '-T', upload,
        `${base}/uploads/${encodeURIComponent(id)}?offset=0`]);
      if (put.status >= 300) throw new Error(`resumable PUT: HTTP ${put.status}`);
      const finished = await fetch(`${base}/uploads/${encodeURIComponent(id)}/finish`, { method: 'POST', headers });
      if (finished.status >= 300) throw new Error(`resumable finish: HTTP ${finished.status}`);
      return size / MiB / ((performance.now() - t0) / 1000);
    };

    const rate = {
      app: { download: [] as number[], upload: [] as number[], resumable: [] as number[] },
      smbclient: { download: [] as number[], upload: [] as number[] },
    };
    const page = { ttfb: [] as number[], total: [] as number[], smbclient: [] as number[] };
    const bigFolder = `/browse/shared/${encodeURIComponent(BIG_FOLDER.path)}/`;
    // Round 0 warms up and is not counted: the first writes of a run land on memory the machine has not
    // used yet (the server's page cache), which costs the file server several times the CPU, whoever writes.
    // Who goes first alternates, so neither side always meets the state the other left.
    for (let round = 0; round <= o.rounds; round++) {
      log(round === 0 ? 'warm-up round (not counted)' : `round ${round}/${o.rounds}`);
      const keep = (list: number[], value: number): void => void (round > 0 && list.push(value));
      const appFirst = round % 2 === 1;

      const appDownload = async (): Promise<void> => {
        const d = await rss.during('download', () => curl(['-H', `Cookie: ${cookie}`, `${base}/download/shared/bench-http-source.bin`]));
        if (d.status !== 200 || d.bytes !== size) throw new Error(`download through the app: HTTP ${d.status}, ${d.bytes} bytes`);
        keep(rate.app.download, size / MiB / (d.totalMs / 1000));
      };
      const smbclientGet = async (): Promise<void> => keep(rate.smbclient.download, smbclientRate(await smbclient('get bench-http-source.bin /dev/null')));
      for (const step of appFirst ? [appDownload, smbclientGet] : [smbclientGet, appDownload]) await step();

      const appUpload = async (): Promise<void> => {
        const u = await rss.during('upload', () => curl(['-H', `Cookie: ${cookie}`, '-H', `X-CSRF-Token: ${token}`, '-H', 'Accept: application/json',
          '-F', `file=@${upload};filename=bench-http-upload.bin`, `${base}/upload/shared/?conflict=fail`]));
        if (u.status >= 300) throw new Error(`upload through the app: HTTP ${u.status}`);
        keep(rate.app.upload, size / MiB / (u.totalMs / 1000));
        await smbclient('rm bench-http-upload.bin');
      };
      const smbclientPut = async (): Promise<void> => {
        keep(rate.smbclient.upload, smbclientRate(await smbclient(`put ${upload} bench-http-put.bin`)));
        await smbclient('rm bench-http-put.bin');
      };
      // Every upload writes a new file, deleted (untimed) right after, so each one lands on the pages the one
      // before it freed: a file server writing into memory it has not touched before costs it several times
      // the CPU (seen here: smbd 0.3 vs 1.3 CPU-s per 512 MiB), and that should not decide who is faster.
      // The round's first timed upload gets the same start from an untimed put + rm just before it (it is still
      // often the slower one, for either side, hence who goes first alternates).
      await smbclient(`put ${upload} bench-http-prime.bin; rm bench-http-prime.bin`);
      for (const step of appFirst ? [appUpload, smbclientPut] : [smbclientPut, appUpload]) await step();
      keep(rate.app.resumable, await rss.during('resumable', () => resumableUpload('bench-http-resumable.bin')));
      await smbclient('rm bench-http-resumable.bin');

      const p = await rss.during('10k page', () => curl(['-H', `Cookie: ${cookie}`, `${base}${bigFolder}`]));
      if (p.status !== 200) throw new Error(`the 10,000-entry page: HTTP ${p.status}`);
      keep(page.ttfb, p.ttfbMs);
      keep(page.total, p.totalMs);
      keep(page.smbclient, (await smbclient(`cd "${BIG_FOLDER.path}"; ls`)).wallMs);
      if (round > 0) {
        const last = (list: number[]): string => (list.at(-1) ?? NaN).toFixed(0);
        log(`  download ${last(rate.app.download)} vs ${last(rate.smbclient.download)} MiB/s, upload ${last(rate.app.upload)} (resumable ${last(rate.app.resumable)}) vs ${last(rate.smbclient.upload)} MiB/s, page ${last(page.total)} vs ${last(page.smbclient)} ms`);
      }
    }
    rss.note();
    const peak = rss.overall;
    const cpu = app.pid === undefined ? NaN : cpuSeconds(app.pid);
    const perStep = [...rss.steps].map(([step, bytes]) => `${step} ${(bytes / 1e6).toFixed(0)}`).join(', ');

    const dl = median(rate.app.download) / median(rate.smbclient.download);
    const ul = median(rate.app.upload) / median(rate.smbclient.upload);
    const rl = median(rate.app.resumable) / median(rate.smbclient.upload);
    const ttfbRatio = median(page.ttfb) / median(page.smbclient);
    const pageRatio = median(page.total) / median(page.smbclient);
    const f = (n: number) => n.toFixed(1).padStart(9);
    const lines = [
      '',
      `HTTP benchmark: ${size / MiB} MiB file, alice over signed SMB 3.1.1 to the AD DC, median of ${o.rounds}`,
      '                               app  smbclient   app/smbclient     target',
      `download MiB/s          ${f(median(rate.app.download))}  ${f(median(rate.smbclient.download))}   ${dl.toFixed(2).padStart(12)}x   >= ${TARGETS.download.toFixed(2)}x  ${verdict(dl >= TARGETS.download)}`,
      `upload MiB/s            ${f(median(rate.app.upload))}  ${f(median(rate.smbclient.upload))}   ${ul.toFixed(2).padStart(12)}x   >= ${TARGETS.upload.toFixed(2)}x  ${verdict(ul >= TARGETS.upload)}`,
      `  resumable (PUT) MiB/s ${f(median(rate.app.resumable))}  ${f(median(rate.smbclient.upload))}   ${rl.toFixed(2).padStart(12)}x   (how the browser sends files over 16 MiB)`,
      `10k page first byte ms  ${f(median(page.ttfb))}  ${f(median(page.smbclient))}   ${ttfbRatio.toFixed(2).padStart(12)}x   <= ${TARGETS.page.toFixed(2)}x  ${verdict(ttfbRatio <= TARGETS.page)}`,
      `10k page full ms        ${f(median(page.total))}  ${f(median(page.smbclient))}   ${pageRatio.toFixed(2).padStart(12)}x   <= ${TARGETS.page.toFixed(2)}x  ${verdict(pageRatio <= TARGETS.page)}`,
      `app peak RSS MB         ${f(peak / 1e6)}                                <= 120 MB  ${verdict(peak <= RSS_TARGET_BYTES)}`,
      `  peak RSS MB per step: ${perStep}`,
      `app CPU seconds (user+system, whole run incl. warm-up): ${cpu.toFixed(1)}`,
      '(smbclient ls includes its start-up and login; the app page includes sign-in state, SMB listing and HTML)',
      '',
    ];
    process.stdout.write(lines.join('\n'));
  } finally {
    app?.kill('SIGTERM');
    await stopDomain(DOMAIN.name);
    rmSync(work, { recursive: true, force: true });
  }
}
