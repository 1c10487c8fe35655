import { randomInt } from 'node:crypto';
import * as asn1 from 'asn1js';
import type { Credentials } from './client.js';
import { type Key, KeyUsage, checksum, decrypt, encrypt, profile, randomKey, verifyChecksum } from './crypto/etypes.js';
import { KrbProtocolError, KrbCryptoError, kdcError } from './errors.js';
import { ApOption, authenticatorDer, decodeApRep, decodeEncApRepPart, decodeErrorData, decodeKrbError, encodeApReq } from './messages.js';

/** The Kerberos V5 GSS-API mechanism (RFC 4121), initiator side: what SPNEGO carries for SMB. */

export const KRB5_OID = '1.2.840.113554.1.2.2';
const TOK_AP_REQ = 0x0100;
const TOK_AP_REP = 0x0200;
const TOK_ERROR = 0x0300;
const TOK_MIC = 0x0404;

/** RFC 4121 4.1.1: the authenticator checksum type that carries GSS flags. */
const GSS_CHECKSUM_TYPE = 0x8003;
const GssFlag = { DELEG: 1, MUTUAL: 2, REPLAY: 4, SEQUENCE: 8, CONF: 0x10, INTEG: 0x20 } as const;
const MicFlag = { SENT_BY_ACCEPTOR: 1, ACCEPTOR_SUBKEY: 4 } as const;

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** RFC 2743 3.1 InitialContextToken: [APPLICATION 0] { mech OID, inner token }; the inner token is not DER. */
export function wrapGssToken(tokId: number, body: Buffer): Buffer {
  const oid = Buffer.from(new asn1.ObjectIdentifier({ value: KRB5_OID }).toBER());
  const id = Buffer.alloc(2);
  id.writeUInt16BE(tokId);
  const inner = Buffer.concat([oid, id, body]);
  return Buffer.concat([Buffer.of(0x60), derLength(inner.length), inner]);
}

export function unwrapGssToken(token: Buffer): { tokId: number; body: Buffer } {
  if (token.length < 2 || token[0] !== 0x60) throw new KrbProtocolError('not a GSS-API token');
  let at = 1;
  let length = token[at++]!;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4 || at + octets > token.length) throw new KrbProtocolError('GSS-API token length is malformed');
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + token[at++]!;
  }
  if (at + length !== token.length) throw new KrbProtocolError('GSS-API token length does not match');
  if (token[at] !== 0x06) throw new KrbProtocolError('GSS-API token has no mechanism OID');
  const oidLen = token[at + 1]!;
  if (oidLen & 0x80 || at + 2 + oidLen + 2 > token.length) throw new KrbProtocolError('GSS-API token OID is malformed');
  const oid = asn1.fromBER(token.subarray(at, at + 2 + oidLen));
  const mech = oid.result instanceof asn1.ObjectIdentifier ? oid.result.valueBlock.toString() : '';
  if (mech !== KRB5_OID) throw new KrbProtocolError(`GSS-API token is for mechanism ${mech || '?'}, not Kerberos`);
  at += 2 + oidLen;
  return { tokId: token.readUInt16BE(at), body: token.subarray(at + 2) };
}

export interface InitiatorOptions {
  /** The service ticket (for cifs/<host>) and its session key. */
  service: Credentials;
  /** The KDC-adjusted clock, so an authenticator is within the server's skew too. */
  now: () => Date;
}

/**
 * One security context: initialToken() gives the AP-REQ (mutual authentication,
 * a fresh initiator sub-key), acceptReply() checks the server's AP-REP, then
 * sessionKey and the MIC helpers SPNEGO needs for its mechListMIC.
 */
export class KerberosInitiator {
  private readonly service: Credentials;
  private readonly now: () => Date;
  private readonly subkey: Key;
  private readonly sendSeq: number;
  private sent: { ctime: Date; cusec: number } | undefined;
  private acceptorSubkey: Key | undefined;
  private receiveSeq = 0;
  private established = false;

  constructor(options: InitiatorOptions) {
    this.service = options.service;
    this.now = options.now;
    this.subkey = randomKey(options.service.sessionKey.etype);
    this.sendSeq = randomInt(0, 0x3fffffff);
  }

  initialToken(): Buffer {
    if (this.sent) throw new KrbProtocolError('initialToken() called twice');
    const now = this.now();
    const ctime = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const cusec = (now.getTime() % 1000) * 1000;
    // Lgth 16, an all-zero (absent) channel binding, then the flags: mutual authentication plus the
    // integrity/confidentiality/sequencing Windows asks for.
    const gss = Buffer.alloc(24);
    gss.writeUInt32LE(16, 0);
    gss.writeUInt32LE(GssFlag.MUTUAL | GssFlag.REPLAY | GssFlag.SEQUENCE | GssFlag.CONF | GssFlag.INTEG, 20);
    const authenticator = authenticatorDer({
      crealm: this.service.crealm,
      cname: this.service.client,
      cksum: { type: GSS_CHECKSUM_TYPE, value: gss },
      cusec,
      ctime,
      subkey: this.subkey,
      seqNumber: this.sendSeq,
    });
    const key = this.service.sessionKey;
    const apReq = encodeApReq(this.service.ticket, ApOption.MUTUAL_REQUIRED, {
      etype: key.etype,
      cipher: encrypt(key, KeyUsage.AP_REQ_AUTHENTICATOR, authenticator),
    });
    this.sent = { ctime, cusec };
    return wrapGssToken(TOK_AP_REQ, apReq);
  }

  /** Checks the server's AP-REP: decrypts with the ticket session key and compares ctime/cusec with ours. */
  acceptReply(token: Buffer): void {
    if (!this.sent) throw new KrbProtocolError('acceptReply() before initialToken()');
    if (this.established) throw new KrbProtocolError('acceptReply() called twice');
    const { tokId, body } = unwrapGssToken(token);
    if (tokId === TOK_ERROR) {
      const e = decodeKrbError(body);
      const details: Parameters<typeof kdcError>[0] = { code: e.code, serverTime: e.stime };
      if (e.eText !== undefined) details.eText = e.eText;
      const nt = e.eData ? decodeErrorData(e.eData).ntStatus : undefined;
      if (nt !== undefined) details.ntStatus = nt;
      throw kdcError(details, { service: this.service.ticket.sname.parts.join('/') });
    }
    if (tokId !== TOK_AP_REP) throw new KrbProtocolError(`expected an AP-REP, got GSS token 0x${tokId.toString(16)}`);
    const enc = decodeApRep(body);
    let part;
    try {
      part = decodeEncApRepPart(decrypt(this.service.sessionKey, KeyUsage.AP_REP_ENCPART, enc.cipher));
    } catch (err) {
      if (err instanceof KrbCryptoError) throw new KrbCryptoError('the server could not prove it holds the service key (AP-REP does not decrypt)', { cause: err });
      throw err;
    }
    if (part.ctime.getTime() !== this.sent.ctime.getTime() || part.cusec !== this.sent.cusec) {
      throw new KrbProtocolError('AP-REP does not echo our authenticator time: not an answer to this request');
    }
    if (part.subkey) {
      profile(part.subkey.etype);
      this.acceptorSubkey = part.subkey;
    }
    this.receiveSeq = part.seqNumber ?? 0;
    this.established = true;
  }

  get isEstablished(): boolean {
    return this.established;
  }

  /**
   * The GSS session key: the acceptor's sub-key when it sent one, else ours, else the ticket's
   * (what SSPI's session-key query returns, and what MS-SMB2 3.2.5.3 takes the first 16 bytes of).
   */
  get sessionKey(): Buffer {
    if (!this.established) throw new KrbProtocolError('no session key before the AP-REP');
    return Buffer.from((this.acceptorSubkey ?? this.subkey).value);
  }

  private micKey(): { key: Key; flags: number } {
    return this.acceptorSubkey ? { key: this.acceptorSubkey, flags: MicFlag.ACCEPTOR_SUBKEY } : { key: this.subkey, flags: 0 };
  }

  private micHeader(flags: number, seq: number): Buffer {
    const h = Buffer.alloc(16, 0xff);
    h.writeUInt16BE(TOK_MIC, 0);
    h[2] = flags;
    h.writeBigUInt64BE(BigInt(seq), 8);
    return h;
  }

  /** An RFC 4121 MIC token over `data`, as the initiator (usage 25), with our first sequence number. */
  getMic(data: Buffer): Buffer {
    const { key, flags } = this.micKey();
    const header = this.micHeader(flags, this.sendSeq);
    return Buffer.concat([header, checksum(key, KeyUsage.GSS_INITIATOR_SIGN, Buffer.concat([data, header]))]);
  }

  /** Checks the acceptor's MIC token over `data` (usage 23). */
  verifyMic(data: Buffer, token: Buffer): boolean {
    if (token.length < 16 + 12 || token.readUInt16BE(0) !== TOK_MIC) return false;
    const flags = token[2]!;
    if ((flags & MicFlag.SENT_BY_ACCEPTOR) === 0) return false;
    if (!token.subarray(3, 8).equals(Buffer.alloc(5, 0xff))) return false;
    const key = flags & MicFlag.ACCEPTOR_SUBKEY ? this.acceptorSubkey : this.subkey;
    if (!key) return false;
    if (token.readBigUInt64BE(8) !== BigInt(this.receiveSeq)) return false;
    return verifyChecksum(key, KeyUsage.GSS_ACCEPTOR_SIGN, Buffer.concat([data, token.subarray(0, 16)]), token.subarray(16));
  }
}
