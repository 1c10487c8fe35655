import { describe, expect, it } from 'vitest';
import { requireDomain } from '../../fixtures/require-domain.js';
import { KerberosClient } from '../../../src/krb/client.js';
import { ClientRevokedError, PasswordExpiredError, PreauthFailedError, PrincipalUnknownError, ServicePrincipalUnknownError } from '../../../src/krb/errors.js';
import { EncType } from '../../../src/krb/crypto/etypes.js';

/** The Samba AD DC's KDC (Heimdal), over TCP port 88, as alice and friends. */
describe('Kerberos client against the Samba AD KDC', () => {
  const domain = requireDomain();
  const client = (extra: Partial<ConstructorParameters<typeof KerberosClient>[0]> = {}): KerberosClient =>
    new KerberosClient({ realm: domain.realm, kdcs: [{ host: domain.ip, port: 88 }], ...extra });

  it('alice gets a TGT with her password, then a service ticket for cifs/<DC FQDN>', async () => {
    const krb = client();
    const tgt = await krb.getTgt('alice', domain.password);
    expect(tgt.crealm).toBe(domain.realm);
    expect(tgt.client.parts).toEqual(['alice']);
    expect(tgt.ticket.sname.parts).toEqual(['krbtgt', domain.realm]);
    expect(tgt.sessionKey.etype).toBe(EncType.AES256_CTS_HMAC_SHA1_96);
    expect(tgt.endtime.getTime()).toBeGreaterThan(Date.now() + 3600_000);

    const st = await krb.getServiceTicket(tgt, `cifs/${domain.fileServerName}`);
    expect(st.ticket.sname.parts.map((p) => p.toLowerCase())).toEqual(['cifs', domain.fileServerName]);
    expect(st.sessionKey.value.equals(tgt.sessionKey.value)).toBe(false);
  });

  it('fails over past a dead KDC to the next in the list', async () => {
    // 127.0.0.1:5601 is in this suite's port range and nothing listens there: connection refused.
    const tgt = await client({ kdcs: [{ host: '127.0.0.1', port: 5601 }, { host: domain.ip, port: 88 }] }).getTgt('alice', domain.password);
    expect(tgt.client.parts).toEqual(['alice']);
  });

  it('a wrong password, an unknown user, a disabled and an expired-password account are typed errors', async () => {
    const krb = client();
    // bob, not alice: a bad password counts towards lockout.
    await expect(krb.getTgt('bob', 'wrong-password')).rejects.toBeInstanceOf(PreauthFailedError);
    await expect(krb.getTgt('nobody-here', domain.password)).rejects.toBeInstanceOf(PrincipalUnknownError);
    await expect(krb.getTgt('dave', domain.password)).rejects.toBeInstanceOf(ClientRevokedError);
    await expect(krb.getTgt('erin', domain.password)).rejects.toBeInstanceOf(PasswordExpiredError);
    const tgt = await krb.getTgt('alice', domain.password);
    await expect(krb.getServiceTicket(tgt, 'cifs/no-such-host.example.test')).rejects.toBeInstanceOf(ServicePrincipalUnknownError);
  });

  it('a clock 10 minutes fast is corrected from the KDC time in KRB_AP_ERR_SKEW, and reported', async () => {
    const skews: number[] = [];
    const krb = client({ now: () => new Date(Date.now() + 600_000), onClockSkew: (offset) => skews.push(offset) });
    const tgt = await krb.getTgt('alice', domain.password);
    expect(skews).toHaveLength(1);
    expect(skews[0]).toBeGreaterThan(-660_000);
    expect(skews[0]).toBeLessThan(-540_000);
    // The offset stays: the TGS exchange needs no second correction.
    await krb.getServiceTicket(tgt, `cifs/${domain.fileServerName}`);
    expect(skews).toHaveLength(1);
  });
});
