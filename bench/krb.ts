// `npm run bench -- krb [--single 40] [--burst 10] [--smbclient 20]`
// What Kerberos costs (issue 15), SMB_AUTH=ntlm beside SMB_AUTH=auto (Kerberos first: the sign-in also asks the KDC
// for a TGT), against the app as `npm start` runs it (needs `npm run build` first), in the same run:
//   - sign-in through the real login form (GET /login, then the clock runs for the POST), one at a time ×N and
//     a burst at once, as distinct returning students (each signed in once before, unmeasured): p50/p99;
//   - the first folder listing after a sign-in (GET /browse/home/, the student's own home drive: negotiate + session setup, with auto a TGS-REQ
//     for cifs/<server> from the session's TGT, then the listing), p50/p99;
//   - the DC's CPU ms (utime+stime of every process in its session, /proc) per sign-in and per first listing;
//   - reference: smbclient listing alice's home with NTLM (--use-kerberos=off) and with Kerberos
//     (--use-kerberos=required, a kinit'd ccache through the fixture's krb5.conf), wall time per run.
// BENCH_DOMAIN_IP (127.0.0.30) and BENCH_PORT (3990) move the DC and the app, as in bench cost.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DomainInfo, startDomain, stopDomain } from '../test/fixtures/domain.js';
import { STUDENT_COUNT, studentName } from '../test/fixtures/domain-data.js';
import { kinitPassword, krb5Env } from '../test/fixtures/kerberos.js';
import { HttpClient } from '../test/helpers/http-client.js';
import { startApp } from './app-proc.js';
import { exec } from './common.js';
import { dcCpuMs, percentile } from './proc-stats.js';

export const summary = 'Kerberos vs NTLM: sign-in p50/p99, first listing after sign-in, DC CPU per sign-in, vs smbclient';

const BENCH_IP = process.env.BENCH_DOMAIN_IP ?? '127.0.0.30';
const DOMAIN = { name: BENCH_IP === '127.0.0.30' ? 'bench' : `bench-${BENCH_IP}`, ip: BENCH_IP };
const MODES = ['ntlm', 'auto'] as const;
type Mode = (typeof MODES)[number];

interface Options {
  single: number;
  burst: number;
  smbclient: number;
}

function parseOptions(args: string[]): Options {
  const o: Options = { single: 40, burst: 10, smbclient: 20 };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const n = Number(args[++i]);
    if (a === '--single') o.single = n;
    else if (a === '--burst') o.burst = n;
    else if (a === '--smbclient') o.smbclient = n;
    else throw new Error(`unknown option ${a} (known: --single N, --burst N, --smbclient N)`);
    if (!(n >= 1)) throw new Error(`${a} takes a positive number`);
  }
  // Each mode uses its own students, so neither measures the other's first-logon bookkeeping on the DC.
  if (MODES.length * (o.single + o.burst) > STUDENT_COUNT) throw new Error(`at most ${STUDENT_COUNT} students in all`);
  return o;
}

const log = (line: string): void => void process.stderr.write(`bench krb: ${line}\n`);

interface Row {
  what: string;
  ms: number[];
  failures: number;
  /** DC CPU ms per operation, when measured. */
  dcMs?: number;
}

/** Signs in through the form; the clock runs for the POST only. Returns the client (signed in) and the time. */
async function signIn(base: string, username: string, password: string): Promise<{ client: HttpClient; ms: number; ok: boolean }> {
  const client = new HttpClient(base);
  const page = await client.get('/login');
  const token = /name="_csrf" value="([^"]*)"/.exec(page.text)?.[1] ?? '';
  const t0 = performance.now();
  const reply = await client.post('/login', { _csrf: token, username, password, next: '' });
  return { client, ms: performance.now() - t0, ok: reply.status === 303 };
}

async function measureMode(root: string, domain: DomainInfo, o: Options, mode: Mode, students: string[], dataDir: string): Promise<Row[]> {
  const app = await startApp(root, domain, {
    port: Number(process.env.BENCH_PORT ?? 3990),
    dataDir,
    username: 'alice',
    env: { SMB_AUTH: mode, LOGIN_MAX_PER_IP: '10000' },
  });
  try {
    const singles = students.slice(0, o.single);
    const burst = students.slice(o.single, o.single + o.burst);
    // Returning students: a user's very first logon costs a Samba DC several times more (it records it).
    for (let i = 0; i < students.length; i += 8) await Promise.all(students.slice(i, i + 8).map((s) => signIn(app.base, s, domain.password)));

    const signInRow: Row = { what: 'sign-in, one at a time', ms: [], failures: 0 };
    const listRow: Row = { what: 'first listing after sign-in', ms: [], failures: 0 };
    const clients: HttpClient[] = [];
    let dc0 = dcCpuMs(domain.pid);
    for (const s of singles) {
      const r = await signIn(app.base, s, domain.password);
      if (r.ok) signInRow.ms.push(r.ms);
      else signInRow.failures++;
      clients.push(r.client);
    }
    signInRow.dcMs = (dcCpuMs(domain.pid) - dc0) / singles.length;
    // Listings apart from the sign-ins, so each phase's DC CPU is its own.
    dc0 = dcCpuMs(domain.pid);
    for (const client of clients) {
      const t0 = performance.now();
      const reply = await client.get('/browse/home/');
      if (reply.status === 200) listRow.ms.push(performance.now() - t0);
      else listRow.failures++;
    }
    listRow.dcMs = (dcCpuMs(domain.pid) - dc0) / clients.length;

    const burstRow: Row = { what: `sign-in, ${o.burst} at once`, ms: [], failures: 0 };
    dc0 = dcCpuMs(domain.pid);
    for (const r of await Promise.all(burst.map((s) => signIn(app.base, s, domain.password)))) {
      if (r.ok) burstRow.ms.push(r.ms);
      else burstRow.failures++;
    }
    burstRow.dcMs = (dcCpuMs(domain.pid) - dc0) / burst.length;
    return [signInRow, listRow, burstRow].map((r) => ({ ...r, what: `app SMB_AUTH=${mode}: ${r.what}` }));
  } finally {
    await app.stop();
  }
}

/** smbclient listing alice's home, N times one after another: wall time of each run and DC CPU per run. */
async function smbclientRow(domain: DomainInfo, what: string, auth: string[], env: NodeJS.ProcessEnv, n: number): Promise<Row> {
  const row: Row = { what, ms: [], failures: 0 };
  const args = [`//${domain.fileServerName}/${domain.shares.users}`, '-I', domain.ip, ...auth, '-c', 'cd alice; ls'];
  const dc0 = dcCpuMs(domain.pid);
  for (let i = 0; i < n; i++) {
    const p = await exec('smbclient', args, env);
    if (p.code === 0 && /Welcome\.txt/.test(p.stdout)) row.ms.push(p.wallMs);
    else {
      row.failures++;
      if (row.failures === 1) log(`${what} failed: ${(p.stdout + p.stderr).trim().slice(0, 300)}`);
    }
  }
  row.dcMs = (dcCpuMs(domain.pid) - dc0) / n;
  return row;
}

function table(rows: Row[]): string {
  const width = Math.max(...rows.map((r) => r.what.length));
  const head = `${'measured'.padEnd(width)}  ${'n'.padStart(4)}  ${'p50 ms'.padStart(8)}  ${'p99 ms'.padStart(8)}  ${'DC CPU ms/op'.padStart(12)}  failures`;
  const lines = rows.map(
    (r) =>
      `${r.what.padEnd(width)}  ${String(r.ms.length).padStart(4)}  ${percentile(r.ms, 50).toFixed(1).padStart(8)}  ${percentile(r.ms, 99).toFixed(1).padStart(8)}  ${(r.dcMs ?? NaN).toFixed(1).padStart(12)}  ${r.failures}`,
  );
  return [head, '-'.repeat(head.length), ...lines].join('\n');
}

const p50 = (rows: Row[], what: string): number => percentile(rows.find((r) => r.what === what)?.ms ?? [], 50);

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args);
  const root = new URL('..', import.meta.url).pathname;
  const work = mkdtempSync(join(tmpdir(), 'portcullis-bench-krb-'));
  try {
    log(`starting the domain on ${DOMAIN.ip}`);
    const domain = await startDomain(DOMAIN);
    const rows: Row[] = [];
    let next = 1;
    for (const mode of MODES) {
      const students = Array.from({ length: o.single + o.burst }, () => studentName(next++));
      log(`SMB_AUTH=${mode}: ${o.single} sign-ins one at a time, their first listings, ${o.burst} at once`);
      rows.push(...(await measureMode(root, domain, o, mode, students, join(work, `data-${mode}`))));
    }

    log(`smbclient ×${o.smbclient} with NTLM, then with Kerberos`);
    const ntlmEnv = { ...process.env, LC_ALL: 'C.UTF-8', KRB5_CONFIG: domain.kerberos.krb5Conf };
    rows.push(await smbclientRow(domain, 'smbclient ls, NTLM (incl. process start)', ['--use-kerberos=off', '-U', `${domain.netbiosDomain}\\alice%${domain.password}`], ntlmEnv, o.smbclient));
    const ccache = join(work, 'alice.ccache');
    await kinitPassword(domain, 'alice', ccache);
    rows.push(await smbclientRow(domain, 'smbclient ls, Kerberos, kinit ccache (incl. process start)', ['--use-kerberos=required', '-N'], krb5Env(domain, ccache), o.smbclient));

    const ratio = (a: string, b: string): string => (p50(rows, a) / p50(rows, b)).toFixed(2);
    const out = [
      table(rows),
      '',
      `sign-in p50, auto / ntlm: ${ratio('app SMB_AUTH=auto: sign-in, one at a time', 'app SMB_AUTH=ntlm: sign-in, one at a time')}×`,
      `first listing p50, auto (Kerberos) / ntlm: ${ratio('app SMB_AUTH=auto: first listing after sign-in', 'app SMB_AUTH=ntlm: first listing after sign-in')}×`,
      `smbclient p50, Kerberos / NTLM: ${ratio('smbclient ls, Kerberos, kinit ccache (incl. process start)', 'smbclient ls, NTLM (incl. process start)')}×`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await stopDomain(DOMAIN.name);
    rmSync(work, { recursive: true, force: true });
  }
}
