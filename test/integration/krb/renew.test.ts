// A web session outlives the KDC's TGT (10 h; days with "keep me signed in") and keeps no password, so the TGT
// taken at sign-in is renewed (RFC 4120 3.3.3) by the ticket cache when it nears its end, against the real
// Samba AD KDC; the renewed TGT still gets cifs/ tickets that open alice's home drive.
import { describe, expect, it } from 'vitest';
import { KerberosClient, TicketCache } from '../../../src/krb/index.js';
import { TicketFlag } from '../../../src/krb/messages.js';
import { SmbClient } from '../../../src/smb/index.js';
import { requireDomain } from '../../fixtures/require-domain.js';

describe('TGT renewal against the Samba AD KDC', () => {
  const domain = requireDomain();
  const client = (lifetimeMs?: number): KerberosClient =>
    new KerberosClient({ realm: domain.realm, kdcs: [{ host: domain.ip, port: 88 }], ...(lifetimeMs === undefined ? {} : { lifetimeMs }) });

  it('a TGT from the password is renewable, for days', async () => {
    const tgt = await client().getTgt('alice', domain.password);
    expect(tgt.flags & TicketFlag.RENEWABLE).not.toBe(0);
    expect(tgt.renewTill?.getTime() ?? 0).toBeGreaterThan(Date.now() + 24 * 3600_000);
  });

  it('the cache renews a TGT near its end (same authtime, later end time) and the renewed one opens the home drive', async () => {
    // A 10-minute TGT, as one would be after 9 h 50 min of a 10-hour one; the cache wants 15 minutes of margin.
    const short = await client(10 * 60_000).getTgt('alice', domain.password);
    expect(short.endtime.getTime()).toBeLessThan(Date.now() + 11 * 60_000);
    // Into the next whole second, so a renewed end time (now + the same lifetime) is measurably later.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const krb = client();
    const cache = new TicketCache(krb, { marginMs: 15 * 60_000 });
    let obtained = 0;
    const renewed = await cache.tgt('alice', () => {
      obtained++;
      return Promise.resolve(short);
    });
    expect(obtained).toBe(1);
    // Renewed, not obtained anew: the authentication time is the sign-in's, the ticket a new one, and the end time
    // later by the time that passed (RFC 4120 keeps the lifetime; KerberosTime counts whole seconds).
    expect(renewed.authtime.getTime()).toBe(short.authtime.getTime());
    expect(renewed.ticket.der.equals(short.ticket.der)).toBe(false);
    expect(renewed.endtime.getTime()).toBeGreaterThan(short.endtime.getTime());
    expect(renewed.renewTill?.getTime()).toBe(short.renewTill?.getTime());

    const smb = await SmbClient.connect({
      host: domain.ip,
      share: domain.shares.users,
      auth: 'kerberos',
      kerberos: cache.initiatorFactory('alice', `cifs/${domain.fileServerName}`, () => Promise.resolve(short)),
      timeoutMs: 15_000,
    });
    try {
      expect(smb.authMechanism).toBe('kerberos');
      const names = (await smb.readdir('alice')).map((e) => e.name);
      expect(names).toContain('Welcome.txt');
    } finally {
      await smb.close();
    }
  });

  it('an expired TGT is not renewed (the KDC would refuse it): the cache hands it on as it is', async () => {
    const tgt = await client().getTgt('alice', domain.password);
    const expired = { ...tgt, endtime: new Date(Date.now() - 60_000) };
    const cache = new TicketCache(client());
    expect(await cache.tgt('alice', () => Promise.resolve(expired))).toBe(expired);
  });
});
