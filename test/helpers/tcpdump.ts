// Captures loopback traffic with tcpdump into a pcap file for a test to inspect (see pcap.ts).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';

export interface Capture {
  file: string;
  /**
   * Stops tcpdump (SIGINT, so it flushes the file) and returns the pcap bytes. With `until`, first waits
   * for the file to hold what the test needs (e.g. the last response): packets still queued in the kernel
   * when tcpdump stops are lost, so stopping at once could cut the end of the conversation.
   */
  stop(opts?: { until?: (pcap: Buffer) => boolean; timeoutMs?: number }): Promise<Buffer>;
}

/**
 * Starts `tcpdump -i lo -w file <filter>` and resolves once it reports "listening on", i.e. once packets
 * are being captured. Runs as root without dropping privileges, so it can write where the test asks.
 */
export async function startCapture(file: string, filter: string, readyTimeoutMs = 30_000): Promise<Capture> {
  const child = spawn('tcpdump', ['-i', 'lo', '-n', '-s', '0', '--immediate-mode', '-U', '-Z', 'root', '-w', file, filter], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = once(child, 'exit');
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tcpdump did not start listening within ${readyTimeoutMs} ms: ${stderr}`));
    }, readyTimeoutMs);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tcpdump exited (${code}) before listening: ${stderr}`));
    });
  });
  return {
    file,
    stop: async (opts = {}) => {
      if (opts.until !== undefined) await waitForFile(file, opts.until, opts.timeoutMs ?? 30_000);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      const [code] = (await exited) as [number | null];
      if (code !== 0) throw new Error(`tcpdump exited ${code}: ${stderr}`);
      return readFileSync(file);
    },
  };
}

async function waitForFile(file: string, done: (pcap: Buffer) => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let ok = false;
    try {
      ok = done(readFileSync(file));
    } catch {
      // Not written yet, or cut in the middle of a record: look again.
    }
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`the capture ${file} did not show what was expected within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
