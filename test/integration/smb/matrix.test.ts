import { mkdirSync, writeFileSync, chownSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmbd, type SmbdFixture } from '../../fixtures/smbd.js';
import type { SmbClient } from '../../../src/smb/index.js';
import { SmbNotFoundError, SmbNotEmptyError } from '../../../src/smb/index.js';
import { connect, sha256Of, smbclientNames, writeRandom } from './helpers.js';

const ROUND_TRIP_MIB = Number(process.env.PORTCULLIS_SMB_TEST_MIB ?? 256);
const LISTING = 10_000;

interface Cell {
  name: string;
  port: number;
  settings: Record<string, string>;
  dialect: string;
  signing: string | undefined;
  cipher: string | undefined;
}

const cells: Cell[] = [
  // The server does not require signing; we sign anyway.
  { name: 'SMB 2.1, server signing default', port: 4461, settings: { 'server max protocol': 'SMB2_10' }, dialect: '2.1', signing: 'HMAC-SHA256', cipher: undefined },
  {
    name: 'SMB 3.0.2 signing mandatory',
    port: 4462,
    settings: { 'server max protocol': 'SMB3_02', 'server signing': 'mandatory' },
    dialect: '3.0.2',
    signing: 'AES-CMAC',
    cipher: undefined,
  },
  {
    name: 'SMB 3.1.1 encryption required, AES-128-GCM',
    port: 4463,
    settings: { 'server min protocol': 'SMB3_11', 'server smb encrypt': 'required', 'server smb3 encryption algorithms': 'AES-128-GCM' },
    dialect: '3.1.1',
    signing: undefined,
    cipher: 'AES-128-GCM',
  },
  {
    name: 'SMB 3.1.1 encryption required, AES-256-GCM',
    port: 4464,
    settings: { 'server min protocol': 'SMB3_11', 'server smb encrypt': 'required', 'server smb3 encryption algorithms': 'AES-256-GCM' },
    dialect: '3.1.1',
    signing: undefined,
    cipher: 'AES-256-GCM',
  },
];

describe.each(cells)('$name', (cell) => {
  let f: SmbdFixture;
  let client: SmbClient;

  beforeAll(async () => {
    f = await startSmbd({ name: `smb-matrix-${cell.port}`, port: cell.port, settings: cell.settings });
    const owner = statSync(f.shareDir);
    const dir = join(f.shareDir, 'many');
    mkdirSync(dir);
    for (let i = 0; i < LISTING; i++) writeFileSync(join(dir, `file-${String(i).padStart(5, '0')}.txt`), '');
    chownSync(dir, owner.uid, owner.gid);
    client = await connect(f);
  });

  afterAll(async () => {
    await client?.close();
    await f?.stop();
  });

  it('negotiates the expected dialect, signing and cipher', () => {
    expect(client.dialect).toBe(cell.dialect);
    expect(client.signingAlgorithm).toBe(cell.signing);
    expect(client.cipher).toBe(cell.cipher);
  });

  it(`round-trips ${ROUND_TRIP_MIB} MiB byte for byte (sha256)`, async () => {
    const written = await writeRandom(client.createWriteStream('big.bin'), ROUND_TRIP_MIB);
    expect(statSync(join(f.shareDir, 'big.bin')).size).toBe(ROUND_TRIP_MIB << 20);
    const read = await sha256Of(client.createReadStream('big.bin'));
    expect(read.bytes).toBe(ROUND_TRIP_MIB << 20);
    expect(read.hash).toBe(written);
    const tail = await sha256Of(client.createReadStream('big.bin', { start: (ROUND_TRIP_MIB << 20) - 10, end: (ROUND_TRIP_MIB << 20) - 1 }));
    expect(tail.bytes).toBe(10);
  }, 180_000);

  it(`lists ${LISTING} entries exactly as smbclient does`, async () => {
    const ours = (await client.readdir('many')).map((e) => e.name).sort();
    expect(ours.length).toBe(LISTING);
    expect(ours).toEqual(await smbclientNames(f, 'many'));
  }, 60_000);

  it('mkdir, rename (with and without replace), copy, rm', async () => {
    await client.mkdir('d1');
    expect((await client.stat('d1')).type).toBe('dir');
    await client.writeFile('d1/a.txt', 'alpha');
    await client.writeFile('d1/b.txt', 'beta');
    await expect(client.rename('d1/a.txt', 'd1/b.txt')).rejects.toThrow();
    await client.rename('d1/a.txt', 'd1/b.txt', { replace: true });
    expect((await client.readFile('d1/b.txt')).toString()).toBe('alpha');
    await client.rename('d1/b.txt', 'd1/c.txt');
    expect(await client.exists('d1/b.txt')).toBe(false);

    await client.copy('big.bin', 'd1/copy.bin');
    expect((await client.stat('d1/copy.bin')).size).toBe(ROUND_TRIP_MIB << 20);
    const [a, b] = await Promise.all([sha256Of(client.createReadStream('big.bin')), sha256Of(client.createReadStream('d1/copy.bin'))]);
    expect(b.hash).toBe(a.hash);

    await expect(client.rm('d1')).rejects.toBeInstanceOf(SmbNotEmptyError);
    await client.rm('d1', { recursive: true });
    await expect(client.stat('d1')).rejects.toBeInstanceOf(SmbNotFoundError);
    await client.mkdir('d2');
    await client.rm('d2');
    expect(await client.exists('d2')).toBe(false);
  }, 120_000);
});
