// Pieces every benchmark uses: running a command with its wall time, medians, random files, smbclient's rate.
import { spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';

export const MiB = 1024 * 1024;

export interface Proc {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

export function exec(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, wallMs: performance.now() - t0 }));
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Random bytes: no compression anywhere on the path can flatter a result. */
export function writeRandomFile(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  const block = Buffer.allocUnsafe(8 * MiB);
  try {
    for (let done = 0; done < bytes; done += block.length) {
      randomFillSync(block);
      writeSync(fd, block, 0, Math.min(block.length, bytes - done));
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * smbclient's own transfer rate in MiB/s, which excludes its start-up and login: get prints
 * "(N KiloBytes/sec)", put "(N kb/s)", both computed as bytes / (1.024 × ms), i.e. KiB/s.
 */
export function smbclientRate(p: Proc): number {
  const m = /\(([\d.]+) (?:KiloBytes\/sec|kb\/s)\)/.exec(p.stdout + p.stderr);
  if (m === null) throw new Error(`no rate in smbclient output: ${(p.stdout + p.stderr).trim()}`);
  return Number(m[1]) / 1024;
}

export function verdict(ok: boolean): string {
  return ok ? 'PASS' : 'MISS';
}
