// Child process for pipe.test.ts: reads a file through SmbShare.pipeTo (or the old read stream, to show
// what the bound guards against) into /dev/null and prints peak RSS growth over the connected baseline.
// argv: JSON { port, user, pass, file, mode: 'pipe' | 'stream' }
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { SmbClient } from '../../../src/smb/index.js';

const cfg = JSON.parse(process.argv[2] ?? '{}') as { port: number; user: string; pass: string; file: string; mode: 'pipe' | 'stream' };
const client = await SmbClient.connect({
  host: '127.0.0.1', port: cfg.port, share: 'data', timeoutMs: 30_000,
  credential: { username: cfg.user, domain: 'WORKGROUP', password: cfg.pass },
});
const base = process.memoryUsage().rss;
let peak = base;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
const sink = createWriteStream('/dev/null');
let bytes = 0;
if (cfg.mode === 'pipe') {
  bytes = (await client.share('data').pipeTo(cfg.file, sink)).bytes;
  sink.end();
} else {
  const rs = client.share('data').createReadStream(cfg.file);
  rs.on('data', (c: Buffer) => (bytes += c.length));
  await pipeline(rs, sink);
}
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
await client.close();
console.log(JSON.stringify({ bytes, baseMB: base / 2 ** 20, growthMB: (peak - base) / 2 ** 20 }));
