import * as asn1 from 'asn1js';
import { KRB5_OID } from './gss.js';
import { KrbProtocolError } from './errors.js';

/**
 * The acceptor's side of SPNEGO (RFC 4178) as HTTP Negotiate (RFC 4559) carries it: the browser's NegTokenInit
 * holding a Kerberos AP-REQ, and our NegTokenResp holding the AP-REP. A bare Kerberos GSS token (some clients send
 * one without SPNEGO) is taken as is. src/smb has its own initiator-side SPNEGO; src/krb imports nothing from it.
 */

const SPNEGO_OID = '1.3.6.1.5.5.2';
/** [MS-KILE]: the OID Windows lists first for Kerberos; the token inside still carries the standard one. */
const MS_KRB5_OID = '1.2.840.48018.1.2.2';
const KERBEROS_OIDS = new Set([KRB5_OID, MS_KRB5_OID]);

export interface NegotiateToken {
  /** The Kerberos GSS token (InitialContextToken around the AP-REQ). */
  krbToken: Buffer;
  /** Whether it came inside SPNEGO (then the answer goes back inside a NegTokenResp). */
  spnego: boolean;
}

const isContext = (n: asn1.AsnType, tag: number): boolean => n.idBlock.tagClass === 3 && n.idBlock.tagNumber === tag;
const children = (n: asn1.AsnType): asn1.AsnType[] => {
  const v = (n.valueBlock as { value?: unknown }).value;
  return Array.isArray(v) ? (v as asn1.AsnType[]) : [];
};

export function parseNegotiateToken(token: Buffer): NegotiateToken {
  const parsed = asn1.fromBER(token);
  if (parsed.offset === -1 || parsed.offset !== token.length) throw new KrbProtocolError('Negotiate token is not a GSS-API token');
  const outer = parsed.result;
  // A bare Kerberos token's inner part is not BER (token id 0x0100 then the AP-REQ), so it never parses as SPNEGO's.
  const first = children(outer)[0];
  if (outer.idBlock.tagClass !== 2 || outer.idBlock.tagNumber !== 0 || !(first instanceof asn1.ObjectIdentifier)) {
    throw new KrbProtocolError('Negotiate token is not a GSS-API InitialContextToken');
  }
  const mech = first.valueBlock.toString();
  if (KERBEROS_OIDS.has(mech)) return { krbToken: token, spnego: false };
  if (mech !== SPNEGO_OID) throw new KrbProtocolError(`Negotiate token is for mechanism ${mech}, not SPNEGO or Kerberos`);
  const init = children(outer)[1];
  const seq = init && isContext(init, 0) ? children(init)[0] : undefined;
  if (!(seq instanceof asn1.Sequence)) throw new KrbProtocolError('SPNEGO token is not a NegTokenInit');
  let mechTypes: string[] = [];
  let mechToken: Buffer | undefined;
  for (const field of children(seq)) {
    const value = children(field)[0];
    if (isContext(field, 0) && value instanceof asn1.Sequence) {
      mechTypes = children(value).map((o) => (o instanceof asn1.ObjectIdentifier ? o.valueBlock.toString() : ''));
    } else if (isContext(field, 2) && value instanceof asn1.OctetString) {
      mechToken = Buffer.from(value.valueBlock.valueHexView);
    }
  }
  // Only the client's first choice may come with a token (RFC 4178 4.2.1), and we speak Kerberos only.
  if (!mechTypes[0] || !KERBEROS_OIDS.has(mechTypes[0])) {
    throw new KrbProtocolError(`SPNEGO offers ${mechTypes.join(', ') || 'nothing'} first, not Kerberos (an NTLM token from a browser outside the domain?)`);
  }
  if (!mechToken) throw new KrbProtocolError('SPNEGO NegTokenInit carries no Kerberos token');
  return { krbToken: mechToken, spnego: true };
}

/** NegTokenResp { negState accept-completed, supportedMech, responseToken }: the final answer with our AP-REP. */
export function encodeNegTokenAccept(responseToken: Buffer, mech: string = KRB5_OID): Buffer {
  const field = (tag: number, value: asn1.AsnType): asn1.AsnType => new asn1.Constructed({ idBlock: { tagClass: 3, tagNumber: tag }, value: [value] });
  const resp = field(
    1,
    new asn1.Sequence({
      value: [field(0, new asn1.Enumerated({ value: 0 })), field(1, new asn1.ObjectIdentifier({ value: mech })), field(2, new asn1.OctetString({ valueHex: responseToken }))],
    }),
  );
  return Buffer.from(resp.toBER(false));
}
