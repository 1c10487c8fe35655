// What `portcullis` loads to start: the built bin (dist/cli.js, as installed) in a child process, with a
// module hook recording every module it loads. Help and `smb` must not pay for the web server.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileCacheDir } from '../../../src/cli/compile-cache.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const BIN = join(ROOT, 'dist', 'cli.js');
const TRACE = join(ROOT, 'test', 'fixtures', 'module-trace.mjs');
const work = mkdtempSync(join(tmpdir(), 'portcullis-cli-startup-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Heavy or web-only modules: none may load for help or for `smb`. */
const FORBIDDEN = [
  /\/node_modules\/(express|express-session|ejs|winston|sharp|ldapts|passport|redis|better-sqlite3|nodemailer|prom-client|zod|yaml)\//,
  /\/dist\/(server|app|services|log)\.js$/,
  /\/dist\/(web|auth|sessions|mail|thumbnails|drives|config)\//,
];

let runs = 0;
async function traced(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string; modules: string[] }> {
  const out = join(work, `trace-${++runs}.txt`);
  const child = spawn(process.execPath, ['--import', TRACE, BIN, ...args], {
    env: { ...process.env, NODE_COMPILE_CACHE: '', XDG_CACHE_HOME: join(work, 'cache'), ...env, MODULE_TRACE_OUT: out },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  return { code, stdout, stderr, modules: readFileSync(out, 'utf8').split('\n').filter((l) => l !== '') };
}

const offenders = (modules: string[]): string[] => modules.filter((m) => FORBIDDEN.some((re) => re.test(m)));

/** A port nothing listens on: bound by us, then released. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('portcullis start-up', () => {
  it('--help lists the commands without loading any of them', async () => {
    const r = await traced(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}serve +start the web server/m);
    expect(r.stdout).toMatch(/^ {2}smb +talk to an SMB server/m);
    expect(r.modules.some((m) => m.endsWith('/dist/cli/main.js'))).toBe(true); // the hook does see our modules
    expect(r.modules.filter((m) => m.includes('/dist/cli/') && !/\/(main|commands|compile-cache)\.js$/.test(m))).toEqual([]);
    expect(offenders(r.modules)).toEqual([]);
  });

  it('smb --help and smb get (up to a refused connection) load the bundled SMB command, not the web server', async () => {
    const help = await traced(['smb', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('portcullis smb get');
    expect(offenders(help.modules)).toEqual([]);

    const port = await deadPort();
    const get = await traced(['smb', 'get', `//127.0.0.1:${port}/data/file.bin`, join(work, 'file.bin'), '--user', 'WORKGROUP\\nobody'], { PORTCULLIS_PASSWORD: 'x' });
    expect(get.code).toBe(5); // cannot connect
    // `smb` is one bundled module (the SMB client inside): nothing else of ours, and no npm package.
    const ours = get.modules.filter((m) => m.includes('/dist/')).map((m) => m.replace(/.*\/dist\//, ''));
    expect(ours.sort()).toEqual(['cli.js', 'cli/commands.js', 'cli/compile-cache.js', 'cli/main.js', 'cli/smb.js']);
    expect(get.modules.filter((m) => m.includes('/node_modules/'))).toEqual([]);
    expect(offenders(get.modules)).toEqual([]);
  });

  it('serve, by contrast, does load the web server (so the check above can fail)', async () => {
    // Only its imports are of interest: an impossible PORT makes the configuration fail fast.
    const r = await traced(['serve'], { PORT: 'not-a-port' });
    expect(r.stderr).toMatch(/PORT/);
    expect(r.code).toBe(1);
    expect(r.modules.some((m) => m.includes('/node_modules/express/'))).toBe(true);
  });

  it('keeps a compile cache in XDG_CACHE_HOME, and runs normally when that cannot be written', async () => {
    const cache = join(work, 'xdg');
    const r = await traced(['--help'], { XDG_CACHE_HOME: cache });
    expect(r.code).toBe(0);
    expect(readdirSync(join(cache, 'portcullis', 'compile-cache')).length).toBeGreaterThan(0);

    // A plain file where the folder should be: mkdir fails even as root.
    const blocker = join(work, 'not-a-folder');
    writeFileSync(blocker, '');
    const blocked = await traced(['--help'], { XDG_CACHE_HOME: blocker });
    expect(blocked.code).toBe(0);
    expect(blocked.stdout).toContain('Usage: portcullis');
    expect(blocked.stderr).toBe('');
  });

  it('chooses the cache folder per user, and leaves it to Node when NODE_COMPILE_CACHE says', () => {
    expect(compileCacheDir({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/a' })).toBe('/x/cache/portcullis/compile-cache');
    expect(compileCacheDir({ XDG_CACHE_HOME: 'relative', HOME: '/home/a' })).toMatch(/\/\.cache\/portcullis\/compile-cache$/);
    expect(compileCacheDir({ NODE_COMPILE_CACHE: '/elsewhere' })).toBeUndefined();
    expect(compileCacheDir({ NODE_DISABLE_COMPILE_CACHE: '1', XDG_CACHE_HOME: '/x' })).toBeUndefined();
  });
});
