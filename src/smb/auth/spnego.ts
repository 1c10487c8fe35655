import { AuthProtocolError } from './errors.js';
import {
  Tag,
  type Tlv,
  children,
  content,
  contextTag,
  decodeEnumerated,
  decodeOid,
  encodeEnumerated,
  encodeOid,
  encodeTlv,
  expectTlv,
  readTlv,
  whole,
} from './der.js';

/** SPNEGO tokens (RFC 4178, [MS-SPNG]) as SMB2 SESSION_SETUP carries them. */

export const OID = {
  SPNEGO: '1.3.6.1.5.5.2',
  NTLMSSP: '1.3.6.1.4.1.311.2.2.10',
  NEGOEX: '1.3.6.1.4.1.311.2.2.30',
  KERBEROS: '1.2.840.113554.1.2.2',
  MS_KERBEROS: '1.2.840.48018.1.2.2',
} as const;

export type NegState = 'accept-completed' | 'accept-incomplete' | 'reject' | 'request-mic';
const NEG_STATES: readonly NegState[] = ['accept-completed', 'accept-incomplete', 'reject', 'request-mic'];

export interface NegTokenInit {
  mechTypes: string[];
  /** The MechTypeList exactly as received: what a mechListMIC covers. */
  mechTypesDer: Buffer;
  mechToken?: Buffer;
  mechListMIC?: Buffer;
  /** NegTokenInit2 negHints.hintName; Samba sends "not_defined_in_RFC4178@please_ignore". */
  hintName?: string;
}

export interface NegTokenResp {
  negState?: NegState;
  supportedMech?: string;
  responseToken?: Buffer;
  mechListMIC?: Buffer;
}

// ---- encoding -------------------------------------------------------------

export function encodeMechTypeList(mechTypes: readonly string[]): Buffer {
  return encodeTlv(Tag.SEQUENCE, ...mechTypes.map(encodeOid));
}

/** A NegTokenInit wrapped in the GSS-API InitialContextToken, as a first SESSION_SETUP carries it. */
export function encodeNegTokenInit(init: { mechTypes: readonly string[]; mechToken?: Buffer }): Buffer {
  const fields = [encodeTlv(contextTag(0), encodeMechTypeList(init.mechTypes))];
  if (init.mechToken) fields.push(encodeTlv(contextTag(2), encodeTlv(Tag.OCTET_STRING, init.mechToken)));
  const negTokenInit = encodeTlv(contextTag(0), encodeTlv(Tag.SEQUENCE, ...fields));
  return encodeTlv(Tag.APPLICATION_0, encodeOid(OID.SPNEGO), negTokenInit);
}

export function encodeNegTokenResp(resp: NegTokenResp): Buffer {
  const fields: Buffer[] = [];
  if (resp.negState !== undefined) fields.push(encodeTlv(contextTag(0), encodeEnumerated(NEG_STATES.indexOf(resp.negState))));
  if (resp.supportedMech) fields.push(encodeTlv(contextTag(1), encodeOid(resp.supportedMech)));
  if (resp.responseToken) fields.push(encodeTlv(contextTag(2), encodeTlv(Tag.OCTET_STRING, resp.responseToken)));
  if (resp.mechListMIC) fields.push(encodeTlv(contextTag(3), encodeTlv(Tag.OCTET_STRING, resp.mechListMIC)));
  return encodeTlv(contextTag(1), encodeTlv(Tag.SEQUENCE, ...fields));
}

// ---- decoding -------------------------------------------------------------

function requireWhole(buf: Buffer, tlv: Tlv, what: string): void {
  if (tlv.start !== 0 || tlv.end !== buf.length) throw new AuthProtocolError(`${what} has trailing bytes`);
}

/** The single element inside an explicit [n] tag. */
function inner(buf: Buffer, wrapper: Tlv, tag: number, what: string): Tlv {
  const kids = children(buf, wrapper);
  if (kids.length !== 1 || kids[0]!.tag !== tag) throw new AuthProtocolError(`${what} is malformed`);
  return kids[0]!;
}

function octetString(buf: Buffer, wrapper: Tlv, what: string): Buffer {
  return content(buf, inner(buf, wrapper, Tag.OCTET_STRING, what));
}

function parseMechTypes(buf: Buffer, list: Tlv): string[] {
  return children(buf, list).map((oid) => {
    if (oid.tag !== Tag.OID) throw new AuthProtocolError('SPNEGO mechTypes holds something other than an OID');
    return decodeOid(content(buf, oid));
  });
}

function parseHintName(buf: Buffer, hints: Tlv): string | undefined {
  for (const hint of children(buf, hints)) {
    if (hint.tag === contextTag(0)) return content(buf, inner(buf, hint, Tag.GENERAL_STRING, 'SPNEGO hintName')).toString('latin1');
  }
  return undefined;
}

/**
 * Parses a NegTokenInit or [MS-SPNG] NegTokenInit2, with or without the GSS
 * InitialContextToken wrapper. Its [3] is mechListMIC in RFC 4178 but negHints
 * in NegTokenInit2; the inner tag tells them apart.
 */
export function parseNegTokenInit(token: Buffer): NegTokenInit {
  let outer = readTlv(token, 0);
  requireWhole(token, outer, 'SPNEGO token');
  if (outer.tag === Tag.APPLICATION_0) {
    const oid = expectTlv(token, outer.contentStart, Tag.OID, 'GSS-API token', outer.end);
    const mech = decodeOid(content(token, oid));
    if (mech !== OID.SPNEGO) throw new AuthProtocolError(`GSS-API token is for ${mech}, not SPNEGO`);
    outer = expectTlv(token, oid.end, contextTag(0), 'SPNEGO NegotiationToken', outer.end);
  } else if (outer.tag !== contextTag(0)) {
    throw new AuthProtocolError(`not a SPNEGO NegTokenInit (tag 0x${outer.tag.toString(16)})`);
  }
  const sequence = inner(token, outer, Tag.SEQUENCE, 'SPNEGO NegTokenInit');

  const result: NegTokenInit = { mechTypes: [], mechTypesDer: Buffer.alloc(0) };
  let sawMechTypes = false;
  for (const field of children(token, sequence)) {
    switch (field.tag) {
      case contextTag(0): {
        const list = inner(token, field, Tag.SEQUENCE, 'SPNEGO mechTypes');
        result.mechTypes = parseMechTypes(token, list);
        result.mechTypesDer = whole(token, list);
        sawMechTypes = true;
        break;
      }
      case contextTag(2):
        result.mechToken = octetString(token, field, 'SPNEGO mechToken');
        break;
      case contextTag(3): {
        const value = readTlv(token, field.contentStart, field.end);
        if (value.tag === Tag.SEQUENCE) {
          const hintName = parseHintName(token, value);
          if (hintName !== undefined) result.hintName = hintName;
        } else {
          result.mechListMIC = octetString(token, field, 'SPNEGO mechListMIC');
        }
        break;
      }
      case contextTag(4):
        result.mechListMIC = octetString(token, field, 'SPNEGO mechListMIC');
        break;
      default:
        // reqFlags [1] and anything newer: not needed, and safe to skip.
        break;
    }
  }
  if (!sawMechTypes) throw new AuthProtocolError('SPNEGO NegTokenInit has no mechTypes');
  return result;
}

export function parseNegTokenResp(token: Buffer): NegTokenResp {
  const outer = readTlv(token, 0);
  requireWhole(token, outer, 'SPNEGO token');
  if (outer.tag !== contextTag(1)) throw new AuthProtocolError(`not a SPNEGO NegTokenResp (tag 0x${outer.tag.toString(16)})`);
  const sequence = inner(token, outer, Tag.SEQUENCE, 'SPNEGO NegTokenResp');
  const result: NegTokenResp = {};
  for (const field of children(token, sequence)) {
    switch (field.tag) {
      case contextTag(0): {
        const value = decodeEnumerated(content(token, inner(token, field, Tag.ENUMERATED, 'SPNEGO negState')));
        const state = NEG_STATES[value];
        if (!state) throw new AuthProtocolError(`unknown SPNEGO negState ${value}`);
        result.negState = state;
        break;
      }
      case contextTag(1):
        result.supportedMech = decodeOid(content(token, inner(token, field, Tag.OID, 'SPNEGO supportedMech')));
        break;
      case contextTag(2):
        result.responseToken = octetString(token, field, 'SPNEGO responseToken');
        break;
      case contextTag(3):
        result.mechListMIC = octetString(token, field, 'SPNEGO mechListMIC');
        break;
      default:
        break;
    }
  }
  return result;
}
