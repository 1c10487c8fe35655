// `npm run bench -- smb [--large] [--rounds N] [--port N] [--cpu-prof DIR] [--keep]`
// Our SMB client against smbclient on the same server (a standalone smbd with mandatory signing, so the
// connection is signed SMB 3.1.1) and the same file, alternating, median of N rounds:
//   read and write of a 512 MiB random file (2 GiB with --large), and a 10,000-entry listing;
//   the same read and write through the built CLI: get to /dev/null, to a file, and `-` into a pipe and into a
//   file (stdout redirected); put from a file, and `-` from a pipe and from a file (stdin redirected);
//   the CLI's start-up: `--help`, `smb get` of an empty file, beside `node -e 0` and smbclient's get.
// Needs `npm run build` first (the CLI figures run dist/cli.js, as installed).
// Our side runs in a fresh child process per measurement (bundled with esbuild, plain node), so its
// peak RSS is the client's own and the listing includes process start-up, as smbclient's does.
import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { startSmbd, type SmbdFixture } from '../test/fixtures/smbd.js';
import type { WorkerResult } from './smb-worker.js';
import { exec, median, MiB, smbclientRate, verdict, writeRandomFile, type Proc } from './common.js';

export const summary = 'our SMB client vs smbclient: read/write MiB/s, 10k listing, peak RSS (--large: 2 GiB)';

const DEFAULT_PORT = 4470;
/** BENCH_CLI: another build's cli.js (e.g. a copy of dist/ from before a change), to compare the two. */
const CLI = process.env.BENCH_CLI ?? new URL('../dist/cli.js', import.meta.url).pathname;
const LIST_ENTRIES = 10_000;
const RSS_TARGET_BYTES = 120e6;
/** Start-up measurements per round (each a fresh process of ~0.1 s). */
const STARTUP_RUNS = 5;
const TARGETS = { read: 0.9, write: 1.0, list: 1.2, cliVsInProcess: 0.9, startupMs: 250 } as const;

interface Options {
  large: boolean;
  rounds: number;
  cpuProfDir: string | undefined;
  keep: boolean;
  port: number;
}

function parseOptions(args: string[]): Options {
  const o: Options = { large: false, rounds: 3, cpuProfDir: undefined, keep: false, port: DEFAULT_PORT };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--large') o.large = true;
    else if (a === '--keep') o.keep = true;
    else if (a === '--rounds') o.rounds = Math.max(1, Number(args[++i]));
    else if (a === '--cpu-prof') o.cpuProfDir = args[++i];
    else if (a === '--port') o.port = Number(args[++i]);
    else throw new Error(`unknown option ${a} (known: --large, --rounds N, --port N, --cpu-prof DIR, --keep)`);
  }
  return o;
}

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args);
  const PORT = o.port;
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first (the CLI figures use the built bin)`);
  const size = o.large ? 2048 * MiB : 512 * MiB;
  const sizeLabel = o.large ? '2 GiB' : '512 MiB';
  const work = mkdtempSync(join(tmpdir(), 'portcullis-bench-'));
  let f: SmbdFixture | undefined;
  let interrupted = false;
  const cleanup = async (): Promise<void> => {
    await f?.stop().catch(() => undefined);
    if (!o.keep) {
      rmSync(work, { recursive: true, force: true });
      if (f !== undefined) rmSync(f.dir, { recursive: true, force: true });
    }
  };
  const onSignal = (): void => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write('\nbench: interrupted, cleaning up\n');
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const log = (s: string): void => void process.stderr.write(`bench: ${s}\n`);
    log(`starting smbd on 127.0.0.1:${PORT} (server signing = mandatory)`);
    f = await startSmbd({ name: 'bench-smb', port: PORT, settings: { 'server signing': 'mandatory' } });

    log(`writing a ${sizeLabel} random file and ${LIST_ENTRIES.toLocaleString('en')} empty files`);
    const local = join(work, 'source.bin');
    writeRandomFile(local, size);
    copyFileSync(local, join(f.shareDir, 'bench-source.bin'));
    writeFileSync(join(f.shareDir, 'bench-empty.bin'), '');
    mkdirSync(join(f.shareDir, 'list10k'));
    for (let i = 0; i < LIST_ENTRIES; i++) writeFileSync(join(f.shareDir, 'list10k', `entry-${String(i).padStart(5, '0')}.dat`), '');

    const worker = join(work, 'smb-worker.mjs');
    await build({
      entryPoints: [new URL('./smb-worker.ts', import.meta.url).pathname],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: worker,
      logLevel: 'warning',
    });

    const fx = f;
    const ours = async (mode: 'read' | 'write' | 'list', remote: string, localPath?: string): Promise<WorkerResult & { wallMs: number }> => {
      const prof = o.cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', o.cpuProfDir, '--cpu-prof-name', `${mode}-${Date.now()}.cpuprofile`];
      const p = await exec(
        process.execPath,
        [...prof, worker, mode, fx.host, String(fx.port), fx.share, fx.username, fx.domain, remote, ...(localPath === undefined ? [] : [localPath])],
        { ...process.env, BENCH_SMB_PASSWORD: fx.password },
      );
      if (p.code !== 0) throw new Error(`our ${mode} failed (exit ${p.code}): ${p.stderr.trim()}`);
      return { ...(JSON.parse(p.stdout) as WorkerResult), wallMs: p.wallMs };
    };
    const smbclient = (command: string): Promise<Proc> =>
      exec(
        'smbclient',
        [`//${fx.host}/${fx.share}`, '-p', String(fx.port), '-U', `${fx.domain}\\${fx.username}`, '-m', 'SMB3_11', '--option=client signing=required', '-c', command],
        { ...process.env, PASSWD: fx.password },
      ).then((p) => {
        if (p.code !== 0 || /NT_STATUS_/.test(p.stdout + p.stderr)) throw new Error(`smbclient -c '${command}' failed: ${(p.stdout + p.stderr).trim()}`);
        return p;
      });

    /** The built CLI as an admin runs it, wall time of the whole process. */
    const cli = (cliArgs: string[]): Promise<Proc> =>
      exec(process.execPath, [CLI, ...cliArgs], { ...process.env, PORTCULLIS_PASSWORD: fx.password }).then((p) => {
        if (p.code !== 0) throw new Error(`portcullis ${cliArgs.join(' ')} failed (exit ${p.code}): ${p.stderr.trim()}`);
        return p;
      });
    /**
     * Every write goes to a name that does not exist yet: replacing last round's file makes the server free
     * its blocks inside the measured time (here ~1 s for 512 MiB just written), at open for an overwrite,
     * at the rename for the CLI's temporary-then-rename, which would measure the file system, not the client.
     */
    const fresh = (name: string): void => rmSync(join(fx.shareDir, name), { force: true });
    const remote = (name: string): string => `//${fx.host}:${fx.port}/${fx.share}/${name}`;
    const cliUser = ['--user', `${fx.domain}\\${fx.username}`];
    const startup = { help: [] as number[], nodeBare: [] as number[], cliGetEmpty: [] as number[], smbclientGetEmpty: [] as number[] };
    /** Where the CLI's get writes and its put reads: every form an admin's script may use. */
    const GETS = ['/dev/null', 'a file', '- into a pipe', '- into a file'] as const;
    const PUTS = ['a file', '- from a pipe', '- from a file'] as const;
    const cliWall = {
      get: Object.fromEntries(GETS.map((k) => [k, [] as number[]])) as Record<(typeof GETS)[number], number[]>,
      put: Object.fromEntries(PUTS.map((k) => [k, [] as number[]])) as Record<(typeof PUTS)[number], number[]>,
    };
    /**
     * The built CLI with its stdin or stdout on a pipe, a real one made by the shell (`cat FILE | portcullis …`,
     * `portcullis … | cat > /dev/null`: Node's own 'pipe' stdio would be a socket pair), or on a file (as
     * `< file` or `> file` would); wall time of the whole pipeline.
     */
    const cliIo = (cliArgs: string[], io: { stdin?: { pipeFrom: string } | { file: string }; stdout?: 'pipe' | { file: string } }): Promise<number> =>
      new Promise((resolve, reject) => {
        const fds: number[] = [];
        const fileFd = (path: string, flags: string): number => {
          const fd = openSync(path, flags);
          fds.push(fd);
          return fd;
        };
        const stdin = io.stdin === undefined ? 'ignore' : 'file' in io.stdin ? fileFd(io.stdin.file, 'r') : 'ignore';
        const stdout = io.stdout === undefined ? 'ignore' : io.stdout === 'pipe' ? 'ignore' : fileFd(io.stdout.file, 'w');
        const script = [
          io.stdin !== undefined && 'pipeFrom' in io.stdin ? 'cat -- "$BENCH_IN" | ' : '',
          '"$@"',
          io.stdout === 'pipe' ? ' | cat > /dev/null' : '',
        ].join('');
        const env = { ...process.env, PORTCULLIS_PASSWORD: fx.password, BENCH_IN: io.stdin !== undefined && 'pipeFrom' in io.stdin ? io.stdin.pipeFrom : '' };
        const t0 = performance.now();
        const child = spawn('bash', ['-o', 'pipefail', '-c', script, 'bash', process.execPath, CLI, ...cliArgs], { env, stdio: [stdin, stdout, 'pipe'] });
        for (const fd of fds) closeSync(fd);
        let stderr = '';
        child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => {
          if (code !== 0) reject(new Error(`portcullis ${cliArgs.join(' ')} failed (exit ${code}): ${stderr.trim()}`));
          else resolve(performance.now() - t0);
        });
      });

    const rate = { ours: { read: [] as number[], write: [] as number[] }, smbclient: { read: [] as number[], write: [] as number[] } };
    const listMs = { ours: [] as number[], smbclient: [] as number[] };
    const rss = { read: 0, write: 0, list: 0 };
    let negotiated = '';
    for (let round = 1; round <= o.rounds; round++) {
      log(`round ${round}/${o.rounds}`);
      const r = await ours('read', 'bench-source.bin');
      if (r.amount !== size) throw new Error(`our read returned ${r.amount} bytes, expected ${size}`);
      negotiated = `SMB ${r.dialect}, signing ${r.signing}, cipher ${r.cipher}`;
      rate.ours.read.push(size / MiB / (r.ms / 1000));
      rss.read = Math.max(rss.read, r.maxRssKiB * 1024);

      rate.smbclient.read.push(smbclientRate(await smbclient('get bench-source.bin /dev/null')));

      fresh('bench-ours.bin');
      const w = await ours('write', 'bench-ours.bin', local);
      if (statSync(join(fx.shareDir, 'bench-ours.bin')).size !== size) throw new Error('our write left a file of the wrong size');
      rate.ours.write.push(size / MiB / (w.ms / 1000));
      rss.write = Math.max(rss.write, w.maxRssKiB * 1024);

      fresh('bench-smbclient.bin');
      rate.smbclient.write.push(smbclientRate(await smbclient(`put ${local} bench-smbclient.bin`)));
      if (statSync(join(fx.shareDir, 'bench-smbclient.bin')).size !== size) throw new Error("smbclient's put left a file of the wrong size");

      // The CLI: start-up first (its fixed cost is subtracted from the transfers below), then get and put.
      // Several short runs a round: one 0.1 s figure on a busy machine is mostly noise.
      for (let i = 0; i < STARTUP_RUNS; i++) {
        startup.nodeBare.push((await exec(process.execPath, ['-e', '0'])).wallMs);
        startup.help.push((await cli(['--help'])).wallMs);
        startup.cliGetEmpty.push((await cli(['smb', 'get', remote('bench-empty.bin'), '/dev/null', ...cliUser])).wallMs);
        startup.smbclientGetEmpty.push((await smbclient('get bench-empty.bin /dev/null')).wallMs);
      }
      const getArgs = (to: string): string[] => ['smb', 'get', remote('bench-source.bin'), to, ...cliUser];
      const gotten = join(work, 'cli-get.bin');
      const checkGotten = (what: string): void => {
        if (statSync(gotten).size !== size) throw new Error(`the CLI's get ${what} wrote a file of the wrong size`);
        rmSync(gotten);
      };
      cliWall.get['/dev/null'].push((await cli(getArgs('/dev/null'))).wallMs);
      rmSync(gotten, { force: true });
      cliWall.get['a file'].push((await cli(getArgs(gotten))).wallMs);
      checkGotten('to a file');
      cliWall.get['- into a pipe'].push(await cliIo(getArgs('-'), { stdout: 'pipe' }));
      cliWall.get['- into a file'].push(await cliIo(getArgs('-'), { stdout: { file: gotten } }));
      checkGotten('- > file');
      const putTo = async (variant: (typeof PUTS)[number], from: string, io: Parameters<typeof cliIo>[1]): Promise<void> => {
        fresh('bench-cli.bin');
        cliWall.put[variant].push(await cliIo(['smb', 'put', from, remote('bench-cli.bin'), ...cliUser], io));
        if (statSync(join(fx.shareDir, 'bench-cli.bin')).size !== size) throw new Error(`the CLI's put from ${variant} left a file of the wrong size`);
      };
      await putTo('a file', local, {});
      await putTo('- from a pipe', '-', { stdin: { pipeFrom: local } });
      await putTo('- from a file', '-', { stdin: { file: local } });

      const l = await ours('list', 'list10k');
      if (l.amount !== LIST_ENTRIES) throw new Error(`our listing returned ${l.amount} entries`);
      listMs.ours.push(l.wallMs);
      rss.list = Math.max(rss.list, l.maxRssKiB * 1024);

      const sl = await smbclient('ls list10k/*');
      const listed = sl.stdout.split('\n').filter((line) => /^ {2}entry-\d{5}\.dat\s/.test(line)).length;
      if (listed !== LIST_ENTRIES) throw new Error(`smbclient listed ${listed} entries`);
      listMs.smbclient.push(sl.wallMs);
    }

    const med = {
      read: { ours: median(rate.ours.read), smbclient: median(rate.smbclient.read) },
      write: { ours: median(rate.ours.write), smbclient: median(rate.smbclient.write) },
      list: { ours: median(listMs.ours), smbclient: median(listMs.smbclient) },
    };
    const fmt = (n: number, d = 1): string => n.toFixed(d);
    // The CLI's transfer rate: its wall time less its fixed cost (start-up, login, stat, close), which the
    // empty-file get measures, so it compares with the in-process figure (open to close).
    const fixedMs = median(startup.cliGetEmpty);
    const cliRate = (wall: number[]): number => size / MiB / ((median(wall) - fixedMs) / 1000);
    /** A CLI figure beside smbclient's, judged against the in-process one (within 10%). */
    const cliRow = (label: string, rate: number, ref: { ours: number; smbclient: number }): string[] => [
      label, fmt(rate), fmt(ref.smbclient), `${fmt(rate / ref.smbclient, 2)}x`, `>= ${fmt(TARGETS.cliVsInProcess, 2)}x in-process (${fmt(rate / ref.ours, 2)}x)`, verdict(rate / ref.ours >= TARGETS.cliVsInProcess),
    ];
    const rows: string[][] = [
      ['', 'ours', 'smbclient', 'ours/smbclient', 'target', ''],
      ['read MiB/s', fmt(med.read.ours), fmt(med.read.smbclient), `${fmt(med.read.ours / med.read.smbclient, 2)}x`, `>= ${fmt(TARGETS.read, 2)}x`, verdict(med.read.ours / med.read.smbclient >= TARGETS.read)],
      ['write MiB/s', fmt(med.write.ours), fmt(med.write.smbclient), `${fmt(med.write.ours / med.write.smbclient, 2)}x`, `>= ${fmt(TARGETS.write, 2)}x`, verdict(med.write.ours / med.write.smbclient >= TARGETS.write)],
      ['list 10k ms', fmt(med.list.ours, 0), fmt(med.list.smbclient, 0), `${fmt(med.list.ours / med.list.smbclient, 2)}x`, `<= ${fmt(TARGETS.list, 2)}x`, verdict(med.list.ours / med.list.smbclient <= TARGETS.list)],
      ...GETS.map((k) => cliRow(`CLI get → ${k} MiB/s`, cliRate(cliWall.get[k]), med.read)),
      ...PUTS.map((k) => cliRow(`CLI put ← ${k} MiB/s`, cliRate(cliWall.put[k]), med.write)),
      ['CLI get empty file ms', fmt(fixedMs, 0), fmt(median(startup.smbclientGetEmpty), 0), `${fmt(fixedMs / median(startup.smbclientGetEmpty), 2)}x`, `<= ${TARGETS.startupMs} ms`, verdict(fixedMs <= TARGETS.startupMs)],
      ['CLI --help ms', fmt(median(startup.help), 0), '', '', `<= ${TARGETS.startupMs} ms`, verdict(median(startup.help) <= TARGETS.startupMs)],
      ['peak RSS MB', `read ${fmt(rss.read / 1e6, 0)} / write ${fmt(rss.write / 1e6, 0)}`, '', '', `<= ${RSS_TARGET_BYTES / 1e6} MB`, verdict(Math.max(rss.read, rss.write) <= RSS_TARGET_BYTES)],
    ];
    const widths = (rows[0] as string[]).map((_, c) => Math.max(...rows.map((r) => (r[c] as string).length)));
    const table = rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number))).join('  ').trimEnd()).join('\n');
    const all = (xs: number[], d = 0): string => xs.map((x) => fmt(x, d)).join(', ');
    process.stdout.write(
      [
        '',
        `portcullis bench smb: ${sizeLabel} file, smbd 127.0.0.1:${PORT} (server signing = mandatory), ${negotiated}`,
        `median of ${o.rounds} alternating rounds; smbclient -m SMB3_11 --option='client signing=required'`,
        'MiB/s: ours from open to close in a fresh child process (no tsx); smbclient as it reports itself',
        'listing: wall time of a fresh process each (start-up + login + listing), ours and smbclient alike',
        'CLI: dist/cli.js, wall time less the median empty-file get (its fixed cost); in-process = "ours" above',
        '',
        table,
        '',
        `rounds: read ours [${all(rate.ours.read)}] smbclient [${all(rate.smbclient.read)}]; write ours [${all(rate.ours.write)}] smbclient [${all(rate.smbclient.write)}]`,
        `        list ms ours [${all(listMs.ours)}] smbclient [${all(listMs.smbclient)}]; list process peak RSS ${fmt(rss.list / 1e6, 0)} MB`,
        ...Object.entries(cliWall.get).map(([k, v]) => `        CLI wall ms: get → ${k} [${all(v)}]`),
        ...Object.entries(cliWall.put).map(([k, v]) => `        CLI wall ms: put ← ${k} [${all(v)}]`),
        `        CLI wall ms: get empty [${all(startup.cliGetEmpty)}] --help [${all(startup.help)}]`,
        `        node -e 0 ms [${all(startup.nodeBare)}] (median ${fmt(median(startup.nodeBare), 0)}); smbclient get empty ms [${all(startup.smbclientGetEmpty)}]`,
        '',
      ].join('\n'),
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (!interrupted) await cleanup();
  }
}
