import { HeaderFlag } from './constants.js';

export const HEADER_SIZE = 64;
const PROTOCOL_ID = 0x424d53fe; // "\xFESMB" read as little-endian u32
export const SIGNATURE_OFFSET = 48;

/** Fields the client chooses for an outgoing header. Async requests are only ever CANCEL. */
export interface RequestHeader {
  command: number;
  creditCharge: number;
  creditRequest: number;
  flags: number;
  nextCommand: number;
  messageId: number;
  treeId: number;
  sessionId: bigint;
  /** When set, the header is written in its async form (used by CANCEL of a pending request). */
  asyncId?: bigint;
  channelSequence?: number;
}

export interface ResponseHeader {
  creditCharge: number;
  status: number;
  command: number;
  creditResponse: number;
  flags: number;
  nextCommand: number;
  messageId: number;
  /** Present only in the async form (SMB2_FLAGS_ASYNC_COMMAND). */
  asyncId: bigint | undefined;
  treeId: number;
  sessionId: bigint;
}

function writeU64FromNumber(buf: Buffer, value: number, offset: number): void {
  buf.writeUInt32LE(value % 0x1_0000_0000, offset);
  buf.writeUInt32LE(Math.floor(value / 0x1_0000_0000), offset + 4);
}

function readU64AsNumber(buf: Buffer, offset: number): number {
  return buf.readUInt32LE(offset) + buf.readUInt32LE(offset + 4) * 0x1_0000_0000;
}

/** Writes a 64-byte header at `offset`, leaving the signature zeroed. */
export function writeRequestHeader(buf: Buffer, offset: number, h: RequestHeader): void {
  buf.writeUInt32LE(PROTOCOL_ID, offset);
  buf.writeUInt16LE(HEADER_SIZE, offset + 4);
  buf.writeUInt16LE(h.creditCharge, offset + 6);
  buf.writeUInt32LE(h.channelSequence ?? 0, offset + 8);
  buf.writeUInt16LE(h.command, offset + 12);
  buf.writeUInt16LE(h.creditRequest, offset + 14);
  const flags = h.asyncId === undefined ? h.flags : h.flags | HeaderFlag.ASYNC_COMMAND;
  buf.writeUInt32LE(flags >>> 0, offset + 16);
  buf.writeUInt32LE(h.nextCommand, offset + 20);
  // 0xFFFFFFFFFFFFFFFF is reserved for server-sent oplock breaks and never used by us, so a number suffices.
  writeU64FromNumber(buf, h.messageId, offset + 24);
  if (h.asyncId === undefined) {
    buf.writeUInt32LE(0xfeff, offset + 32);
    buf.writeUInt32LE(h.treeId >>> 0, offset + 36);
  } else {
    buf.writeBigUInt64LE(h.asyncId, offset + 32);
  }
  buf.writeBigUInt64LE(h.sessionId, offset + 40);
  buf.fill(0, offset + SIGNATURE_OFFSET, offset + HEADER_SIZE);
}

export function isSmb2Message(buf: Buffer, offset = 0): boolean {
  return buf.length >= offset + HEADER_SIZE && buf.readUInt32LE(offset) === PROTOCOL_ID;
}

export function readResponseHeader(buf: Buffer, offset = 0): ResponseHeader {
  if (!isSmb2Message(buf, offset)) throw new RangeError('not an SMB2 message');
  const flags = buf.readUInt32LE(offset + 16);
  const async = (flags & HeaderFlag.ASYNC_COMMAND) !== 0;
  const rawId = buf.readBigUInt64LE(offset + 24);
  return {
    creditCharge: buf.readUInt16LE(offset + 6),
    status: buf.readUInt32LE(offset + 8),
    command: buf.readUInt16LE(offset + 12),
    creditResponse: buf.readUInt16LE(offset + 14),
    flags,
    nextCommand: buf.readUInt32LE(offset + 20),
    messageId: rawId === 0xffffffffffffffffn ? -1 : readU64AsNumber(buf, offset + 24),
    asyncId: async ? buf.readBigUInt64LE(offset + 32) : undefined,
    treeId: async ? 0 : buf.readUInt32LE(offset + 36),
    sessionId: buf.readBigUInt64LE(offset + 40),
  };
}

/**
 * Splits a (possibly compounded) response frame into its messages. Each slice runs up to the next
 * NextCommand offset, which is exactly the range the signature covers.
 */
export function splitCompound(frame: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let offset = 0;
  for (;;) {
    if (frame.length - offset < HEADER_SIZE) throw new RangeError('truncated SMB2 message in compound');
    const next = frame.readUInt32LE(offset + 20);
    if (next === 0) {
      out.push(frame.subarray(offset));
      return out;
    }
    if (next < HEADER_SIZE || offset + next > frame.length) throw new RangeError('bad NextCommand offset');
    out.push(frame.subarray(offset, offset + next));
    offset += next;
  }
}
