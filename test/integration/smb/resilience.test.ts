import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { finished } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmbd, type SmbdFixture } from '../../fixtures/smbd.js';
import { SmbDisconnectedError, type SmbClient } from '../../../src/smb/index.js';
import { connect, sha256Of } from './helpers.js';

const TIMEOUT_MS = 5_000;

describe('server killed or restarted', () => {
  let f: SmbdFixture;
  let client: SmbClient;

  beforeAll(async () => {
    f = await startSmbd({ name: 'smb-resilience', port: 4466, settings: { 'server signing': 'mandatory' } });
    writeFileSync(join(f.shareDir, 'big.bin'), randomBytes(256 << 20));
    client = await connect(f, { timeoutMs: TIMEOUT_MS });
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await f?.stop();
  });

  it('a read stream errors with Disconnected when the server dies mid-read; the process survives', async () => {
    const rs = client.createReadStream('big.bin');
    let bytes = 0;
    let killed: Promise<void> | undefined;
    const started = Date.now();
    const err = await (async () => {
      try {
        for await (const c of rs) {
          bytes += (c as Buffer).length;
          if (killed === undefined && bytes > 8 << 20) killed = f.stop();
        }
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    await killed;
    expect(err).toBeInstanceOf(SmbDisconnectedError);
    expect(bytes).toBeLessThan(256 << 20);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 5_000);
    expect(client.isConnected).toBe(false);
    await expect(client.stat('big.bin')).rejects.toBeInstanceOf(SmbDisconnectedError);
  }, 60_000);

  it('reconnect() works once the server is back, and data is intact', async () => {
    await f.restart();
    await client.reconnect();
    expect(client.isConnected).toBe(true);
    expect(client.signingAlgorithm).toBeDefined();
    const { bytes } = await sha256Of(client.createReadStream('big.bin'));
    expect(bytes).toBe(256 << 20);
  }, 60_000);

  it('a write stream errors when the server dies mid-write', async () => {
    const ws = client.createWriteStream('upload.bin');
    const block = randomBytes(1 << 20);
    const started = Date.now();
    const done = finished(ws).then(() => undefined, (e: unknown) => e);
    let killed: Promise<void> | undefined;
    for (let i = 0; i < 512; i++) {
      if (ws.destroyed || ws.errored) break;
      if (i === 16) killed = f.stop();
      if (!ws.write(block)) {
        await new Promise<void>((r) => {
          const done = (): void => {
            ws.off('drain', done);
            ws.off('error', done);
            r();
          };
          ws.on('drain', done);
          ws.on('error', done);
        });
      }
    }
    ws.end();
    const err = await done;
    await killed;
    expect(err).toBeInstanceOf(SmbDisconnectedError);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 10_000);
  }, 60_000);

  it('reconnects again after a second restart', async () => {
    await f.restart();
    await client.reconnect();
    await client.writeFile('after.txt', 'ok');
    expect((await client.readFile('after.txt')).toString()).toBe('ok');
  }, 60_000);
});
