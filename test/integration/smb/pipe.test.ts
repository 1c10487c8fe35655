import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmbd, type SmbdFixture } from '../../fixtures/smbd.js';
import { SmbDisconnectedError, SmbNotFoundError, type SmbClient } from '../../../src/smb/index.js';
import { connect } from './helpers.js';

const execFileAsync = promisify(execFile);
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** A Writable that hashes what it gets; optionally fails at `failAt` bytes, or calls back slowly. */
function hashSink(o: { failAt?: number; delayMs?: number } = {}): Writable & { digest(): string; bytes: number } {
  const h = createHash('sha256');
  const w = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _e, cb) {
      if (o.failAt !== undefined && sink.bytes + chunk.length > o.failAt) {
        cb(new Error('disk full'));
        return;
      }
      sink.bytes += chunk.length;
      h.update(chunk);
      if (o.delayMs === undefined) cb();
      else setTimeout(cb, o.delayMs);
    },
  });
  const sink = Object.assign(w, { bytes: 0, digest: () => h.digest('hex') });
  return sink;
}

const variants: { name: string; port: number; settings: Record<string, string> }[] = [
  { name: 'signed', port: 4491, settings: { 'server signing': 'mandatory' } },
  { name: 'encrypted', port: 4492, settings: { 'server min protocol': 'SMB3_11', 'server smb encrypt': 'required' } },
];

describe.each(variants)('pipeTo ($name)', ({ name, port, settings }) => {
  let f: SmbdFixture;
  let client: SmbClient;
  // Not a multiple of the 4 MiB chunk, so the last READ is short.
  const data = randomBytes((37 << 20) + 12345);

  beforeAll(async () => {
    f = await startSmbd({ name: `smb-pipe-${name}`, port, settings });
    writeFileSync(join(f.shareDir, 'data.bin'), data);
    writeFileSync(join(f.shareDir, 'empty.bin'), Buffer.alloc(0));
    client = await connect(f, { timeoutMs: 5_000 });
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await f?.stop();
  });

  it('copies the whole file, byte for byte', async () => {
    const sink = hashSink();
    const { bytes } = await client.share('data').pipeTo('data.bin', sink);
    expect(bytes).toBe(data.length);
    expect(sink.digest()).toBe(sha(data));
  });

  it('copies ranges: a middle span, from an offset, the last byte, one byte, an empty file, past the end', async () => {
    const share = client.share('data');
    const cases: { start?: number; end?: number; expect: Buffer }[] = [
      { start: 3, end: (9 << 20) + 7, expect: data.subarray(3, (9 << 20) + 8) },
      { start: (4 << 20) - 1, expect: data.subarray((4 << 20) - 1) },
      { start: data.length - 1, expect: data.subarray(data.length - 1) },
      { start: 100, end: 100, expect: data.subarray(100, 101) },
      { end: data.length + 1000, expect: data },
      { start: data.length, expect: Buffer.alloc(0) },
      { start: data.length + 5, expect: Buffer.alloc(0) },
    ];
    for (const c of cases) {
      const sink = hashSink();
      const { bytes } = await share.pipeTo('data.bin', sink, { ...(c.start === undefined ? {} : { start: c.start }), ...(c.end === undefined ? {} : { end: c.end }) });
      expect({ ...c, expect: c.expect.length, bytes }).toEqual({ ...c, expect: c.expect.length, bytes: c.expect.length });
      expect(sink.digest()).toBe(sha(c.expect));
    }
    const empty = hashSink();
    expect(await share.pipeTo('empty.bin', empty)).toEqual({ bytes: 0 });
  });

  it('keeps offset order with small chunks and a slow writer (backpressure through the buffer pool)', async () => {
    const sink = hashSink({ delayMs: 2 });
    const { bytes } = await client.share('data').pipeTo('data.bin', sink, { chunkSize: 256 << 10, window: 8, end: (6 << 20) - 1 });
    expect(bytes).toBe(6 << 20);
    expect(sink.digest()).toBe(sha(data.subarray(0, 6 << 20)));
  });

  it('a writable that fails midway rejects with its error, closes the handle and leaves the writable un-ended', async () => {
    const sink = hashSink({ failAt: 10 << 20 });
    sink.on('error', () => undefined);
    let finished = false;
    sink.on('finish', () => (finished = true));
    await expect(client.share('data').pipeTo('data.bin', sink)).rejects.toThrow('disk full');
    expect(finished).toBe(false);
    // The handle was closed: an open that shares nothing succeeds (no SHARING_VIOLATION), and the connection still works.
    const file = await client.share('data').open('data.bin', { desiredAccess: 0x80000000, disposition: 1, shareAccess: 0 });
    await file.close();
    expect(client.isConnected).toBe(true);
  });

  it('an AbortSignal stops the copy with its reason; aborting before the start rejects at once', async () => {
    const ac = new AbortController();
    const sink = hashSink({ delayMs: 1 });
    const p = client.share('data').pipeTo('data.bin', sink, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('user cancelled')), 20);
    await expect(p).rejects.toThrow('user cancelled');
    expect(sink.bytes).toBeLessThan(data.length);
    await expect(client.share('data').pipeTo('data.bin', hashSink(), { signal: AbortSignal.abort() })).rejects.toThrow();
    // Still usable afterwards.
    const again = hashSink();
    await client.share('data').pipeTo('data.bin', again, { end: 999 });
    expect(again.digest()).toBe(sha(data.subarray(0, 1000)));
  });

  it('a destination destroyed midway rejects', async () => {
    const sink = hashSink({ delayMs: 1 });
    sink.on('error', () => undefined);
    const p = client.share('data').pipeTo('data.bin', sink);
    setTimeout(() => sink.destroy(), 20);
    await expect(p).rejects.toThrow();
  });

  it('a missing file rejects with NotFound', async () => {
    await expect(client.share('data').pipeTo('nope.bin', hashSink())).rejects.toBeInstanceOf(SmbNotFoundError);
  });
});

describe('pipeTo when the server dies, and its memory', () => {
  let f: SmbdFixture;
  const TIMEOUT_MS = 5_000;
  const GIB_MIB = 1024;

  beforeAll(async () => {
    f = await startSmbd({ name: 'smb-pipe-kill', port: 4493, settings: { 'server signing': 'mandatory' } });
    const fd = openSync(join(f.shareDir, 'big.bin'), 'w');
    const block = randomBytes(1 << 20);
    for (let i = 0; i < GIB_MIB; i++) {
      block.writeUInt32LE(i, 0);
      writeSync(fd, block);
    }
    closeSync(fd);
  }, 120_000);

  afterAll(async () => {
    await f?.stop();
  });

  it('peak RSS growth stays flat for a 1 GiB read (child process)', async () => {
    const child = join(import.meta.dirname, 'pipe-rss-child.ts');
    const cfg = { port: f.port, user: f.username, pass: f.password, file: 'big.bin', mode: 'pipe' };
    const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', child, JSON.stringify(cfg)], { cwd: join(import.meta.dirname, '../../..') });
    const r = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { bytes: number; growthMB: number };
    expect(r.bytes).toBe(GIB_MIB << 20);
    // Five 4 MiB pool buffers plus bookkeeping measure ~20-25 MB; the read stream (fresh buffers left to
    // the GC) grows by 90-130 MB on the same read.
    expect(r.growthMB).toBeLessThan(60);
  }, 120_000);

  it('rejects with Disconnected within the timeout when the server is killed mid-transfer', async () => {
    const client = await connect(f, { timeoutMs: TIMEOUT_MS });
    let killed: Promise<void> | undefined;
    const sink = new Writable({
      write(_chunk: Buffer, _e, cb) {
        if (killed === undefined) killed = f.stop();
        cb();
      },
    });
    const started = Date.now();
    await expect(client.share('data').pipeTo('big.bin', sink)).rejects.toBeInstanceOf(SmbDisconnectedError);
    await killed;
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 5_000);
    await client.close();
  }, 60_000);
});
