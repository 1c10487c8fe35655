// `npm run bench -- ops [--rounds N] [--size-mib M] [--files K]`
// File operations through the app's JSON API against smbclient on the same server, same files, same run; rounds
// alternate who goes first, median of N (default 3):
//   copy a 1 GiB file within a server: the app (server-side COPYCHUNK) vs `smbclient scopy` (also server-side),
//   target ≤ 1.2×; and vs a get+put through the client's disk (what a copy without server-side help costs),
//   target ≥ 5× faster;
//   delete a folder of 10,000 files: the app vs `smbclient deltree`, target ≤ 1.2×.
// Times are wall clock from the request to the finished job (the app: to the job's own finishedAt, polled as the page
// polls) or for the whole smbclient command (its start-up and login included: ~0.1 s, which favours the app).
// Each delete also reports CPU per file, which a shared machine disturbs far less than wall time: the DC's (every
// samba process, smbd's reaped children included) and the client's (this process for the app, the bench's polling
// included; smbclient's own for deltree).
// BENCH_DOMAIN_IP (default 127.0.0.30) moves the benchmark's DC, so side-by-side runs don't stop each other's domain;
// BENCH_DOMAIN_NAME names it (default bench or bench-<ip>).
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDomain, stopDomain } from '../test/fixtures/domain.js';
import { NETBIOS_DOMAIN, USERS, USERS_GID } from '../test/fixtures/domain-data.js';
import { csrfTokenIn, signInOk } from '../test/helpers/http-client.js';
import { startWebApp } from '../test/helpers/web-app.js';
import { jsonRequest } from '../test/integration/ops/helpers.js';
import { exec, median, MiB, verdict, writeRandomFile } from './common.js';
import { reapedChildrenCpuMs, treeCpuMs } from './proc-stats.js';

export const summary = 'file operations: copy 1 GiB in a server (app vs smbclient scopy and get+put), delete 10,000 files (app vs deltree)';

const BENCH_IP = process.env.BENCH_DOMAIN_IP ?? '127.0.0.30';
// BENCH_DOMAIN_NAME reuses a domain (and its snapshot) of that name, e.g. a helper's own test-<ip> DC.
const DOMAIN = { name: process.env.BENCH_DOMAIN_NAME ?? (BENCH_IP === '127.0.0.30' ? 'bench' : `bench-${BENCH_IP}`), ip: BENCH_IP };
const TARGETS = { copyVsScopy: 1.2, getPutVsCopy: 5, deleteVsDeltree: 1.2 } as const;
const ALICE_UID = USERS.find((u) => u.username === 'alice')?.uidNumber ?? 0;

const log = (line: string): void => void process.stderr.write(`bench ops: ${line}\n`);

function parseOptions(args: string[]): { rounds: number; sizeMiB: number; files: number } {
  const o = { rounds: 3, sizeMiB: 1024, files: 10_000 };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--rounds') o.rounds = Math.max(1, Number(args[++i]));
    else if (a === '--size-mib') o.sizeMiB = Math.max(1, Number(args[++i]));
    else if (a === '--files') o.files = Math.max(1, Number(args[++i]));
    else throw new Error(`unknown option ${a} (known: --rounds N, --size-mib M, --files K)`);
  }
  return o;
}

interface JobJson {
  id: string;
  state: string;
  done: { items: number };
  failures: unknown[];
  finishedAt: string | null;
}

/** As the page polls a running job (src/client/ops/jobs.ts). */
const POLL_MS = 700;

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args);
  const work = mkdtempSync(join(tmpdir(), 'portcullis-bench-ops-'));
  log(`starting the domain on ${DOMAIN.ip}`);
  const domain = await startDomain(DOMAIN);
  const app = await startWebApp(domain, { env: { LOGIN_MAX_PER_IP: '1000' }, logLevel: 'warn' });
  const home = join(domain.homesDir, 'alice');
  const dir = 'bench-ops';
  const disk = join(home, dir);
  const own = (p: string): void => chownSync(p, ALICE_UID, USERS_GID);
  try {
    rmSync(disk, { recursive: true, force: true });
    mkdirSync(join(disk, 'copies'), { recursive: true });
    own(disk);
    own(join(disk, 'copies'));
    log(`writing a ${o.sizeMiB} MiB random file into alice's home`);
    writeRandomFile(join(disk, 'source.bin'), o.sizeMiB * MiB);
    own(join(disk, 'source.bin'));

    const client = app.client();
    await signInOk(client, 'alice', domain.password);
    const csrf = csrfTokenIn((await client.get('/browse/home/')).text);
    // A connection per request: the set-up between steps (10,000 files written) keeps this process's event loop
    // (the app's too) busy longer than the keep-alive timeout, and a reused socket would be reset.
    const api = (method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> =>
      jsonRequest(new URL(path, app.url), method, { Cookie: client.jar.header(), 'X-CSRF-Token': csrf }, body);
    /**
     * Milliseconds from the POST to the job's end, as the job itself reports it (finishedAt, same clock): exact
     * whatever the poll interval, so the bench polls as the page does (every 700 ms) instead of loading the app it
     * measures with 50 requests a second.
     */
    const timedJob = async (path: string, body: unknown): Promise<number> => {
      const t0 = Date.now();
      const r = await api('POST', path, body);
      if (r.status !== 200 && r.status !== 202) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.json)}`);
      let job = r.json.job as JobJson;
      while (job.state === 'running') {
        await new Promise((res) => setTimeout(res, POLL_MS));
        job = (await api('GET', `/api/jobs/${job.id}?since=${job.done.items}`)).json as unknown as JobJson;
      }
      if (job.state !== 'done' || job.failures.length > 0 || job.finishedAt === null) throw new Error(`${path}: job ${job.state} ${JSON.stringify(job.failures)}`);
      return Date.parse(job.finishedAt) - t0;
    };
    const smb = async (commands: string): Promise<number> => {
      const p = await exec('smbclient', [`//${domain.ip}/users`, '-U', `${NETBIOS_DOMAIN}\\alice%${domain.password}`, '-c', commands], { ...process.env, LC_ALL: 'C.UTF-8' });
      if (p.code !== 0 || /NT_STATUS_/u.test(p.stdout + p.stderr)) throw new Error(`smbclient ${commands}: ${(p.stdout + p.stderr).trim()}`);
      return p.wallMs;
    };
    const clearCopies = (): void => {
      rmSync(join(disk, 'copies'), { recursive: true, force: true });
      mkdirSync(join(disk, 'copies'));
      own(join(disk, 'copies'));
    };
    const makeFolder = (name: string): void => {
      const f = join(disk, name);
      mkdirSync(f);
      own(f);
      for (let i = 0; i < o.files; i++) {
        const p = join(f, `file-${String(i).padStart(5, '0')}.txt`);
        writeFileSync(p, `entry ${i}\n`);
        own(p);
      }
    };

    const copy = { app: [] as number[], scopy: [] as number[], getPut: [] as number[] };
    const del = { app: [] as number[], deltree: [] as number[] };
    const delRounds: string[] = [];
    /** Runs one delete; its wall ms, and the DC's and the client's CPU ms per file. */
    const measured = async (client: 'app' | 'smbclient', step: () => Promise<number>): Promise<{ ms: number; dc: number; own: number }> => {
      const dc0 = treeCpuMs(domain.pid);
      const own0 = client === 'app' ? process.cpuUsage() : undefined;
      const kids0 = reapedChildrenCpuMs();
      const ms = await step();
      const used = own0 === undefined ? undefined : process.cpuUsage(own0);
      const own = used === undefined ? 0 : (used.user + used.system) / 1000;
      // smbclient's smbd child ends after it, and counts once reaped.
      await new Promise((res) => setTimeout(res, 300));
      const dc = treeCpuMs(domain.pid) - dc0;
      return { ms, dc: dc / o.files, own: (client === 'app' ? own : reapedChildrenCpuMs() - kids0) / o.files };
    };
    const local = join(work, 'through-the-client.bin');
    // Round 0 warms up (connections, the server's page cache of the source file) and is not counted.
    for (let round = 0; round <= o.rounds; round++) {
      const counted = round > 0;
      const appFirst = round % 2 === 0;
      const steps: [string, () => Promise<void>][] = [
        ['app copy', async () => void (counted ? copy.app : []).push(await timedJob('/api/files/copy', { drive: 'home', paths: [`${dir}/source.bin`], to: { drive: 'home', path: `${dir}/copies` } }))],
        ['scopy', async () => void (counted ? copy.scopy : []).push(await smb(`scopy alice/${dir}/source.bin alice/${dir}/copies/scopy.bin`))],
      ];
      for (const [name, step] of appFirst ? steps : steps.reverse()) {
        await step();
        clearCopies();
        log(`  round ${round}${counted ? '' : ' (warm-up)'}: ${name} done`);
      }
      if (counted) {
        copy.getPut.push(await smb(`get alice/${dir}/source.bin ${local}; put ${local} alice/${dir}/copies/get-put.bin`));
        rmSync(local, { force: true });
        clearCopies();
      }
      makeFolder('del-app');
      makeFolder('del-smb');
      const got: Partial<Record<'app' | 'deltree', { ms: number; dc: number; own: number }>> = {};
      const deletes: [string, () => Promise<void>][] = [
        ['app delete', async () => void (got.app = await measured('app', () => timedJob('/api/files/delete', { drive: 'home', paths: [`${dir}/del-app`] })))],
        ['deltree', async () => void (got.deltree = await measured('smbclient', () => smb(`deltree alice/${dir}/del-smb`)))],
      ];
      for (const [name, step] of appFirst ? deletes : deletes.reverse()) {
        await step();
        log(`  round ${round}${counted ? '' : ' (warm-up)'}: ${name} done`);
      }
      const a = got.app;
      const d = got.deltree;
      if (counted && a && d) {
        del.app.push(a.ms);
        del.deltree.push(d.ms);
        const perFile = (x: { ms: number; dc: number; own: number }, who: string): string =>
          `${(x.ms / o.files).toFixed(2)} ms/file (CPU per file: DC ${x.dc.toFixed(3)} ms, ${who} ${x.own.toFixed(3)} ms)`;
        delRounds.push(`    round ${round} (${appFirst ? 'app first' : 'deltree first'}): ${(a.ms / d.ms).toFixed(2)}×  app ${perFile(a, 'app')}  deltree ${perFile(d, 'smbclient')}`);
      }
    }

    const mib = o.sizeMiB;
    const rate = (ms: number): string => `${((mib * 1000) / ms).toFixed(0)} MiB/s`;
    const appCopy = median(copy.app);
    const scopy = median(copy.scopy);
    const getPut = median(copy.getPut);
    const appDel = median(del.app);
    const deltree = median(del.deltree);
    const lines = [
      `file operations, median of ${o.rounds} rounds (${mib} MiB file, ${o.files.toLocaleString('en')} files); the machine is shared, so absolute times wander`,
      `  copy in a server   app ${appCopy.toFixed(0)} ms (${rate(appCopy)})   smbclient scopy ${scopy.toFixed(0)} ms (${rate(scopy)})   get+put ${getPut.toFixed(0)} ms (${rate(getPut)})`,
      `    app / scopy      ${(appCopy / scopy).toFixed(2)}×  target ≤ ${TARGETS.copyVsScopy}×  ${verdict(appCopy / scopy <= TARGETS.copyVsScopy)}`,
      `    get+put / app    ${(getPut / appCopy).toFixed(1)}×  target ≥ ${TARGETS.getPutVsCopy}×  ${verdict(getPut / appCopy >= TARGETS.getPutVsCopy)}`,
      `  delete ${o.files} files  app ${appDel.toFixed(0)} ms   smbclient deltree ${deltree.toFixed(0)} ms`,
      `    app / deltree    ${(appDel / deltree).toFixed(2)}×  target ≤ ${TARGETS.deleteVsDeltree}×  ${verdict(appDel / deltree <= TARGETS.deleteVsDeltree)}`,
      ...delRounds,
      `  all rounds (ms): app copy ${copy.app.map((x) => x.toFixed(0)).join(' ')}; scopy ${copy.scopy.map((x) => x.toFixed(0)).join(' ')}; get+put ${copy.getPut.map((x) => x.toFixed(0)).join(' ')}; app delete ${del.app.map((x) => x.toFixed(0)).join(' ')}; deltree ${del.deltree.map((x) => x.toFixed(0)).join(' ')}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await app.close();
    rmSync(disk, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
    await stopDomain(DOMAIN.name);
  }
}
