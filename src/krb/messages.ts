import { Fields, type Node, app, appTag, bool, der, fields, flags32, int, octets, parse, seqOf, str, time, unwrapApp } from './asn1.js';
import type { Key } from './crypto/etypes.js';
import { KrbProtocolError } from './errors.js';

/** Kerberos V5 messages (RFC 4120 section 5) that a client sends and reads. */

export const MsgType = { AS_REQ: 10, AS_REP: 11, TGS_REQ: 12, TGS_REP: 13, AP_REQ: 14, AP_REP: 15, KRB_ERROR: 30 } as const;
const App = { TICKET: 1, AUTHENTICATOR: 2, ENC_AS_REP_PART: 25, ENC_TGS_REP_PART: 26, ENC_AP_REP_PART: 27 } as const;

export const PaType = { TGS_REQ: 1, ENC_TIMESTAMP: 2, ETYPE_INFO2: 19, PAC_REQUEST: 128, FOR_USER: 129 } as const;

export const NameType = { PRINCIPAL: 1, SRV_INST: 2, SRV_HST: 3 } as const;

/** KDCOptions bits (bit 0 is the most significant). */
export const KdcOption = {
  FORWARDABLE: 1 << (31 - 1),
  RENEWABLE: 1 << (31 - 8),
  /** [MS-SFU] S4U2Proxy: the ticket's client comes from the additional (evidence) ticket. */
  CNAME_IN_ADDL_TKT: 1 << (31 - 14),
  CANONICALIZE: 1 << (31 - 15),
  RENEWABLE_OK: 1 << (31 - 27),
} as const;

/** TicketFlags bits (bit 0 the most significant), as in EncKDCRepPart.flags and EncTicketPart.flags. */
export const TicketFlag = {
  FORWARDABLE: 1 << (31 - 1),
  FORWARDED: 1 << (31 - 2),
  PROXIABLE: 1 << (31 - 3),
  RENEWABLE: 1 << (31 - 8),
  INITIAL: 1 << (31 - 9),
  PRE_AUTHENT: 1 << (31 - 10),
  OK_AS_DELEGATE: 1 << (31 - 13),
} as const;

export const ApOption = { MUTUAL_REQUIRED: 1 << (31 - 2) } as const;

export interface PrincipalName {
  type: number;
  parts: string[];
}

export interface EncryptedData {
  etype: number;
  kvno?: number;
  cipher: Buffer;
}

export interface PaData {
  type: number;
  value: Buffer;
}

export interface EtypeInfo2Entry {
  etype: number;
  salt?: string;
  s2kparams?: Buffer;
}

// ---- building blocks -------------------------------------------------------

export function principalNode(p: PrincipalName): Node {
  return fields([0, int(p.type)], [1, seqOf(p.parts.map(str))]);
}

export function readPrincipal(f: Fields): PrincipalName {
  const parts = f.seq(1).map((n) => {
    const v = n.valueBlock as { value?: unknown };
    if (typeof v.value !== 'string') throw new KrbProtocolError('PrincipalName holds a non-string');
    return v.value;
  });
  return { type: f.int(0), parts };
}

export function principalToString(p: PrincipalName, realm?: string): string {
  const name = p.parts.map((s) => s.replace(/([\\/@])/g, '\\$1')).join('/');
  return realm ? `${name}@${realm}` : name;
}

export function encryptedDataNode(e: EncryptedData): Node {
  return fields([0, int(e.etype)], [1, e.kvno === undefined ? undefined : int(e.kvno)], [2, octets(e.cipher)]);
}

export function readEncryptedData(f: Fields): EncryptedData {
  const out: EncryptedData = { etype: f.int(0), cipher: f.octets(2) };
  const kvno = f.optInt(1);
  if (kvno !== undefined) out.kvno = kvno;
  return out;
}

export function keyNode(k: Key): Node {
  return fields([0, int(k.etype)], [1, octets(k.value)]);
}

export function readKey(f: Fields): Key {
  return { etype: f.int(0), value: f.octets(1) };
}

function paDataNode(p: PaData): Node {
  return fields([1, int(p.type)], [2, octets(p.value)]);
}

export function readPaDataList(nodes: Node[], what: string): PaData[] {
  return nodes.map((n) => {
    const f = new Fields(n, what);
    return { type: f.int(1), value: f.octets(2) };
  });
}

/** A ticket kept as its DER bytes (we never look inside) plus the names needed to use it. */
export interface Ticket {
  realm: string;
  sname: PrincipalName;
  der: Buffer;
}

export function readTicket(node: Node): Ticket {
  const f = new Fields(unwrapApp(node, App.TICKET, 'Ticket'), 'Ticket');
  if (f.int(0) !== 5) throw new KrbProtocolError('Ticket is not version 5');
  return { realm: f.str(1), sname: readPrincipal(f.fields(2, 'sname')), der: der(node) };
}

function ticketNode(t: Ticket): Node {
  return parse(t.der, 'Ticket');
}

// ---- KDC requests ----------------------------------------------------------

export interface KdcReqBody {
  options: number;
  cname?: PrincipalName;
  realm: string;
  sname: PrincipalName;
  till: Date;
  nonce: number;
  etypes: number[];
  /** additional-tickets: the evidence ticket of S4U2Proxy. */
  additionalTickets?: Ticket[];
}

export function reqBodyDer(b: KdcReqBody): Buffer {
  return der(
    fields(
      [0, flags32(b.options)],
      [1, b.cname ? principalNode(b.cname) : undefined],
      [2, str(b.realm)],
      [3, principalNode(b.sname)],
      [5, time(b.till)],
      [7, int(b.nonce)],
      [8, seqOf(b.etypes.map(int))],
      [11, b.additionalTickets && b.additionalTickets.length > 0 ? seqOf(b.additionalTickets.map(ticketNode)) : undefined],
    ),
  );
}

/** AS-REQ or TGS-REQ; the body is passed as DER so a TGS authenticator can checksum the exact bytes sent. */
export function encodeKdcReq(msgType: 10 | 12, padata: PaData[], bodyDer: Buffer): Buffer {
  const req = fields(
    [1, int(5)],
    [2, int(msgType)],
    [3, padata.length > 0 ? seqOf(padata.map(paDataNode)) : undefined],
    [4, parse(bodyDer, 'KDC-REQ-BODY')],
  );
  return der(app(msgType, req));
}

export function paEncTsEncDer(now: Date): Buffer {
  return der(fields([0, time(now)], [1, int((now.getTime() % 1000) * 1000)]));
}

export function paPacRequest(include: boolean): PaData {
  return { type: PaType.PAC_REQUEST, value: der(fields([0, bool(include)])) };
}

export function encryptedDataDer(e: EncryptedData): Buffer {
  return der(encryptedDataNode(e));
}

// ---- KDC replies -----------------------------------------------------------

export interface KdcRep {
  msgType: number;
  padata: PaData[];
  crealm: string;
  cname: PrincipalName;
  ticket: Ticket;
  encPart: EncryptedData;
}

export interface EncKdcRepPart {
  key: Key;
  nonce: number;
  flags: number;
  authtime: Date;
  starttime?: Date;
  endtime: Date;
  renewTill?: Date;
  srealm: string;
  sname: PrincipalName;
}

export interface KrbErrorMessage {
  code: number;
  stime: Date;
  susec: number;
  realm: string;
  eText?: string;
  eData?: Buffer;
}

export type KdcReply = { kind: 'rep'; rep: KdcRep } | { kind: 'error'; error: KrbErrorMessage };

export function decodeKdcReply(buf: Buffer, expect: 11 | 13): KdcReply {
  const node = parse(buf, 'KDC reply');
  const tag = appTag(node);
  if (tag === MsgType.KRB_ERROR) return { kind: 'error', error: decodeKrbErrorNode(node) };
  if (tag !== expect) throw new KrbProtocolError(`expected a ${expect === 11 ? 'AS-REP' : 'TGS-REP'}, got [APPLICATION ${tag ?? '?'}]`);
  const f = new Fields(unwrapApp(node, expect, 'KDC-REP'), 'KDC-REP');
  if (f.int(0) !== 5 || f.int(1) !== expect) throw new KrbProtocolError('KDC-REP has the wrong version or type');
  return {
    kind: 'rep',
    rep: {
      msgType: expect,
      padata: f.has(2) ? readPaDataList(f.seq(2), 'PA-DATA') : [],
      crealm: f.str(3),
      cname: readPrincipal(f.fields(4, 'cname')),
      ticket: readTicket(f.node(5)),
      encPart: readEncryptedData(f.fields(6, 'enc-part')),
    },
  };
}

/** EncASRepPart or EncTGSRepPart: AD answers an AS-REQ with either tag, as MIT tolerates. */
export function decodeEncKdcRepPart(buf: Buffer): EncKdcRepPart {
  const node = parse(buf, 'EncKDCRepPart');
  const tag = appTag(node);
  if (tag !== App.ENC_AS_REP_PART && tag !== App.ENC_TGS_REP_PART) throw new KrbProtocolError('not an EncKDCRepPart');
  const f = new Fields(unwrapApp(node, tag, 'EncKDCRepPart'), 'EncKDCRepPart');
  const out: EncKdcRepPart = {
    key: readKey(f.fields(0, 'key')),
    nonce: f.int(2),
    flags: f.flags(4),
    authtime: f.time(5),
    endtime: f.time(7),
    srealm: f.str(9),
    sname: readPrincipal(f.fields(10, 'sname')),
  };
  const starttime = f.optTime(6);
  if (starttime) out.starttime = starttime;
  const renewTill = f.optTime(8);
  if (renewTill) out.renewTill = renewTill;
  return out;
}

function decodeKrbErrorNode(node: Node): KrbErrorMessage {
  const f = new Fields(unwrapApp(node, MsgType.KRB_ERROR, 'KRB-ERROR'), 'KRB-ERROR');
  const out: KrbErrorMessage = { code: f.int(6), stime: f.time(4), susec: f.int(5), realm: f.str(9) };
  const eText = f.optStr(11);
  if (eText !== undefined) out.eText = eText;
  const eData = f.optOctets(12);
  if (eData !== undefined) out.eData = eData;
  return out;
}

export function decodeKrbError(buf: Buffer): KrbErrorMessage {
  return decodeKrbErrorNode(parse(buf, 'KRB-ERROR'));
}

export function isKrbError(buf: Buffer): boolean {
  return buf.length > 0 && buf[0] === 0x7e; // [APPLICATION 30], constructed
}

export function decodeEtypeInfo2(buf: Buffer): EtypeInfo2Entry[] {
  const node = parse(buf, 'ETYPE-INFO2');
  const list = (node.valueBlock as { value?: unknown }).value;
  if (!Array.isArray(list)) throw new KrbProtocolError('ETYPE-INFO2 is not a SEQUENCE OF');
  return (list as Node[]).map((n) => {
    const f = new Fields(n, 'ETYPE-INFO2-ENTRY');
    const e: EtypeInfo2Entry = { etype: f.int(0) };
    const salt = f.optStr(1);
    if (salt !== undefined) e.salt = salt;
    const s2k = f.optOctets(2);
    if (s2k !== undefined) e.s2kparams = s2k;
    return e;
  });
}

/**
 * e-data of a KRB-ERROR: METHOD-DATA (a PA-DATA list, for PREAUTH_REQUIRED) or
 * [MS-KILE] KERB-ERROR-DATA carrying an NTSTATUS (KERB-EXT-ERROR, data-type 3).
 */
export function decodeErrorData(buf: Buffer): { padata: PaData[]; ntStatus?: number } {
  try {
    const node = parse(buf, 'e-data');
    const list = (node.valueBlock as { value?: unknown }).value;
    if (!Array.isArray(list)) return { padata: [] };
    const first = (list as Node[])[0];
    if (first && first.idBlock.tagClass === 3) {
      // KERB-ERROR-DATA ::= SEQUENCE { data-type [1] INTEGER, data-value [2] OCTET STRING OPTIONAL }
      const f = new Fields(node, 'KERB-ERROR-DATA');
      const value = f.optOctets(2);
      if (f.int(1) === 3 && value && value.length >= 4) return { padata: [], ntStatus: value.readUInt32LE(0) };
      return { padata: [] };
    }
    return { padata: readPaDataList(list as Node[], 'PA-DATA') };
  } catch {
    return { padata: [] };
  }
}

// ---- AP exchange -----------------------------------------------------------

export interface Checksum {
  type: number;
  value: Buffer;
}

export interface AuthenticatorFields {
  crealm: string;
  cname: PrincipalName;
  cksum?: Checksum;
  cusec: number;
  ctime: Date;
  subkey?: Key;
  seqNumber?: number;
}

export function authenticatorDer(a: AuthenticatorFields): Buffer {
  return der(
    app(
      App.AUTHENTICATOR,
      fields(
        [0, int(5)],
        [1, str(a.crealm)],
        [2, principalNode(a.cname)],
        [3, a.cksum ? fields([0, int(a.cksum.type)], [1, octets(a.cksum.value)]) : undefined],
        [4, int(a.cusec)],
        [5, time(a.ctime)],
        [6, a.subkey ? keyNode(a.subkey) : undefined],
        [7, a.seqNumber === undefined ? undefined : int(a.seqNumber)],
      ),
    ),
  );
}

export function encodeApReq(ticket: Ticket, options: number, authenticator: EncryptedData): Buffer {
  return der(
    app(
      MsgType.AP_REQ,
      fields([0, int(5)], [1, int(MsgType.AP_REQ)], [2, flags32(options)], [3, ticketNode(ticket)], [4, encryptedDataNode(authenticator)]),
    ),
  );
}

export function decodeApRep(buf: Buffer): EncryptedData {
  const node = parse(buf, 'AP-REP');
  const f = new Fields(unwrapApp(node, MsgType.AP_REP, 'AP-REP'), 'AP-REP');
  if (f.int(0) !== 5 || f.int(1) !== MsgType.AP_REP) throw new KrbProtocolError('AP-REP has the wrong version or type');
  return readEncryptedData(f.fields(2, 'enc-part'));
}

export interface EncApRepPart {
  ctime: Date;
  cusec: number;
  subkey?: Key;
  seqNumber?: number;
}

export function decodeEncApRepPart(buf: Buffer): EncApRepPart {
  const node = parse(buf, 'EncAPRepPart');
  const f = new Fields(unwrapApp(node, App.ENC_AP_REP_PART, 'EncAPRepPart'), 'EncAPRepPart');
  const out: EncApRepPart = { ctime: f.time(0), cusec: f.int(1) };
  if (f.has(2)) out.subkey = readKey(f.fields(2, 'subkey'));
  const seq = f.optInt(3);
  if (seq !== undefined) out.seqNumber = seq;
  return out;
}
