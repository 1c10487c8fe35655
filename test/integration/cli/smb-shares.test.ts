// `portcullis smb shares //HOST[:PORT]` as a user runs it (a child process), against the AD DC, compared with
// what Samba's own `smbclient -L` lists for the same user.
import { execFile, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDomain } from '../../fixtures/require-domain.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CLI = join(ROOT, 'src', 'cli.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
/** Ours (5300-5399); a listener that closes every connection at once: not an SMB server. */
const NOT_SMB_PORT = 5310;

function runCli(args: string[], password: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORTCULLIS_PASSWORD: password };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, CLI, 'smb', ...args], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Share {
  name: string;
  type: string;
  comment: string;
}

/** `smbclient -L -g`: "Disk|name|comment" lines. */
async function smbclientShares(host: string, user: string, password: string): Promise<Share[]> {
  const { stdout } = await promisify(execFile)('smbclient', ['-L', `//${host}`, '-U', `${user}%${password}`, '-m', 'SMB3', '-g']);
  return stdout
    .split('\n')
    .map((l) => l.split('|'))
    .filter((p) => p.length >= 3 && ['Disk', 'IPC', 'Printer'].includes(p[0] ?? ''))
    .map(([type = '', name = '', ...comment]) => ({ name, type: type.toLowerCase(), comment: comment.join('|') }));
}

describe('portcullis smb shares', () => {
  const d = requireDomain();
  const user = ['--user', `${d.netbiosDomain}\\alice`];
  let expected: Share[];
  let notSmb: Server;

  beforeAll(async () => {
    expected = await smbclientShares(d.ip, `${d.netbiosDomain}\\alice`, d.password);
    notSmb = createServer((s) => s.destroy());
    await new Promise<void>((resolve) => notSmb.listen(NOT_SMB_PORT, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => notSmb?.close(resolve));
  });

  it('prints one share per line (name, type, comment) as smbclient -L lists them, $ shares only with --all', async () => {
    const r = await runCli(['shares', `//${d.ip}`, ...user], d.password);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.trimEnd().split('\n').map((l) => l.split(/\s{2,}/u));
    const visible = expected.filter((s) => !s.name.endsWith('$'));
    expect(rows.map(([name]) => name).sort()).toEqual(visible.map((s) => s.name).sort());
    expect(rows.every(([, type]) => type === 'disk')).toBe(true);
    expect(r.stdout).not.toContain('IPC$');

    const all = await runCli(['shares', `//${d.ip}:445/`, '--all', '--json', ...user], d.password);
    expect(all.code, all.stderr).toBe(0);
    const byName = (a: Share, b: Share) => a.name.localeCompare(b.name);
    expect((JSON.parse(all.stdout) as Share[]).sort(byName)).toEqual([...expected].sort(byName));
  });

  it('exit codes as for ls: 4 for a wrong password, 5 for a port that is not SMB, 1 for a share in the target', async () => {
    const wrong = await runCli(['shares', `//${d.ip}`, ...user], 'wrong-Password-9');
    expect(wrong.code).toBe(4);
    const dead = await runCli(['shares', `//127.0.0.1:${NOT_SMB_PORT}`, ...user], d.password);
    expect(dead.code, dead.stderr).toBe(5);
    const usage = await runCli(['shares', `//${d.ip}/users`, ...user], d.password);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toMatch(/names a share/);
  });
});
