// Files over 4 GiB: sizes, reads and writes past 2^32 must use 64-bit offsets everywhere.
// A sparse 5 GiB file on the server keeps this fast and small on disk.
import { randomBytes } from 'node:crypto';
import { chownSync, closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmbd, type SmbdFixture } from '../../fixtures/smbd.js';
import type { SmbClient } from '../../../src/smb/index.js';
import { connect } from './helpers.js';

const GiB = 1024 ** 3;
const SIZE = 5 * GiB;
/** Straddles 2^32, where a 32-bit offset would wrap to 0. */
const SPAN_START = 4 * GiB - 512 * 1024;
const SPAN = randomBytes(1024 * 1024);

function collect(): Writable & { data(): Buffer } {
  const parts: Buffer[] = [];
  const w = new Writable({
    write(chunk: Buffer, _e, cb) {
      parts.push(Buffer.from(chunk));
      cb();
    },
  });
  return Object.assign(w, { data: () => Buffer.concat(parts) });
}

function readLocal(path: string, position: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const out = Buffer.alloc(length);
    readSync(fd, out, 0, length, position);
    return out;
  } finally {
    closeSync(fd);
  }
}

describe('files over 4 GiB', () => {
  let f: SmbdFixture;
  let client: SmbClient;
  let local: string;

  beforeAll(async () => {
    f = await startSmbd({ name: 'smb-large-offsets', port: 4459, settings: { 'server signing': 'mandatory' } });
    local = join(f.shareDir, 'huge.bin');
    const fd = openSync(local, 'w');
    try {
      writeSync(fd, SPAN, 0, SPAN.length, SPAN_START);
      writeSync(fd, Buffer.from('end'), 0, 3, SIZE - 3);
    } finally {
      closeSync(fd);
    }
    const owner = statSync(f.shareDir);
    chownSync(local, owner.uid, owner.gid);
    client = await connect(f);
  });

  afterAll(async () => {
    await client?.close();
    await f?.stop();
  });

  it('reports the exact size in stat and readdir', async () => {
    expect(Number((await client.stat('huge.bin')).size)).toBe(SIZE);
    const entry = (await client.readdir('')).find((e) => e.name === 'huge.bin');
    expect(Number(entry?.size)).toBe(SIZE);
  });

  it('reads a range across 2^32 with pipeTo and with createReadStream', async () => {
    const a = collect();
    await client.share(f.share).pipeTo('huge.bin', a, { start: SPAN_START, end: SPAN_START + SPAN.length - 1 });
    expect(a.data().equals(SPAN)).toBe(true);
    const b = collect();
    await pipeline(client.createReadStream('huge.bin', { start: SPAN_START, end: SPAN_START + SPAN.length - 1 }), b);
    expect(b.data().equals(SPAN)).toBe(true);
  });

  it('reads the last bytes of the file', async () => {
    const tail = collect();
    await client.share(f.share).pipeTo('huge.bin', tail, { start: SIZE - 3 });
    expect(tail.data().toString()).toBe('end');
  });

  it('writes at an offset past 2^32 without touching the rest', async () => {
    const at = 4 * GiB + 1024 * 1024 + 7;
    const data = randomBytes(300 * 1024);
    await client.share(f.share).pipeFrom('huge.bin', Readable.from([data]), { flags: 'a', offset: at });
    expect(readLocal(local, at, data.length).equals(data)).toBe(true);
    expect(readLocal(local, SPAN_START, SPAN.length).equals(SPAN)).toBe(true);
    expect(statSync(local).size).toBe(SIZE);
  });
});
