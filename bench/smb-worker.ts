// One measured operation with our SMB client, in a process of its own so its peak RSS is ours alone.
// Bundled by bench/smb.ts with esbuild and run with plain node (no tsx in the measured process).
// argv: MODE HOST PORT SHARE USER DOMAIN REMOTE [LOCAL]; the password comes in BENCH_SMB_PASSWORD.
import { closeSync, createReadStream, openSync, statSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SmbClient } from '../src/smb/index.js';

export interface WorkerResult {
  mode: string;
  /** Transfer (or readdir) time, from open to close, without connect and login. */
  ms: number;
  /** Bytes moved, or entries listed. */
  amount: number;
  /** process.resourceUsage().maxRSS, in KiB. */
  maxRssKiB: number;
  dialect: string;
  signing: string;
  cipher: string;
}

const [mode, host, port, share, username, domain, remote, local] = process.argv.slice(2);
if (mode === undefined || host === undefined || port === undefined || share === undefined || username === undefined || domain === undefined || remote === undefined) {
  throw new Error('usage: smb-worker MODE HOST PORT SHARE USER DOMAIN REMOTE [LOCAL]');
}
const client = await SmbClient.connect({
  host,
  port: Number(port),
  share,
  credential: { username, domain, password: process.env.BENCH_SMB_PASSWORD ?? '' },
});
// Knobs for experiments (defaults: the client's own): request size in bytes and requests in flight.
const tuning = {
  ...(process.env.BENCH_SMB_CHUNK === undefined ? {} : { chunkSize: Number(process.env.BENCH_SMB_CHUNK) }),
  ...(process.env.BENCH_SMB_WINDOW === undefined ? {} : { window: Number(process.env.BENCH_SMB_WINDOW) }),
};
const smbShare = client.share(share);
let amount = 0;
const t0 = performance.now();
if (mode === 'read') {
  const sink = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, cb) {
      amount += chunk.length;
      cb();
    },
  });
  // pipeTo recycles its receive buffers: memory stays flat whatever the size (the way downloads use it).
  await smbShare.pipeTo(remote, sink, tuning);
} else if (mode === 'write') {
  if (local === undefined) throw new Error('write needs LOCAL');
  amount = statSync(local).size;
  // The way `portcullis smb put` uploads a local file: pipeFrom reads it into recycled buffers that go out
  // as WRITE payloads without a copy (BENCH_SMB_STREAM=1: the createWriteStream path, as web uploads use).
  if (process.env.BENCH_SMB_STREAM === '1') {
    await pipeline(createReadStream(local, { highWaterMark: 1 << 20 }), smbShare.createWriteStream(remote, tuning));
  } else {
    const fd = openSync(local, 'r');
    try {
      await smbShare.pipeFrom(remote, { fd }, tuning);
    } finally {
      closeSync(fd);
    }
  }
} else if (mode === 'list') {
  amount = (await client.readdir(remote)).length;
} else {
  throw new Error(`unknown mode ${mode}`);
}
const ms = performance.now() - t0;
const result: WorkerResult = {
  mode,
  ms,
  amount,
  maxRssKiB: process.resourceUsage().maxRSS,
  dialect: client.dialect,
  signing: client.signingAlgorithm ?? 'none',
  cipher: client.cipher ?? 'none',
};
await client.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
