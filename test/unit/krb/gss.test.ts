import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Fields, app, der, fields, int, parse, str, time, unwrapApp } from '../../../src/krb/asn1.js';
import type { Credentials, KerberosClient } from '../../../src/krb/client.js';
import { EncType, KeyUsage, checksum, decrypt, encrypt, randomKey, type Key } from '../../../src/krb/crypto/etypes.js';
import { KerberosInitiator, unwrapGssToken, wrapGssToken } from '../../../src/krb/gss.js';
import { encryptedDataNode, keyNode, principalNode } from '../../../src/krb/messages.js';
import { TicketCache } from '../../../src/krb/tickets.js';
import { KerberosAuthenticator } from '../../../src/smb/auth/kerberos.js';
import { OID, encodeNegTokenResp, parseNegTokenInit } from '../../../src/smb/auth/spnego.js';
import { SmbIntegrityError } from '../../../src/smb/crypto/errors.js';

const REALM = 'EXAMPLE.TEST';

function serviceCredentials(sessionKey: Key, endtime = new Date(Date.now() + 3600_000)): Credentials {
  const sname = { type: 2, parts: ['cifs', 'dc1.example.test'] };
  const ticketDer = der(
    app(1, fields([0, int(5)], [1, str(REALM)], [2, principalNode(sname)], [3, encryptedDataNode({ etype: 18, kvno: 1, cipher: randomBytes(64) })])),
  );
  return {
    client: { type: 1, parts: ['alice'] },
    crealm: REALM,
    ticket: { realm: REALM, sname, der: ticketDer },
    sessionKey,
    flags: 0,
    authtime: new Date(),
    endtime,
  };
}

/** Plays the file server: reads the authenticator out of the AP-REQ and answers with an AP-REP. */
function acceptor(sessionKey: Key, apReqToken: Buffer, opts: { shiftCusec?: number } = {}) {
  const { tokId, body } = unwrapGssToken(apReqToken);
  expect(tokId).toBe(0x0100);
  const req = new Fields(unwrapApp(parse(body, 'AP-REQ'), 14, 'AP-REQ'), 'AP-REQ');
  expect(req.flags(2)).toBe(0x20000000); // mutual-required
  const enc = req.fields(4, 'authenticator');
  const auth = new Fields(unwrapApp(parse(decrypt(sessionKey, KeyUsage.AP_REQ_AUTHENTICATOR, enc.octets(2)), 'A'), 2, 'A'), 'Authenticator');
  const cksum = auth.fields(3, 'cksum');
  expect(cksum.int(0)).toBe(0x8003);
  expect(cksum.octets(1).readUInt32LE(20) & 2).toBe(2); // GSS_C_MUTUAL_FLAG
  const subkey: Key = randomKey(EncType.AES256_CTS_HMAC_SHA1_96);
  const seq = 4242;
  const encPart = der(app(27, fields([0, time(auth.time(5))], [1, int(auth.int(4) + (opts.shiftCusec ?? 0))], [2, keyNode(subkey)], [3, int(seq)])));
  const apRep = der(app(15, fields([0, int(5)], [1, int(15)], [2, encryptedDataNode({ etype: 18, cipher: encrypt(sessionKey, KeyUsage.AP_REP_ENCPART, encPart) })])));
  const mic = (data: Buffer): Buffer => {
    const header = Buffer.alloc(16, 0xff);
    header.writeUInt16BE(0x0404, 0);
    header[2] = 0x01 | 0x04;
    header.writeBigUInt64BE(BigInt(seq), 8);
    return Buffer.concat([header, checksum(subkey, KeyUsage.GSS_ACCEPTOR_SIGN, Buffer.concat([data, header]))]);
  };
  return { apRep: wrapGssToken(0x0200, apRep), subkey, mic };
}

describe('Kerberos GSS initiator (RFC 4121)', () => {
  const sessionKey = randomKey(EncType.AES256_CTS_HMAC_SHA1_96);

  it('sends a mutual-auth AP-REQ, takes the AP-REP, keys on the acceptor sub-key and checks its MIC', () => {
    const init = new KerberosInitiator({ service: serviceCredentials(sessionKey), now: () => new Date() });
    const server = acceptor(sessionKey, init.initialToken());
    init.acceptReply(server.apRep);
    expect(init.isEstablished).toBe(true);
    expect(init.sessionKey.equals(server.subkey.value)).toBe(true);
    const data = Buffer.from('mechTypes');
    const mic = server.mic(data);
    expect(init.verifyMic(data, mic)).toBe(true);
    mic[mic.length - 1] = mic[mic.length - 1]! ^ 1;
    expect(init.verifyMic(data, mic)).toBe(false);
    expect(init.getMic(data).subarray(0, 3).toString('hex')).toBe('040404');
  });

  it('refuses an AP-REP that does not echo our authenticator time', () => {
    const init = new KerberosInitiator({ service: serviceCredentials(sessionKey), now: () => new Date() });
    const server = acceptor(sessionKey, init.initialToken(), { shiftCusec: 1 });
    expect(() => init.acceptReply(server.apRep)).toThrow(/does not echo/);
  });

  it('SPNEGO offers the MS Kerberos OID first and will not finish without the AP-REP', () => {
    const auth = new KerberosAuthenticator(new KerberosInitiator({ service: serviceCredentials(sessionKey), now: () => new Date() }));
    const init = parseNegTokenInit(auth.initialToken());
    expect(init.mechTypes).toEqual([OID.MS_KERBEROS, OID.KERBEROS]);
    expect(() => auth.finish(encodeNegTokenResp({ negState: 'accept-completed', supportedMech: OID.MS_KERBEROS }))).toThrow(SmbIntegrityError);
  });
});

describe('TicketCache', () => {
  it('reuses a ticket until five minutes before it expires, then fetches a new one', async () => {
    let now = Date.now();
    let fetched = 0;
    const client = {
      kdcNow: () => new Date(now),
      getServiceTicket: async () => {
        fetched++;
        return serviceCredentials(randomKey(18), new Date(now + 3600_000));
      },
    } as unknown as KerberosClient;
    const cache = new TicketCache(client);
    const tgt = async (): Promise<Credentials> => serviceCredentials(randomKey(18), new Date(now + 10 * 3600_000));
    const first = await cache.serviceTicket('alice', 'cifs/dc1.example.test', tgt);
    expect(await cache.serviceTicket('ALICE', 'cifs/DC1.example.test', tgt)).toBe(first);
    now += 54 * 60_000;
    expect(await cache.serviceTicket('alice', 'cifs/dc1.example.test', tgt)).toBe(first);
    now += 2 * 60_000; // 4 minutes left: inside the margin
    expect(await cache.serviceTicket('alice', 'cifs/dc1.example.test', tgt)).not.toBe(first);
    expect(fetched).toBe(2);
  });
});
