// A returning user's TGT in one AS exchange: the client remembers the salt the KDC announced (ETYPE-INFO2) and
// pre-authenticates at once, as MIT and Windows clients do. Counted through a real TCP relay in front of the KDC.
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KerberosClient } from '../../../src/krb/client.js';
import { PreauthFailedError } from '../../../src/krb/errors.js';
import { run } from '../../fixtures/proc.js';
import { requireDomain } from '../../fixtures/require-domain.js';

const domain = requireDomain();
const samba = (args: string[]) => run('samba-tool', [...args, '-H', join(domain.dir, 'private', 'sam.ldb'), '-s', join(domain.dir, 'etc', 'smb.conf')]);

/** Relays TCP to the KDC and counts the connections: our client opens one per KDC exchange. */
async function countingRelay(): Promise<{ server: Server; port: number; count: () => number }> {
  let connections = 0;
  const server = createServer((inbound) => {
    connections++;
    const outbound = createConnection({ host: domain.ip, port: 88 });
    inbound.pipe(outbound).pipe(inbound);
    inbound.on('error', () => outbound.destroy());
    outbound.on('error', () => inbound.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port, count: () => connections };
}

describe('AS exchange with a remembered salt', () => {
  let relay: Awaited<ReturnType<typeof countingRelay>>;
  let krb: KerberosClient;
  beforeAll(async () => {
    relay = await countingRelay();
    krb = new KerberosClient({ realm: domain.realm, kdcs: [{ host: '127.0.0.1', port: relay.port }] });
  });
  afterAll(async () => {
    await new Promise((resolve) => relay?.server.close(resolve));
  });

  /** Exchanges `work` made with the KDC. */
  const exchanges = async (work: () => Promise<unknown>): Promise<number> => {
    const before = relay.count();
    await work();
    return relay.count() - before;
  };

  it('a user seen before gets a TGT in one exchange instead of two, whatever the case of the name', async () => {
    expect(krb.knowsSaltOf('alice')).toBe(false);
    expect(await exchanges(() => krb.getTgt('alice', domain.password))).toBe(2);
    expect(krb.knowsSaltOf('alice')).toBe(true);
    let tgt: Awaited<ReturnType<KerberosClient['getTgt']>> | undefined;
    expect(await exchanges(async () => (tgt = await krb.getTgt('alice', domain.password)))).toBe(1);
    expect(tgt?.client.parts).toEqual(['alice']);
    // The ticket works: a service ticket with it.
    await krb.getServiceTicket(tgt!, `cifs/${domain.fileServerName}`);
    expect(await exchanges(() => krb.getTgt('ALICE', domain.password))).toBe(1);
  });

  it('a wrong password for a known user is refused after one more exchange, never sent twice, and the salt is asked again next time', async () => {
    const user = 'student498';
    await krb.getTgt(user, domain.password);
    let refused: unknown;
    // The refused pre-authentication, then the salt check (no password in it): the same salt, so no second try.
    expect(await exchanges(() => krb.getTgt(user, 'wrong-password').catch((err: unknown) => (refused = err)))).toBe(2);
    expect(refused).toBeInstanceOf(PreauthFailedError);
    expect(krb.knowsSaltOf(user)).toBe(false);
    expect(await exchanges(() => krb.getTgt(user, domain.password))).toBe(2);
    expect(krb.knowsSaltOf(user)).toBe(true);
  });

  it("with the directory's account name, a user never seen takes one exchange: the realm's default salt is tried at once", async () => {
    const fresh = new KerberosClient({ realm: domain.realm, kdcs: [{ host: '127.0.0.1', port: relay.port }] });
    let tgt: Awaited<ReturnType<KerberosClient['getTgt']>> | undefined;
    expect(await exchanges(async () => (tgt = await fresh.getTgt('student497', domain.password, { accountName: true })))).toBe(1);
    expect(tgt?.client.parts).toEqual(['student497']);
    await fresh.getServiceTicket(tgt!, `cifs/${domain.fileServerName}`);
    // A wrong password: the guess refused, the salt asked (no password in it), the same key: refused, never sent twice.
    let refused: unknown;
    expect(await exchanges(() => fresh.getTgt('student496', 'wrong-password', { accountName: true }).catch((err: unknown) => (refused = err)))).toBe(2);
    expect(refused).toBeInstanceOf(PreauthFailedError);
  });

  it('a salt that changed since (renamed, password set, renamed back) is learnt again and the sign-in succeeds', async () => {
    const user = 'saltmover';
    const other = 'saltmover2';
    await samba(['user', 'create', user, domain.password]);
    try {
      await krb.getTgt(user, domain.password);
      expect(krb.knowsSaltOf(user)).toBe(true);
      // The keys take the salt of the name they were set under, and keep it through a rename.
      await samba(['user', 'rename', user, `--samaccountname=${other}`, `--upn=${other}@${domain.realm.toLowerCase()}`]);
      await samba(['user', 'setpassword', other, `--newpassword=${domain.password}`]);
      await samba(['user', 'rename', other, `--samaccountname=${user}`, `--upn=${user}@${domain.realm.toLowerCase()}`]);
      let tgt: Awaited<ReturnType<KerberosClient['getTgt']>> | undefined;
      // Refused with the old salt, the new salt learnt, then accepted.
      expect(await exchanges(async () => (tgt = await krb.getTgt(user, domain.password)))).toBe(3);
      expect(tgt?.client.parts).toEqual([user]);
      expect(await exchanges(() => krb.getTgt(user, domain.password))).toBe(1);
      // The realm's default salt is wrong for it too: refused, asked, accepted; the salt learnt is used next time.
      const fresh = new KerberosClient({ realm: domain.realm, kdcs: [{ host: '127.0.0.1', port: relay.port }] });
      expect(await exchanges(() => fresh.getTgt(user, domain.password, { accountName: true }))).toBe(3);
      expect(await exchanges(() => fresh.getTgt(user, domain.password, { accountName: true }))).toBe(1);
    } finally {
      await samba(['user', 'delete', user]).catch(() => samba(['user', 'delete', other]));
    }
  });
});
