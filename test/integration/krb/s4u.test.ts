// Section 4 of issue 15, the core: svc-portcullis gets a cifs/ ticket in a user's name with its own key only
// (S4U2Self + S4U2Proxy, [MS-SFU]) from the real Samba AD DC, and our SMB client lists the user's home with it.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ClientRevokedError,
  ConstrainedDelegation,
  DelegationTargetNotAllowedError,
  KerberosClient,
  KerberosInitiator,
  KdcPolicyError,
  UserNotDelegatableError,
  isForwardable,
  keysFor,
  parseKeytab,
} from '../../../src/krb/index.js';
import { SmbClient } from '../../../src/smb/index.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { SERVICE_ACCOUNT } from '../../fixtures/domain-data.js';

describe('constrained delegation (S4U2Self + S4U2Proxy) against the Samba AD DC', () => {
  const domain = requireDomain();
  const spn = `cifs/${domain.fileServerName}`;
  const krb = new KerberosClient({ realm: domain.realm, kdcs: [{ host: domain.ip, port: 88 }] });
  const entries = parseKeytab(readFileSync(domain.kerberos.keytab));
  const s4u = new ConstrainedDelegation({ client: krb, principal: SERVICE_ACCOUNT, keys: async () => keysFor(entries, SERVICE_ACCOUNT, domain.realm).map((e) => e.key) });
  let client: SmbClient | undefined;

  afterAll(async () => {
    await client?.close();
  });

  it('reads the keytab samba-tool exported: the account and its HTTP/ SPN, AES keys', () => {
    const names = new Set(entries.map((e) => `${e.principal.parts.join('/')}@${e.realm}`));
    expect(names).toContain(`${SERVICE_ACCOUNT}@${domain.realm}`);
    expect(names).toContain(`${domain.kerberos.httpSpn}@${domain.realm}`);
    const own = keysFor(entries, SERVICE_ACCOUNT, domain.realm);
    expect(own.map((e) => e.key.etype).sort()).toEqual([17, 18]);
    expect(own.every((e) => e.kvno >= 1)).toBe(true);
  });

  it("gets the service's forwardable TGT from the keytab alone, and the same from its password", async () => {
    const tgt = await s4u.serviceTgt();
    expect(tgt.client.parts).toEqual([SERVICE_ACCOUNT]);
    expect(isForwardable(tgt.flags)).toBe(true);
    // KRB_SERVICE_PASSWORD: the keys derived with the KDC's salt are the keytab's.
    const fromPassword = await krb.keysFromPassword(SERVICE_ACCOUNT, domain.serviceAccount.password);
    const fromKeytab = keysFor(entries, SERVICE_ACCOUNT, domain.realm).map((e) => e.key);
    for (const k of fromPassword) expect(fromKeytab.find((e) => e.etype === k.etype)?.value.toString('hex')).toBe(k.value.toString('hex'));
  });

  it('S4U2Self gives a forwardable evidence ticket for alice; S4U2Proxy a cifs ticket with which SMB lists her home', async () => {
    const evidence = await s4u.s4u2self('alice');
    expect(evidence.client.parts).toEqual(['alice']);
    expect(evidence.ticket.sname.parts).toEqual([SERVICE_ACCOUNT]);
    expect(isForwardable(evidence.flags)).toBe(true);
    const cifs = await s4u.s4u2proxy({ ticket: evidence.ticket, flags: evidence.flags, user: 'alice' }, spn);
    expect(cifs.client.parts).toEqual(['alice']);
    expect(cifs.ticket.sname.parts).toEqual(['cifs', domain.fileServerName]);

    client = await SmbClient.connect({
      host: domain.ip,
      share: domain.shares.users,
      auth: 'kerberos',
      kerberos: async () => new KerberosInitiator({ service: cifs, now: () => krb.kdcNow() }),
      timeoutMs: 15_000,
    });
    expect(client.authMechanism).toBe('kerberos');
    const names = (await client.readdir('alice')).map((e) => e.name);
    expect(names).toContain('Welcome.txt');
    // The session is alice's: bob's home (0700, his) stays shut.
    await expect(client.readdir('bob')).rejects.toThrow(/denied/i);
  });

  it('nina is "sensitive and cannot be delegated": a non-forwardable evidence ticket, then the typed refusal', async () => {
    const nina = domain.kerberos.notDelegatedUsers[0]!;
    const evidence = await s4u.s4u2self(nina);
    expect(isForwardable(evidence.flags)).toBe(false);
    const err = await s4u.ticketFor(nina, spn).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserNotDelegatableError);
    expect(err).toBeInstanceOf(KdcPolicyError);
    // What Samba 4.17 answers, measured: KDC_ERR_BADOPTION (13).
    expect((err as UserNotDelegatableError).code).toBe(13);
    expect((err as Error).message).toMatch(/nina@EXAMPLE\.TEST cannot be delegated/);
  });

  it('a disabled account (dave): Samba refuses S4U2Self with KDC_ERR_POLICY, typed as the account being revoked', async () => {
    const err = await s4u.s4u2self('dave').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientRevokedError);
    expect((err as ClientRevokedError).code).toBe(12);
    expect((err as Error).message).toMatch(/will not act for dave@EXAMPLE\.TEST: the account is disabled, locked or expired/);
  });

  it('a real SPN not in msDS-AllowedToDelegateTo (the DC DNS/ service) is refused by the KDC, typed', async () => {
    expect(domain.kerberos.delegateTo).not.toContain(`DNS/${domain.fileServerName}`);
    const err = await s4u.ticketFor('alice', `DNS/${domain.fileServerName}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DelegationTargetNotAllowedError);
    expect((err as DelegationTargetNotAllowedError).code).toBe(13);
    expect((err as Error).message).toMatch(/may not delegate to DNS\//);
  });
});

