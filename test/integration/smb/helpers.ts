import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SmbClient, type SmbClientOptions } from '../../../src/smb/index.js';
import type { SmbdFixture } from '../../fixtures/smbd.js';

const execFileAsync = promisify(execFile);

export function clientOptions(f: SmbdFixture, extra: Partial<SmbClientOptions> = {}): SmbClientOptions {
  return {
    host: f.host,
    port: f.port,
    share: f.share,
    credential: { username: f.username, domain: f.domain, password: f.password },
    timeoutMs: 10_000,
    ...extra,
  };
}

export function connect(f: SmbdFixture, extra: Partial<SmbClientOptions> = {}): Promise<SmbClient> {
  return SmbClient.connect(clientOptions(f, extra));
}

/** Streams `mib` MiB of random data into `ws`; resolves with the sha256 of what was written. */
export async function writeRandom(ws: Writable, mib: number): Promise<string> {
  const hash = createHash('sha256');
  const block = randomBytes(1 << 20);
  async function* gen(): AsyncGenerator<Buffer> {
    for (let i = 0; i < mib; i++) {
      // Vary each MiB cheaply so misplaced chunks change the hash.
      const chunk = Buffer.from(block);
      chunk.writeUInt32LE(i, 0);
      chunk.writeUInt32LE(i, chunk.length - 4);
      hash.update(chunk);
      yield chunk;
    }
  }
  await pipeline(Readable.from(gen()), ws);
  return hash.digest('hex');
}

export async function sha256Of(rs: Readable): Promise<{ hash: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const c of rs) {
    hash.update(c as Buffer);
    bytes += (c as Buffer).length;
  }
  return { hash: hash.digest('hex'), bytes };
}

/** Names in a directory as smbclient lists them (without "." and ".."). */
export async function smbclientNames(f: SmbdFixture, dir: string, extraArgs: string[] = []): Promise<string[]> {
  const { stdout } = await execFileAsync(
    'smbclient',
    [`//${f.host}/${f.share}`, '-p', String(f.port), '-U', `${f.username}%${f.password}`, ...extraArgs, '-c', `cd "${dir}"; ls`],
    { maxBuffer: 64 << 20 },
  );
  const names: string[] = [];
  for (const line of stdout.split('\n')) {
    // "  name                               A     1234  Sun Nov 29 16:21:53 2026"
    const m = /^ {2}(.+?)\s+[A-Z]*\s+\d+\s+\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/.exec(line);
    if (m?.[1] !== undefined && m[1] !== '.' && m[1] !== '..') names.push(m[1]);
  }
  return names.sort();
}
