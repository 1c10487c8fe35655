// Shared by the Kerberos integration tests: the CLI run as a user runs it, and a port where no KDC answers.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CLI = join(ROOT, 'src', 'cli.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * `portcullis smb ARGS` in a child process with the password in PORTCULLIS_PASSWORD. Where the KDCs come from is the
 * test's to say: LDAP_URLS, KRB_KDCS, KRB_REALM and KRB_DNS_SERVERS are passed only when `env` names them.
 */
export function runSmbCli(args: string[], password: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORTCULLIS_PASSWORD: password, ...env };
  for (const name of ['LDAP_URLS', 'KRB_KDCS', 'KRB_REALM', 'KRB_DNS_SERVERS']) if (!(name in env)) delete childEnv[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, CLI, 'smb', ...args], { cwd: ROOT, env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
  });
}

/** A TCP port on `ip` that was free a moment ago: a KDC address where nothing answers (connection refused). */
export async function deadPort(ip: string): Promise<number> {
  const probe = createServer();
  probe.listen(0, ip);
  await new Promise((r) => probe.once('listening', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
