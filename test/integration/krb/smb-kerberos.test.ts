import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDomain } from '../../fixtures/require-domain.js';
import { USERS } from '../../fixtures/domain-data.js';
import { KerberosClient, KerberosInitiator, PreauthFailedError, TicketCache } from '../../../src/krb/index.js';
import { SmbClient, type KerberosMechanism } from '../../../src/smb/index.js';
import { sha256Of } from '../smb/helpers.js';

const execFileAsync = promisify(execFile);

/** SMB sessions to the AD DC authenticated with Kerberos (SPNEGO, AP-REQ with mutual authentication), signed as the DC demands. */
describe('SMB over Kerberos to the Samba AD DC', () => {
  const domain = requireDomain();
  const spn = `cifs/${domain.fileServerName}`;
  const krb = new KerberosClient({ realm: domain.realm, kdcs: [{ host: domain.ip, port: 88 }] });
  const cache = new TicketCache(krb);
  let tgtRequests = 0;
  const aliceTgt = (): ReturnType<KerberosClient['getTgt']> => {
    tgtRequests++;
    return krb.getTgt('alice', domain.password);
  };
  const content = randomBytes(300_000);
  let client: SmbClient;

  beforeAll(async () => {
    const alice = USERS.find((u) => u.username === 'alice')!;
    const file = join(domain.homesDir, 'alice', 'krb-read.bin');
    writeFileSync(file, content);
    chownSync(file, alice.uidNumber, 0);
    client = await SmbClient.connect({
      host: domain.ip,
      share: domain.shares.users,
      auth: 'kerberos',
      kerberos: cache.initiatorFactory('alice', spn, aliceTgt),
      timeoutMs: 15_000,
    });
  });
  afterAll(async () => {
    await client?.close();
  });

  it('authenticates with Kerberos, signs, lists and reads a file with the sha256 smbclient sees', async () => {
    expect(client.authMechanism).toBe('kerberos');
    expect(client.dialect).toBe('3.1.1');
    expect(client.signingAlgorithm).toMatch(/AES-(GMAC|CMAC)/);
    const names = (await client.readdir('alice')).map((e) => e.name);
    expect(names).toContain('krb-read.bin');
    const ours = await sha256Of(client.createReadStream('alice/krb-read.bin'));

    const dir = mkdtempSync(join(tmpdir(), 'pc-krb-'));
    try {
      await execFileAsync('smbclient', [`//${domain.ip}/${domain.shares.users}`, '-U', `${domain.netbiosDomain}\\alice%${domain.password}`, '-c', `get alice/krb-read.bin ${join(dir, 'f')}`]);
      const theirs = createHash('sha256').update(readFileSync(join(dir, 'f'))).digest('hex');
      expect(ours.hash).toBe(theirs);
      expect(ours.hash).toBe(createHash('sha256').update(content).digest('hex'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a second session reuses the cached tickets: no new AS exchange', async () => {
    const before = tgtRequests;
    const second = await SmbClient.connect({ host: domain.ip, share: domain.shares.users, kerberos: cache.initiatorFactory('alice', spn, aliceTgt), timeoutMs: 15_000 });
    try {
      expect(second.authMechanism).toBe('kerberos');
      expect((await second.stat('alice/krb-read.bin')).size).toBe(content.length);
    } finally {
      await second.close();
    }
    expect(tgtRequests).toBe(before);
  });

  it('auto falls back to NTLMv2 when no ticket can be had; kerberos alone reports the KDC error', async () => {
    const bad = new TicketCache(krb).initiatorFactory('bob', spn, () => krb.getTgt('bob', 'wrong-password'));
    const reasons: unknown[] = [];
    const auto = await SmbClient.connect({
      host: domain.ip,
      share: domain.shares.users,
      kerberos: bad,
      credential: { username: 'bob', domain: domain.netbiosDomain, password: domain.password },
      onKerberosUnavailable: (err) => reasons.push(err),
      timeoutMs: 15_000,
    });
    try {
      expect(auto.authMechanism).toBe('ntlm');
      expect(reasons[0]).toBeInstanceOf(PreauthFailedError);
    } finally {
      await auto.close();
    }
    await expect(SmbClient.connect({ host: domain.ip, share: domain.shares.users, auth: 'kerberos', kerberos: bad })).rejects.toBeInstanceOf(PreauthFailedError);
  });

  it('refuses a server whose AP-REP does not prove it (mutual authentication)', async () => {
    const service = await cache.serviceTicket('alice', spn, aliceTgt);
    // The real server's AP-REP is checked against a context that sent a different authenticator time.
    const factory = async (): Promise<KerberosMechanism> => {
      const real = new KerberosInitiator({ service, now: () => new Date() });
      const mech: KerberosMechanism = {
        initialToken: () => real.initialToken(),
        acceptReply: (token) => {
          const tampered = Buffer.from(token);
          tampered[tampered.length - 20] = tampered[tampered.length - 20]! ^ 1;
          real.acceptReply(tampered);
        },
        get isEstablished() {
          return real.isEstablished;
        },
        get sessionKey() {
          return real.sessionKey;
        },
        getMic: (d) => real.getMic(d),
        verifyMic: (d, m) => real.verifyMic(d, m),
      };
      return mech;
    };
    const err = await SmbClient.connect({ host: domain.ip, share: domain.shares.users, auth: 'kerberos', kerberos: factory }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(String(err)).toMatch(/AP-REP|integrity|prove/i);
  });
});
