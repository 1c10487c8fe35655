import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');

async function freePort(): Promise<number> {
  const probe = net.createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
}

function runServer(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return { child, out: () => stdout, err: () => stderr };
}

describe('src/server.ts', () => {
  it('exits 1 with one line naming PORT when PORT is invalid', async () => {
    const run = runServer({ PORT: 'abc' });
    const [code] = (await once(run.child, 'exit')) as [number];
    expect(code).toBe(1);
    const lines = run.err().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('PORT: expected an integer 1–65535, got "abc"');
    expect(run.out()).toBe('');
  });

  it('serves /healthz and stops cleanly on SIGTERM', async () => {
    const run = runServer({ PORT: String(await freePort()), HOST: '127.0.0.1', LOG_FORMAT: 'json' });
    try {
      const port = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line:\n${run.out()}${run.err()}`)), 20_000);
        run.child.stdout.on('data', () => {
          const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(run.out());
          if (m?.[1]) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
      });
      expect(run.out()).toContain('SESSION_SECRET is not set');
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(await res.json()).toEqual({ status: 'ok' });
    } finally {
      run.child.kill('SIGTERM');
    }
    const [code] = (await once(run.child, 'exit')) as [number];
    expect(code).toBe(0);
    expect(run.out()).toContain('stopped');
  });
});
