// `portcullis smb ls --kerberos` as a user runs it: a child process against the AD DC, signing in with Kerberos.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requireDomain } from '../../fixtures/require-domain.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CLI = join(ROOT, 'src', 'cli.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

function runCli(args: string[], password: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORTCULLIS_PASSWORD: password };
  delete env.LDAP_URLS;
  delete env.KRB_KDCS;
  delete env.KRB_REALM;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, CLI, 'smb', ...args], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
  });
}

describe('portcullis smb --kerberos against the AD DC', () => {
  const domain = requireDomain();
  const target = `//${domain.ip}/${domain.shares.users}/alice`;
  // The DC is addressed by IP, so its name for the ticket is given; the KDC defaults to that host.
  const args = (user: string): string[] => ['--kerberos', '--user', user, '--server-name', domain.fileServerName, '--json', '-v'];

  it('lists alice\'s home over a Kerberos session, and says so with -v', async () => {
    const r = await runCli(['ls', target, ...args(`alice@${domain.realm.toLowerCase()}`)], domain.password);
    expect(r.stderr).toMatch(/\(Kerberos\): dialect 3\.1\.1, signing AES-/);
    expect(r.code).toBe(0);
    const names = (JSON.parse(r.stdout) as { name: string }[]).map((e) => e.name);
    expect(names.length).toBeGreaterThan(0);
  });

  it('a wrong password is a Kerberos logon failure (exit 4), one line, no stack', async () => {
    const r = await runCli(['ls', target, ...args(`bob@${domain.realm}`)], 'wrong-password');
    expect(r.code).toBe(4);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^portcullis smb: Kerberos logon failure: .*pre-authentication failed/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
