// `portcullis smb` as a user runs it: a child process against a real standalone smbd and the AD DC.
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmbd, type SmbdFixture } from '../../fixtures/smbd.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { smbclientNames } from '../smb/helpers.js';
import { legacyUnsignedServer, startSmbProxy, type SmbProxy } from '../../helpers/smb-proxy.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CLI = join(ROOT, 'src', 'cli.ts');
/** Absolute, so the child may run in any cwd (get without LOCALFILE writes there). */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const SMBD_PORT = 4467;
/** Nothing listens here (4460–4469 belong to the SMB tests; this one stays free). */
const DEAD_PORT = 4460;

interface Result {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

interface RunOptions {
  password?: string | null;
  input?: Buffer | string;
  cwd?: string;
  env?: Record<string, string>;
}

/**
 * Runs the CLI in its own session (detached), so it has no controlling terminal: a missing password
 * must fail, never wait at a prompt.
 */
function runCli(args: string[], o: RunOptions = {}): Promise<Result> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...o.env };
  delete env.PORTCULLIS_PASSWORD;
  if (o.password !== null && o.password !== undefined) env.PORTCULLIS_PASSWORD = o.password;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, CLI, 'smb', ...args], {
      cwd: o.cwd ?? ROOT,
      env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(o.input ?? '');
  });
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Exactly one line on stderr, and nothing that looks like a stack trace. */
function expectOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.split('\n').filter((l) => l !== '');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/^\s+at /m);
}

describe('portcullis smb against a standalone smbd (signing mandatory)', () => {
  let f: SmbdFixture;
  let base: string;
  let user: string[];
  let work: string;
  const run = (args: string[], o: RunOptions = {}): Promise<Result> => runCli([...args, ...user], { password: f.password, ...o });

  beforeAll(async () => {
    f = await startSmbd({ name: 'cli-smb', port: SMBD_PORT, settings: { 'server signing': 'mandatory' } });
    base = `//${f.host}:${f.port}/${f.share}`;
    user = ['--user', `${f.domain}\\${f.username}`];
    work = mkdtempSync(join(tmpdir(), 'portcullis-cli-'));
    const listing = join(f.shareDir, 'listing');
    mkdirSync(join(listing, 'sub folder'), { recursive: true });
    for (let i = 0; i < 300; i++) writeFileSync(join(listing, `file-${String(i).padStart(3, '0')}.txt`), 'x'.repeat(i));
    writeFileSync(join(listing, 'ünïcødé 😀.txt'), 'unicode');
  });
  afterAll(async () => {
    await f?.stop();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('ls --json lists what smbclient lists, with types, sizes and ISO times', async () => {
    const r = await run(['ls', `${base}/listing`, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const entries = JSON.parse(r.stdout.toString()) as { name: string; type: string; size: number; mtime: string }[];
    expect(entries.map((e) => e.name).sort()).toEqual(await smbclientNames(f, 'listing'));
    expect(entries.find((e) => e.name === 'file-123.txt')).toMatchObject({ type: 'file', size: 123 });
    expect(entries.find((e) => e.name === 'sub folder')).toMatchObject({ type: 'dir', size: 0 });
    for (const e of entries) {
      expect(Object.keys(e).sort()).toEqual(['mtime', 'name', 'size', 'type']);
      expect(new Date(e.mtime).toISOString()).toBe(e.mtime);
    }
  });

  it('ls prints aligned columns, folders first', async () => {
    const r = await run(['ls', `${base}/listing`]);
    expect(r.code).toBe(0);
    const lines = r.stdout.toString().trimEnd().split('\n');
    expect(lines).toHaveLength(302);
    expect(lines[0]).toMatch(/^d--\s+-\s+\d{4}-\d\d-\d\d \d\d:\d\d {2}sub folder\/$/);
    // The time column starts at the same place on every line.
    const at = new Set(lines.map((l) => l.search(/\d{4}-\d\d-\d\d /)));
    expect(at.size).toBe(1);
    expect(lines).toContainEqual(expect.stringMatching(/ 123 {2}\S+ \S+ {2}file-123\.txt$/));
    expect(lines).toContainEqual(expect.stringMatching(/ {2}ünïcødé 😀\.txt$/));
  });

  it('stat, as text and as JSON', async () => {
    const j = await run(['stat', `${base}/listing/file-042.txt`, '--json']);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout.toString())).toMatchObject({ name: 'file-042.txt', type: 'file', size: 42 });
    const t = await run(['stat', `${base}\\listing\\sub folder`]);
    expect(t.code).toBe(0);
    expect(t.stdout.toString()).toMatch(/^type:\s+folder$/m);
  });

  it('put and get round-trip by sha256, from files and through stdin/stdout', async () => {
    const data = randomBytes(24 * 1024 * 1024 + 12345);
    const local = join(work, 'payload.bin');
    writeFileSync(local, data);
    expect((await run(['put', local, `${base}/payload.bin`])).code).toBe(0);

    // Without LOCALFILE: the base name, in the cwd.
    const cwd = mkdtempSync(join(work, 'cwd-'));
    const g = await run(['get', `${base}/payload.bin`], { cwd });
    expect(g.stderr).toBe('');
    expect(g.code).toBe(0);
    expect(readdirSync(cwd)).toEqual(['payload.bin']);
    expect(sha256(readFileSync(join(cwd, 'payload.bin')))).toBe(sha256(data));

    // stdin → share → stdout.
    const p = await run(['put', '-', `${base}/from-stdin.bin`], { input: data });
    expect(p.code).toBe(0);
    const s = await run(['get', `${base}/from-stdin.bin`, '-']);
    expect(s.code).toBe(0);
    expect(sha256(s.stdout)).toBe(sha256(data));

    // A folder as the destination receives the file under its own name, on both sides.
    const into = mkdtempSync(join(work, 'into-'));
    expect((await run(['get', `${base}/from-stdin.bin`, into])).code).toBe(0);
    expect(readdirSync(into)).toEqual(['from-stdin.bin']);

    // No temporary names left behind anywhere.
    expect(readdirSync(f.shareDir).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('put - from a redirected file and get - into one (stdin and stdout as plain files) round-trip by sha256', async () => {
    // `portcullis smb put - … < file` and `get … - > file`: the descriptors themselves, not pipes.
    const data = randomBytes(16 * 1024 * 1024 + 4321);
    const src = join(work, 'stdin-file.bin');
    const dst = join(work, 'stdout-file.bin');
    writeFileSync(src, data);
    const withFiles = async (args: string[], stdin: string, stdout: string): Promise<{ code: number | null; stderr: string }> => {
      const fds = [openSync(stdin, 'r'), openSync(stdout, 'w')] as const;
      try {
        const child = spawn(process.execPath, ['--import', TSX, CLI, 'smb', ...args, ...user], {
          env: { ...process.env, PORTCULLIS_PASSWORD: f.password },
          detached: true,
          stdio: [fds[0], fds[1], 'pipe'],
        });
        let stderr = '';
        child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
        const code = await new Promise<number | null>((resolve, reject) => {
          child.on('error', reject);
          child.on('close', resolve);
        });
        return { code, stderr };
      } finally {
        for (const fd of fds) closeSync(fd);
      }
    };
    const p = await withFiles(['put', '-', `${base}/from-file-stdin.bin`], src, '/dev/null');
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    expect(sha256(readFileSync(join(f.shareDir, 'from-file-stdin.bin')))).toBe(sha256(data));
    const g = await withFiles(['get', `${base}/from-file-stdin.bin`, '-'], '/dev/null', dst);
    expect(g.stderr).toBe('');
    expect(g.code).toBe(0);
    expect(sha256(readFileSync(dst))).toBe(sha256(data));
  });

  it('the built bin (dist/cli.js, its smb command bundled) puts and gets by sha256 too', async () => {
    // The other tests run the sources through tsx; this is what `npm run build` ships.
    const data = randomBytes(4 * 1024 * 1024 + 99);
    const local = join(work, 'built-bin.bin');
    writeFileSync(local, data);
    const bin = (args: string[]): Promise<Result> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'smb', ...args, ...user], {
          env: { ...process.env, PORTCULLIS_PASSWORD: f.password },
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const out: Buffer[] = [];
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => out.push(c));
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
      });
    const p = await bin(['put', local, `${base}/built-bin.bin`]);
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    const g = await bin(['get', `${base}/built-bin.bin`, '-']);
    expect(g.code).toBe(0);
    expect(sha256(g.stdout)).toBe(sha256(data));
    expect((await bin(['get', `${base}/no-such-file`, '-'])).code).toBe(2);
  });

  it('get into an existing FIFO (as into /dev/null) writes through it and leaves it a FIFO', async () => {
    // A temporary file renamed over the destination would replace the FIFO, or /dev/null itself, with a
    // plain file. A FIFO stands in for /dev/null so a regression cannot break the machine's /dev/null.
    const data = randomBytes(8 * 1024 * 1024 + 777);
    writeFileSync(join(f.shareDir, 'to-fifo.bin'), data);
    const dir = mkdtempSync(join(work, 'fifo-'));
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    // The reader is a child process, so it can be killed if the FIFO is never opened for writing.
    const reader = spawn('sh', ['-c', 'exec sha256sum < "$0"', fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
    let digest = '';
    reader.stdout.on('data', (d: Buffer) => (digest += d.toString()));
    const readerDone = new Promise<void>((resolve) => reader.on('close', () => resolve()));
    try {
      const g = await run(['get', `${base}/to-fifo.bin`, fifo]);
      expect(g.stderr).toBe('');
      expect(g.code).toBe(0);
      expect(lstatSync(fifo).isFIFO()).toBe(true);
      await readerDone;
      expect(digest.split(' ')[0]).toBe(sha256(data));
      expect(readdirSync(dir)).toEqual(['pipe']);
    } finally {
      reader.kill('SIGKILL');
    }
  });

  /** The CLI in a shell pipeline: real pipes, as `cmd | portcullis …` and `portcullis … | cmd` make them. */
  const inPipeline = (script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve, reject) => {
      const env: NodeJS.ProcessEnv = { ...process.env, PORTCULLIS_PASSWORD: f.password };
      const child = spawn('bash', ['-o', 'pipefail', '-c', script, 'bash', process.execPath, '--import', TSX, CLI, 'smb', ...args, ...user], {
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  it('get - into a shell pipe and put - from one round-trip by sha256 (stdout reopened as a pipe of its own)', async () => {
    // Node's own 'pipe' stdio is a socket pair; only a shell makes the FIFO that `get -` reopens.
    const data = randomBytes(24 * 1024 * 1024 + 12_345);
    writeFileSync(join(f.shareDir, 'to-pipe.bin'), data);
    const g = await inPipeline('"$@" | sha256sum', ['get', `${base}/to-pipe.bin`, '-']);
    expect(g.stderr).toBe('');
    expect(g.code).toBe(0);
    expect(g.stdout.split(' ')[0]).toBe(sha256(data));

    const src = join(work, 'pipe-source.bin');
    writeFileSync(src, data);
    const p = await inPipeline(`cat -- '${src}' | "$@"`, ['put', '-', `${base}/from-pipe.bin`]);
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    expect(sha256(readFileSync(join(f.shareDir, 'from-pipe.bin')))).toBe(sha256(data));
  });

  it('get - into a pipe whose reader has gone fails with an error, and never hangs', async () => {
    // `true` reads nothing and exits: the reopen finds no reader (or the writes meet EPIPE), as with any pipe.
    // Far more than a pipe holds, so the writes cannot all land before the reader goes.
    writeFileSync(join(f.shareDir, 'to-gone-reader.bin'), randomBytes(16 * 1024 * 1024));
    const g = await inPipeline('"$@" | true', ['get', `${base}/to-gone-reader.bin`, '-']);
    expect(g.code).not.toBe(0);
  });

  it('a Unicode/emoji name survives put, ls and get', async () => {
    const name = 'Résumé – ünïcødé 😀🎉 cafe\u0301.txt';
    const body = Buffer.from(`hello ${name}\n`);
    const p = await run(['put', '-', `${base}/${name}`], { input: body });
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    const ls = JSON.parse((await run(['ls', base, '--json'])).stdout.toString()) as { name: string }[];
    expect(ls.map((e) => e.name)).toContain(name);
    expect(await smbclientNames(f, '')).toContain(name);
    const g = await run(['get', `${base}/${name}`, '-']);
    expect(g.stdout.equals(body)).toBe(true);
    // PATH is literal: a percent sequence is a name, not an escape.
    expect((await run(['put', '-', `${base}/100%25 literal.txt`], { input: 'x' })).code).toBe(0);
    expect((await run(['stat', `${base}/100%25 literal.txt`])).code).toBe(0);
    expect((await run(['stat', `${base}/100% literal.txt`])).code).toBe(2);
  });

  it('mkdir, mv (into a folder, by relative name, by full path) and rm', async () => {
    expect((await run(['mkdir', `${base}/tree`])).code).toBe(0);
    expect((await run(['mkdir', '-p', `${base}/tree/a/b/c`])).code).toBe(0);
    expect((await run(['mkdir', `${base}/tree/x/y`])).code).toBe(2);
    expect((await run(['put', '-', `${base}/tree/one.txt`], { input: '1' })).code).toBe(0);

    expect((await run(['mv', `${base}/tree/one.txt`, `${base}/tree/a`])).code).toBe(0);
    expect((await run(['mv', `${base}/tree/a/one.txt`, 'two.txt'])).code).toBe(0);
    expect((await run(['mv', `${base}/tree/a/two.txt`, '/tree/a/b/three.txt'])).code).toBe(0);
    const ls = JSON.parse((await run(['ls', `${base}/tree/a/b`, '--json'])).stdout.toString()) as { name: string }[];
    expect(ls.map((e) => e.name).sort()).toEqual(['c', 'three.txt']);

    // Never replaces an existing file.
    expect((await run(['put', '-', `${base}/tree/four.txt`], { input: '4' })).code).toBe(0);
    const clash = await run(['mv', `${base}/tree/four.txt`, '/tree/a/b/three.txt']);
    expect(clash.code).toBe(1);
    expectOneLine(clash.stderr, /^portcullis smb: already exists: .*three\.txt/);

    const noR = await run(['rm', `${base}/tree`]);
    expect(noR.code).toBe(1);
    expectOneLine(noR.stderr, /is a folder \(use rm -r\)/);
    expect((await run(['rm', `${base}/tree/four.txt`])).code).toBe(0);
    expect((await run(['rm', '-r', `${base}/tree`])).code).toBe(0);
    expect((await run(['stat', `${base}/tree`])).code).toBe(2);
  });

  it('exit 2 for not found, with one line naming the item', async () => {
    const r = await run(['stat', `${base}/no/such.txt`]);
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, /^portcullis smb: not found: \\\\127\.0\.0\.1@4467\\data\\no\\such\.txt \(STATUS_OBJECT_PATH_NOT_FOUND\)$/);
    const g = await run(['get', `${base}/missing.bin`], { cwd: work });
    expect(g.code).toBe(2);
    expectOneLine(g.stderr, /^portcullis smb: not found: .*missing\.bin \(STATUS_OBJECT_NAME_NOT_FOUND\)$/);
    expect(readdirSync(work).filter((n) => n.includes('missing'))).toEqual([]);
    const share = await run(['ls', `//${f.host}:${f.port}/nosuchshare`]);
    expect(share.code).toBe(2);
    expectOneLine(share.stderr, /not found: no such share: .*nosuchshare \(STATUS_BAD_NETWORK_NAME\)/);
    const local = await run(['put', join(work, 'nope.bin'), `${base}/nope.bin`]);
    expect(local.code).toBe(2);
    expectOneLine(local.stderr, /not found: .*nope\.bin \(ENOENT\)/);
  });

  it('exit 3 for access denied (a read-only share)', async () => {
    const r = await run(['put', '-', `//${f.host}:${f.port}/${f.readonlyShare}/new.txt`], { input: 'x' });
    expect(r.code).toBe(3);
    expectOneLine(r.stderr, /^portcullis smb: access denied: .*readonly\\new\.txt \(STATUS_ACCESS_DENIED\)$/);
    expect(readdirSync(f.readonlyDir)).toEqual(['readme.txt']);
  });

  it('exit 4 for a wrong password', async () => {
    const r = await runCli(['ls', base, ...user], { password: 'not-the-password' });
    expect(r.code).toBe(4);
    expectOneLine(r.stderr, /^portcullis smb: logon failure: WORKGROUP\\pcsmbtest \(STATUS_LOGON_FAILURE\)$/);
  });

  it('exit 5 when nothing listens, and for a name that does not resolve', async () => {
    const r = await run(['ls', `//127.0.0.1:${DEAD_PORT}/data`]);
    expect(r.code).toBe(5);
    expectOneLine(r.stderr, /^portcullis smb: cannot connect: 127\.0\.0\.1:4460 \(ECONNREFUSED\)$/);
    const dns = await run(['ls', '//no-such-host.invalid/data']);
    expect(dns.code).toBe(5);
    expectOneLine(dns.stderr, /cannot connect: no-such-host\.invalid:445 \((ENOTFOUND|EAI_AGAIN)\)/);
  });

  it('never takes the password from argv, and without env or terminal fails with exit 1', async () => {
    for (const args of [['--password', f.password], [`--password=${f.password}`], ['-P', f.password]]) {
      const r = await runCli(['ls', base, ...user, ...args], { password: null });
      expect(r.code).toBe(1);
      expectOneLine(r.stderr, /password is never taken from the command line/);
    }
    const smbclientStyle = await runCli(['ls', base, '--user', `${f.username}%${f.password}`], { password: null });
    expect(smbclientStyle.code).toBe(1);
    expectOneLine(smbclientStyle.stderr, /never taken from the command line/);
    // Even with the right password in the environment, the argv form is refused rather than ignored.
    expect((await run(['ls', base, '--password', f.password])).code).toBe(1);
    const none = await runCli(['ls', base, ...user], { password: null });
    expect(none.code).toBe(1);
    expectOneLine(none.stderr, /no password: set PORTCULLIS_PASSWORD or run on a terminal/);
  });

  it('-v prints the dialect, signing algorithm and cipher; --encrypt turns encryption on', async () => {
    const v = await run(['ls', base, '-v']);
    expect(v.code).toBe(0);
    expectOneLine(v.stderr, /dialect 3\.1\.1, signing AES-(GMAC|CMAC), cipher none$/);
    const e = await run(['stat', `${base}/listing`, '-v', '--encrypt']);
    expect(e.code).toBe(0);
    expectOneLine(e.stderr, /dialect 3\.1\.1, signing \S+, cipher AES-(128|256)-(GCM|CCM)$/);
  });

  it('a put interrupted with Ctrl-C exits 130 and leaves nothing under the final name, nor a temporary', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORTCULLIS_PASSWORD: f.password };
    const child = spawn(process.execPath, ['--import', TSX, CLI, 'smb', 'put', '-', `${base}/interrupted.bin`, ...user], { env, detached: true, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.on('error', () => undefined);
    const closed = new Promise<number | null>((r) => child.on('close', r));
    const sent = 8 << 20;
    child.stdin.write(randomBytes(sent));
    // Wait until every byte sent is in the temporary file on the server, so the CLI sits waiting on a stdin
    // that stays open: Ctrl-C must end that wait too (it once hung there until stdin closed).
    const written = (): number => {
      const tmp = readdirSync(f.shareDir).find((n) => n.startsWith('.interrupted.bin.portcullis-'));
      return tmp === undefined ? -1 : statSync(join(f.shareDir, tmp)).size;
    };
    const deadline = Date.now() + 45_000;
    while (written() < sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(written()).toBe(sent);
    child.kill('SIGINT');
    expect(await closed).toBe(130);
    expectOneLine(stderr, /^portcullis smb: interrupted$/);
    expect(readdirSync(f.shareDir).filter((n) => n.includes('interrupted'))).toEqual([]);
  }, 120_000);

  it('usage mistakes exit 1 with one line', async () => {
    for (const args of [['frobnicate', base], ['ls'], ['ls', 'not-a-unc'], ['get', base], ['ls', base, '--bogus'], ['mv', `${base}/a`, `//other/data/b`]]) {
      const r = await runCli([...args, ...user], { password: f.password });
      expect(r.code, args.join(' ')).toBe(1);
      expectOneLine(r.stderr, /^portcullis smb: .*\(see: portcullis smb --help\)$/);
    }
    const help = await runCli(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout.toString()).toContain('portcullis smb ls');
  });
});

describe('portcullis smb and servers that would lower the protection', () => {
  let guest: SmbdFixture;
  let legacy: SmbdFixture;
  let proxy: SmbProxy;

  beforeAll(async () => {
    guest = await startSmbd({ name: 'cli-smb-guest', port: 4624, settings: { 'map to guest': 'Bad Password', 'guest ok': 'yes' } });
    legacy = await startSmbd({ name: 'cli-smb-legacy', port: 4625, settings: { 'server max protocol': 'SMB2_10', 'server signing': 'auto' } });
    proxy = await startSmbProxy({ port: 4626, target: { host: legacy.host, port: legacy.port }, rewrite: legacyUnsignedServer });
  });
  afterAll(async () => {
    await proxy?.close();
    await guest?.stop();
    await legacy?.stop();
  });

  it('a wrong password on a server that maps bad passwords to guest: a refused guest session (exit 3), no listing', async () => {
    const user = ['--user', `${guest.domain}\\${guest.username}`];
    for (const share of [guest.share, guest.readonlyShare]) {
      const r = await runCli(['ls', `//${guest.host}:${guest.port}/${share}`, ...user], { password: 'wrong-password' });
      expect(r.code, share).toBe(3);
      expect(r.stdout.toString()).toBe('');
      expectOneLine(r.stderr, /^portcullis smb: logon failure: the server offered only a guest session \(wrong password\?\), refused: WORKGROUP\\pcsmbtest \(STATUS_LOGON_FAILURE\)$/);
    }
    expect((await runCli(['ls', `//${guest.host}:${guest.port}/${guest.readonlyShare}`, ...user], { password: guest.password })).code).toBe(0);
  });

  it('a legacy SMB 2.1 server that will not sign is refused, unless SMB_ALLOW_UNSIGNED_HOSTS names it', async () => {
    const target = `//127.0.0.1:${proxy.port}/${legacy.readonlyShare}`;
    const user = ['--user', `${legacy.domain}\\${legacy.username}`, '-v'];
    const refused = await runCli(['ls', target, ...user], { password: legacy.password, env: { SMB_ALLOW_UNSIGNED_HOSTS: 'other-host' } });
    expect(refused.code).toBe(1);
    expectOneLine(refused.stderr, /^portcullis smb: refused: 127\.0\.0\.1:4626 will not sign its SMB 2\.x session; .*SMB_ALLOW_UNSIGNED_HOSTS.*\(STATUS_INVALID_SIGNATURE\)$/);
    const allowed = await runCli(['ls', target, ...user], { password: legacy.password, env: { SMB_ALLOW_UNSIGNED_HOSTS: '127.0.0.1' } });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout.toString()).toContain('readme.txt');
    expectOneLine(allowed.stderr, /dialect 2\.1, signing none, cipher none$/);
    // Straight to the server, which signs: signed even though the name is allowed.
    const direct = await runCli(['ls', `//127.0.0.1:${legacy.port}/${legacy.readonlyShare}`, ...user], { password: legacy.password, env: { SMB_ALLOW_UNSIGNED_HOSTS: '127.0.0.1' } });
    expectOneLine(direct.stderr, /dialect 2\.1, signing HMAC-SHA256, cipher none$/);
  });

  it('a bad SMB_ALLOW_UNSIGNED_HOSTS is a one-line error naming the setting', async () => {
    const r = await runCli(['ls', `//${guest.host}:${guest.port}/${guest.share}`, '--user', 'x'], { password: 'x', env: { SMB_ALLOW_UNSIGNED_HOSTS: 'nas1:445' } });
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, /^portcullis smb: SMB_ALLOW_UNSIGNED_HOSTS: expected .*got "nas1:445"$/);
  });
});

describe('portcullis smb against the AD DC (mandatory signing, domain users)', () => {
  let d: DomainInfo;
  let work: string;
  beforeAll(() => {
    d = requireDomain();
    work = mkdtempSync(join(tmpdir(), 'portcullis-cli-dc-'));
  });
  afterAll(() => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it("alice, as DOMAIN\\name and as name@realm, works in her home folder", async () => {
    const home = `//${d.ip}/${d.shares.users}/alice`;
    const data = randomBytes(3 * 1024 * 1024 + 7);
    const put = await runCli(['put', '-', `${home}/cli-roundtrip.bin`, '--user', `${d.netbiosDomain}\\alice`, '-v'], { password: d.password, input: data });
    expect(put.code, put.stderr).toBe(0);
    expect(put.stderr).toMatch(/dialect 3\.1\.1, signing AES-/);
    const get = await runCli(['get', `${home}/cli-roundtrip.bin`, '-', '--user', `alice@${d.realm}`], { password: d.password });
    expect(get.code, get.stderr).toBe(0);
    expect(sha256(get.stdout)).toBe(sha256(data));
    const ls = await runCli(['ls', home, '--json', '--user', `${d.netbiosDomain}\\alice`], { password: d.password });
    expect((JSON.parse(ls.stdout.toString()) as { name: string }[]).map((e) => e.name)).toContain('cli-roundtrip.bin');
    expect((await runCli(['rm', `${home}/cli-roundtrip.bin`, '--user', `${d.netbiosDomain}\\alice`], { password: d.password })).code).toBe(0);
  });

  it('bob is refused in alice\'s home and in the staff share: exit 3', async () => {
    const bob = ['--user', `${d.netbiosDomain}\\bob`];
    const home = await runCli(['ls', `//${d.ip}/${d.shares.users}/alice`, ...bob], { password: d.password });
    expect(home.code).toBe(3);
    expectOneLine(home.stderr, /^portcullis smb: access denied: .*\\users\\alice \(STATUS_ACCESS_DENIED\)$/);
    const shared = await runCli(['put', '-', `//${d.ip}/${d.shares.shared}/bob.txt`, ...bob], { password: d.password, input: 'x' });
    expect(shared.code).toBe(3);
  });

  it('a wrong domain password: exit 4', async () => {
    const r = await runCli(['ls', `//${d.ip}/${d.shares.users}/alice`, '--user', `${d.netbiosDomain}\\carol`], { password: 'wrong-Password-9' });
    expect(r.code).toBe(4);
    expectOneLine(r.stderr, /^portcullis smb: logon failure: EXAMPLE\\carol \(STATUS_LOGON_FAILURE\)$/);
  });
});
