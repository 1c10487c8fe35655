// Child process for pipe-from.test.ts: uploads a local file through SmbShare.pipeFrom({ fd }), through
// pipeFrom(a Readable) as an HTTP upload does, or (to show what the bound guards against) the old fs read
// stream into createWriteStream, and prints peak RSS growth over the connected baseline.
// argv: JSON { port, user, pass, src, file, mode: 'fd' | 'readable' | 'stream' }
import { closeSync, createReadStream, openSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { SmbClient } from '../../../src/smb/index.js';

const cfg = JSON.parse(process.argv[2] ?? '{}') as { port: number; user: string; pass: string; src: string; file: string; mode: 'fd' | 'readable' | 'stream' };
const client = await SmbClient.connect({
  host: '127.0.0.1', port: cfg.port, share: 'data', timeoutMs: 30_000,
  credential: { username: cfg.user, domain: 'WORKGROUP', password: cfg.pass },
});
const share = client.share('data');
const base = process.memoryUsage().rss;
let peak = base;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
let bytes = 0;
if (cfg.mode === 'fd') {
  const fd = openSync(cfg.src, 'r');
  try {
    bytes = (await share.pipeFrom(cfg.file, { fd })).bytes;
  } finally {
    closeSync(fd);
  }
} else if (cfg.mode === 'readable') {
  bytes = (await share.pipeFrom(cfg.file, createReadStream(cfg.src))).bytes;
} else {
  await pipeline(createReadStream(cfg.src, { highWaterMark: 1 << 20 }), share.createWriteStream(cfg.file));
  bytes = statSync(cfg.src).size;
}
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
await client.close();
console.log(JSON.stringify({ bytes, baseMB: base / 2 ** 20, growthMB: (peak - base) / 2 ** 20 }));
