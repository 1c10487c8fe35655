import { HEADER_SIZE } from './header.js';

/** FILETIME: 100 ns ticks since 1601-01-01. Dates keep millisecond precision, the raw value is kept elsewhere. */
const EPOCH_DIFF_MS = 11_644_473_600_000;

export function filetimeToDate(buf: Buffer, offset: number): Date {
  const ticks = buf.readUInt32LE(offset) + buf.readUInt32LE(offset + 4) * 0x1_0000_0000;
  return new Date(ticks === 0 ? 0 : Math.floor(ticks / 10_000) - EPOCH_DIFF_MS);
}

export function dateToFiletime(date: Date): bigint {
  return (BigInt(date.getTime()) + BigInt(EPOCH_DIFF_MS)) * 10_000n;
}

/**
 * Sizes and offsets are u64 on the wire. Below 2^53 a number is exact and cheaper for callers;
 * above we hand out a bigint rather than silently lose bytes.
 */
export function readU64(buf: Buffer, offset: number): number | bigint {
  const hi = buf.readUInt32LE(offset + 4);
  if (hi < 0x20_0000) return buf.readUInt32LE(offset) + hi * 0x1_0000_0000;
  return buf.readBigUInt64LE(offset);
}

export function writeU64(buf: Buffer, value: number | bigint, offset: number): void {
  buf.writeBigUInt64LE(BigInt(value), offset);
}

/** Names travel as UTF-16LE code units; Node's codec maps each JS code unit 1:1, so lone surrogates survive. */
export function encodeName(name: string): Buffer {
  return Buffer.from(name, 'utf16le');
}

export function decodeName(buf: Buffer, offset: number, byteLength: number): string {
  return buf.toString('utf16le', offset, offset + byteLength);
}

export function align8(n: number): number {
  return (n + 7) & ~7;
}

/** Offsets in SMB2 bodies are relative to the start of the header; this turns a body position into one. */
export function bodyOffset(positionInBody: number): number {
  return HEADER_SIZE + positionInBody;
}

/** Returns `msg[offset, offset+length)`, refusing ranges that lie outside the message. */
export function slice(msg: Buffer, offset: number, length: number, what: string): Buffer {
  if (length === 0) return msg.subarray(0, 0);
  if (offset < HEADER_SIZE || offset + length > msg.length) {
    throw new RangeError(`${what} lies outside the message (${offset}+${length} > ${msg.length})`);
  }
  return msg.subarray(offset, offset + length);
}

export function checkStructureSize(msg: Buffer, expected: number, what: string): void {
  if (msg.length < HEADER_SIZE + 2) throw new RangeError(`${what}: response too short`);
  const got = msg.readUInt16LE(HEADER_SIZE);
  if (got !== expected) throw new RangeError(`${what}: StructureSize ${got}, expected ${expected}`);
}
