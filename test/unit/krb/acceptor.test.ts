// The Kerberos acceptor behind HTTP Negotiate, offline: tickets minted with a key we choose stand in for the KDC's.
import { describe, expect, it } from 'vitest';
import { ApReqRejectedError, KerberosInitiator, ReplayCache, acceptNegotiate, parseNegotiateToken, servicePrincipal, type Key } from '../../../src/krb/index.js';
import { encodeNegTokenInit, OID } from '../../../src/smb/auth/spnego.js';
import { acceptServerReply, mintTicket, negotiateHeader, randomKey } from '../../helpers/negotiate.js';

const REALM = 'EXAMPLE.TEST';
const SNAME = servicePrincipal('HTTP/portcullis.example.test');
const serviceKey: Key = randomKey(18);
const now = new Date('2026-12-02T12:00:00Z');

const ticket = (o: { key?: Key; endtime?: Date; client?: string } = {}) =>
  mintTicket({ client: o.client ?? 'alice', realm: REALM, sname: SNAME, key: o.key ?? serviceKey, authtime: new Date(now.getTime() - 60_000), endtime: o.endtime ?? new Date(now.getTime() + 3600_000) });
const tokenOf = (header: string): Buffer => Buffer.from(header.replace(/^Negotiate /, ''), 'base64');
const accept = (token: Buffer, replay = new ReplayCache()) =>
  acceptNegotiate(token, { keys: async () => [serviceKey], replay, now: () => now, acceptService: (s) => s.parts[0] === 'HTTP' });
const problem = async (p: Promise<unknown>): Promise<string> => {
  const err = await p.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApReqRejectedError);
  return (err as ApReqRejectedError).problem;
};

describe('acceptNegotiate', () => {
  it('accepts a good AP-REP round trip: the client and flags come out, and the initiator verifies our AP-REP', async () => {
    const gss = new KerberosInitiator({ service: ticket(), now: () => now });
    const ctx = await accept(tokenOf(negotiateHeader(gss)));
    expect(ctx.client.parts).toEqual(['alice']);
    expect(ctx.crealm).toBe(REALM);
    expect(ctx.responseToken).toBeDefined();
    acceptServerReply(gss, `Negotiate ${ctx.responseToken!.toString('base64')}`);
    expect(gss.isEstablished).toBe(true);
  });

  it('refuses a replay, a forged ticket, an expired one, a skewed authenticator and a ticket for another service', async () => {
    const replay = new ReplayCache();
    const token = tokenOf(negotiateHeader(new KerberosInitiator({ service: ticket(), now: () => now })));
    await accept(token, replay);
    expect(await problem(accept(token, replay))).toBe('replay');
    expect(await problem(accept(tokenOf(negotiateHeader(new KerberosInitiator({ service: ticket({ key: randomKey(18) }), now: () => now })))))).toBe('integrity');
    expect(await problem(accept(tokenOf(negotiateHeader(new KerberosInitiator({ service: ticket({ endtime: new Date(now.getTime() - 600_000) }), now: () => now })))))).toBe('expired');
    expect(await problem(accept(tokenOf(negotiateHeader(new KerberosInitiator({ service: ticket(), now: () => new Date(now.getTime() + 6 * 60_000) })))))).toBe('skew');
    const other = mintTicket({ client: 'alice', realm: REALM, sname: servicePrincipal('cifs/dc1.example.test'), key: serviceKey, authtime: now, endtime: new Date(now.getTime() + 3600_000) });
    expect(await problem(accept(tokenOf(negotiateHeader(new KerberosInitiator({ service: other, now: () => now })))))).toBe('wrong-service');
    expect(await problem(accept(Buffer.from('garbage')))).toBe('malformed');
  });
});

describe('parseNegotiateToken', () => {
  const krbToken = new KerberosInitiator({ service: ticket(), now: () => now }).initialToken();
  it('takes SPNEGO with Kerberos first, and a bare Kerberos token', () => {
    expect(parseNegotiateToken(encodeNegTokenInit({ mechTypes: [OID.KERBEROS], mechToken: krbToken }))).toEqual({ krbToken, spnego: true });
    expect(parseNegotiateToken(krbToken)).toEqual({ krbToken, spnego: false });
  });
  it('refuses SPNEGO offering NTLM first (a browser outside the domain)', () => {
    expect(() => parseNegotiateToken(encodeNegTokenInit({ mechTypes: [OID.NTLMSSP, OID.KERBEROS], mechToken: Buffer.from('NTLMSSP\0') }))).toThrow(/not Kerberos/);
  });
});

describe('ReplayCache', () => {
  it('remembers a key until its time, then lets it in again; when full of live keys it refuses rather than forgets', () => {
    const c = new ReplayCache(4);
    expect(c.add('a', 1000, 0)).toBe(true);
    expect(c.add('a', 1000, 500)).toBe(false);
    expect(c.add('a', 3000, 1500)).toBe(true);
    for (const k of ['b', 'c', 'd']) expect(c.add(k, 5000, 1500)).toBe(true);
    expect(c.add('e', 5000, 1500)).toBe(false);
    expect(c.add('e', 9000, 6000)).toBe(true);
  });
});
