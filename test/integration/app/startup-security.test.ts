// Start-up checks of issue 10, items 5 and 7, on the real server process (`node --import tsx src/server.ts`):
// production on plain HTTP without a trusted proxy is logged as a warning; plain ldap:// without StartTLS is refused.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess, tempDataDir } from '../../helpers/web-app.js';

const root = path.resolve(import.meta.dirname, '../../..');
const dataDir = tempDataDir('portcullis-startup-');
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Production without sign-in settings: the server starts and serves the status page. Ports from this test's range. */
const production = (port: number, extra: Record<string, string> = {}): Record<string, string> => ({
  NODE_ENV: 'production',
  SESSION_SECRET: 's'.repeat(40),
  HOST: '127.0.0.1',
  PORT: String(port),
  DATA_DIR: dataDir,
  ...extra,
});

/** Warning lines the server logged (JSON, one object per line). */
function warnings(output: string): string[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: string; message: string })
    .filter((e) => e.level === 'warn')
    .map((e) => e.message);
}

const PLAIN_HTTP_WARNING = /^NODE_ENV=production serves plain HTTP with no trusted proxy \(TRUST_PROXY is not set\)/;

describe('start-up in production', () => {
  it('warns when it serves plain HTTP with no trusted proxy', async () => {
    const server = await startServerProcess(production(4610));
    try {
      expect(warnings(server.output())).toContainEqual(expect.stringMatching(PLAIN_HTTP_WARNING));
      expect(server.output()).toContain('the Secure session cookie is never set over plain HTTP');
    } finally {
      await server.stop();
    }
  });

  it('does not warn behind a trusted proxy named by hop count', async () => {
    const server = await startServerProcess(production(4611, { TRUST_PROXY: '1' }));
    try {
      expect(warnings(server.output()).filter((w) => PLAIN_HTTP_WARNING.test(w))).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('warns that TRUST_PROXY=true lets any client pick its X-Forwarded-For', async () => {
    const server = await startServerProcess(production(4612, { TRUST_PROXY: 'true' }));
    try {
      expect(warnings(server.output())).toContainEqual(expect.stringContaining('TRUST_PROXY=true believes X-Forwarded-For'));
    } finally {
      await server.stop();
    }
  });

  it('refuses plain ldap:// without StartTLS, in one line naming the setting that allows it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, ...production(4613, { LDAP_URLS: 'ldap://dc1.example.test' }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A server that does not refuse would run until killed: give it 20 s.
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(killer);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      'Configuration error: LDAP_URLS: ldap://dc1.example.test would send passwords in clear text; use ldaps://, or set LDAP_STARTTLS=true, or set LDAP_ALLOW_PLAINTEXT=true to accept that (NODE_ENV=production)',
    ]);
  });

  it('starts with plain ldap:// when LDAP_ALLOW_PLAINTEXT=true, and says passwords cross in clear', async () => {
    const server = await startServerProcess(production(4614, { TRUST_PROXY: '1', LDAP_URLS: 'ldap://dc1.example.test', LDAP_ALLOW_PLAINTEXT: 'true' }));
    try {
      expect(warnings(server.output())).toContainEqual(expect.stringContaining('LDAP_URLS ldap://dc1.example.test without LDAP_STARTTLS'));
    } finally {
      await server.stop();
    }
  });
});
