/**
 * Connection-oriented DCE/RPC PDUs ([C706] chapter 12, [MS-RPCE] 2.2.2): the 16-byte common header and the
 * bind, bind_ack, request, response and fault bodies. No authentication verifiers: over an SMB named pipe the
 * SMB session already authenticates, signs or encrypts the bytes.
 */
import { decodeUuid, encodeUuid } from './ndr.js';

export const PduType = { REQUEST: 0, RESPONSE: 2, FAULT: 3, BIND: 11, BIND_ACK: 12, BIND_NAK: 13 } as const;
export const PfcFlag = { FIRST_FRAG: 0x01, LAST_FRAG: 0x02 } as const;
export const HEADER_SIZE = 16;
/** Little-endian integers, ASCII characters, IEEE floats. */
const DREP_LE = 0x10;
/** What Windows and Samba use; the bind_ack may lower it. */
export const DEFAULT_MAX_FRAG = 4280;

/** NDR 2.0, the transfer syntax every server accepts. */
export const NDR_SYNTAX = { uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', version: 2 } as const;

export interface Syntax {
  uuid: string;
  /** Major version in the low 16 bits, minor in the high 16 (as on the wire). */
  version: number;
}

export interface PduHeader {
  type: number;
  flags: number;
  fragLength: number;
  authLength: number;
  callId: number;
}

export class RpcProtocolError extends Error {}

/** A fault PDU: the server understood the call and refused it with this status (nca_s_* or a Win32 code). */
export class RpcFaultError extends Error {
  constructor(readonly status: number) {
    super(`DCE/RPC fault 0x${status.toString(16).padStart(8, '0')}`);
  }
}

function header(type: number, body: Buffer, callId: number, flags = PfcFlag.FIRST_FRAG | PfcFlag.LAST_FRAG): Buffer {
  const h = Buffer.alloc(HEADER_SIZE);
  h.writeUInt8(5, 0); // rpc_vers
  h.writeUInt8(0, 1); // rpc_vers_minor
  h.writeUInt8(type, 2);
  h.writeUInt8(flags, 3);
  h.writeUInt8(DREP_LE, 4);
  h.writeUInt16LE(HEADER_SIZE + body.length, 8);
  h.writeUInt16LE(0, 10); // auth_length
  h.writeUInt32LE(callId >>> 0, 12);
  return Buffer.concat([h, body]);
}

export function readPduHeader(b: Buffer): PduHeader {
  if (b.length < HEADER_SIZE) throw new RpcProtocolError('DCE/RPC fragment shorter than its header');
  if (b.readUInt8(0) !== 5 || b.readUInt8(1) !== 0) throw new RpcProtocolError(`DCE/RPC version ${b.readUInt8(0)}.${b.readUInt8(1)}`);
  if ((b.readUInt8(4) & 0xf0) !== DREP_LE) throw new RpcProtocolError('big-endian DCE/RPC data representation is not supported');
  const h = { type: b.readUInt8(2), flags: b.readUInt8(3), fragLength: b.readUInt16LE(8), authLength: b.readUInt16LE(10), callId: b.readUInt32LE(12) };
  if (h.fragLength < HEADER_SIZE) throw new RpcProtocolError(`DCE/RPC fragment length ${h.fragLength}`);
  return h;
}

function syntaxBytes(s: Syntax): Buffer {
  const b = Buffer.alloc(20);
  encodeUuid(s.uuid).copy(b, 0);
  b.writeUInt32LE(s.version >>> 0, 16);
  return b;
}

export interface BindRequest {
  callId: number;
  abstract: Syntax;
  transfer?: Syntax;
  maxXmitFrag?: number;
  maxRecvFrag?: number;
}

/** bind with one presentation context (id 0): the interface we want, in NDR. */
export function encodeBind(req: BindRequest): Buffer {
  const body = Buffer.alloc(12 + 4 + 40);
  body.writeUInt16LE(req.maxXmitFrag ?? DEFAULT_MAX_FRAG, 0);
  body.writeUInt16LE(req.maxRecvFrag ?? DEFAULT_MAX_FRAG, 2);
  body.writeUInt32LE(0, 4); // assoc_group_id: a new association
  body.writeUInt8(1, 8); // n_context_elem
  body.writeUInt16LE(0, 12); // p_cont_id
  body.writeUInt8(1, 14); // n_transfer_syn
  syntaxBytes(req.abstract).copy(body, 16);
  syntaxBytes(req.transfer ?? NDR_SYNTAX).copy(body, 36);
  return header(PduType.BIND, body, req.callId);
}

export interface BindAck {
  maxXmitFrag: number;
  maxRecvFrag: number;
  assocGroup: number;
  /** The server's end point, e.g. "\PIPE\srvsvc". */
  secondaryAddress: string;
  results: { result: number; reason: number; transfer: Syntax }[];
}

/** Decodes a whole bind_ack PDU (header included); a bind_nak throws with its reason. */
export function decodeBindAck(pdu: Buffer): BindAck {
  const h = readPduHeader(pdu);
  if (h.type === PduType.BIND_NAK) {
    const reason = pdu.length >= HEADER_SIZE + 2 ? pdu.readUInt16LE(HEADER_SIZE) : -1;
    throw new RpcProtocolError(`bind refused (bind_nak, reason ${reason})`);
  }
  if (h.type !== PduType.BIND_ACK) throw new RpcProtocolError(`expected bind_ack, got PDU type ${h.type}`);
  const end = Math.min(pdu.length, h.fragLength);
  let at = HEADER_SIZE;
  const need = (n: number): void => {
    if (at + n > end) throw new RpcProtocolError('bind_ack ends early');
  };
  need(10);
  const maxXmitFrag = pdu.readUInt16LE(at);
  const maxRecvFrag = pdu.readUInt16LE(at + 2);
  const assocGroup = pdu.readUInt32LE(at + 4);
  const addrLen = pdu.readUInt16LE(at + 8);
  at += 10;
  need(addrLen);
  const secondaryAddress = pdu.toString('latin1', at, at + addrLen).replace(/\0$/u, '');
  at += addrLen;
  at += (4 - (at % 4)) % 4; // p_result_list is 4-aligned from the start of the PDU
  need(4);
  const n = pdu.readUInt8(at);
  at += 4;
  const results: BindAck['results'] = [];
  for (let i = 0; i < n; i++) {
    need(24);
    results.push({ result: pdu.readUInt16LE(at), reason: pdu.readUInt16LE(at + 2), transfer: { uuid: decodeUuid(pdu, at + 4), version: pdu.readUInt32LE(at + 20) } });
    at += 24;
  }
  return { maxXmitFrag, maxRecvFrag, assocGroup, secondaryAddress, results };
}

/**
 * A request, cut into fragments of at most `maxFrag` bytes (each with its own header; alloc_hint is what
 * is left of the stub from that fragment on).
 */
export function encodeRequest(callId: number, opnum: number, stub: Buffer, maxFrag = DEFAULT_MAX_FRAG): Buffer[] {
  const room = maxFrag - HEADER_SIZE - 8;
  if (room <= 0) throw new RangeError(`fragment size ${maxFrag} leaves no room for a stub`);
  const out: Buffer[] = [];
  let at = 0;
  do {
    const part = stub.subarray(at, at + room);
    const flags = (at === 0 ? PfcFlag.FIRST_FRAG : 0) | (at + part.length >= stub.length ? PfcFlag.LAST_FRAG : 0);
    const body = Buffer.alloc(8 + part.length);
    body.writeUInt32LE(stub.length - at, 0); // alloc_hint
    body.writeUInt16LE(0, 4); // p_cont_id
    body.writeUInt16LE(opnum, 6);
    part.copy(body, 8);
    out.push(header(PduType.REQUEST, body, callId, flags));
    at += part.length;
  } while (at < stub.length);
  return out;
}

/** One response fragment's stub bytes, or a thrown RpcFaultError for a fault PDU. */
export function decodeResponseFragment(pdu: Buffer, callId: number): { stub: Buffer; last: boolean } {
  const h = readPduHeader(pdu);
  if (h.callId !== callId) throw new RpcProtocolError(`response for call ${h.callId}, expected ${callId}`);
  if (pdu.length < h.fragLength || h.fragLength < HEADER_SIZE + 8 + h.authLength) throw new RpcProtocolError('truncated DCE/RPC response fragment');
  if (h.type === PduType.FAULT) throw new RpcFaultError(h.fragLength >= HEADER_SIZE + 12 ? pdu.readUInt32LE(HEADER_SIZE + 8) : 0);
  if (h.type !== PduType.RESPONSE) throw new RpcProtocolError(`expected a response, got PDU type ${h.type}`);
  // An auth verifier (never asked for here) would sit at the end with its 8-byte trailer; leave it out.
  const end = h.fragLength - (h.authLength > 0 ? h.authLength + 8 : 0);
  return { stub: pdu.subarray(HEADER_SIZE + 8, end), last: (h.flags & PfcFlag.LAST_FRAG) !== 0 };
}
