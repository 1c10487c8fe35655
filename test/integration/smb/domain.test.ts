import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDomain } from '../../fixtures/require-domain.js';
import { USERS } from '../../fixtures/domain-data.js';
import {
  SmbAccessDeniedError,
  SmbAccountDisabledError,
  SmbAccountExpiredError,
  SmbAuthError,
  SmbClient,
  SmbLogonFailureError,
  SmbNotFoundError,
  type SmbClientOptions,
} from '../../../src/smb/index.js';
import { sha256Of, writeRandom } from './helpers.js';

const ROUND_TRIP_MIB = Number(process.env.PORTCULLIS_SMB_TEST_MIB ?? 256);
const LISTING = 10_000;

/** The AD DC's own shares with its hardened defaults (mandatory signing, NTLMv2 only), as a domain user. */
describe('Samba AD DC shares, signing mandatory', () => {
  const domain = requireDomain();
  const options = (username: string, password = domain.password): SmbClientOptions => ({
    host: domain.ip,
    port: 445,
    share: domain.shares.users,
    credential: { username, domain: domain.netbiosDomain, password },
    timeoutMs: 15_000,
  });
  let client: SmbClient;

  beforeAll(async () => {
    const alice = USERS.find((u) => u.username === 'alice');
    const dir = join(domain.homesDir, 'alice', 'many');
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < LISTING; i++) writeFileSync(join(dir, `n${i}`), '');
    chownSync(dir, alice?.uidNumber ?? 0, 0);
    client = await SmbClient.connect(options('alice'));
  });
  afterAll(async () => {
    await client?.close();
  });

  it('signs with the algorithm negotiated for 3.1.1', () => {
    expect(client.dialect).toBe('3.1.1');
    expect(client.signingAlgorithm).toMatch(/AES-(GMAC|CMAC)/);
  });

  it(`round-trips ${ROUND_TRIP_MIB} MiB, lists ${LISTING} entries, renames, copies, deletes`, async () => {
    const written = await writeRandom(client.createWriteStream('alice/big.bin'), ROUND_TRIP_MIB);
    expect((await sha256Of(client.createReadStream('alice/big.bin'))).hash).toBe(written);
    expect((await client.readdir('alice/many')).length).toBe(LISTING);
    await client.mkdir('alice/d');
    await client.copy('alice/big.bin', 'alice/d/copy.bin');
    await client.rename('alice/d/copy.bin', 'alice/d/renamed.bin');
    expect((await sha256Of(client.createReadStream('alice/d/renamed.bin'))).hash).toBe(written);
    await client.rm('alice/d', { recursive: true });
    await client.rm('alice/big.bin');
    await expect(client.stat('alice/d')).rejects.toBeInstanceOf(SmbNotFoundError);
  }, 240_000);

  it("another user's home is access denied", async () => {
    await expect(client.readdir('bob')).rejects.toBeInstanceOf(SmbAccessDeniedError);
  });

  it('wrong password, disabled and expired accounts are distinct typed errors', async () => {
    await expect(SmbClient.connect(options('alice', 'wrong-password'))).rejects.toBeInstanceOf(SmbLogonFailureError);
    await expect(SmbClient.connect(options('dave'))).rejects.toBeInstanceOf(SmbAccountDisabledError);
    await expect(SmbClient.connect(options('frank'))).rejects.toBeInstanceOf(SmbAccountExpiredError);
    await expect(SmbClient.connect(options('erin'))).rejects.toBeInstanceOf(SmbAuthError);
  });
});
