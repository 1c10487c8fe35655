import { HEADER_SIZE } from './header.js';
import { bodyOffset, checkStructureSize, writeU64 } from './encoding.js';

export interface ReadRequest {
  fileId: Buffer;
  offset: number | bigint;
  length: number;
  minimumCount?: number;
}

export function encodeReadRequest(req: ReadRequest): Buffer {
  const body = Buffer.alloc(49);
  body.writeUInt16LE(49, 0);
  // Padding: where we would like the data to start (0x50 = right after the response's fixed part).
  body.writeUInt8(0x50, 2);
  body.writeUInt32LE(req.length >>> 0, 4);
  writeU64(body, req.offset, 8);
  req.fileId.copy(body, 16, 0, 16);
  body.writeUInt32LE(req.minimumCount ?? 0, 32);
  return body;
}

/** `data` is a view into the received frame: no copy on the hot path. */
export function decodeReadResponse(msg: Buffer): { data: Buffer; remaining: number } {
  checkStructureSize(msg, 17, 'READ');
  const b = HEADER_SIZE;
  const dataOffset = msg.readUInt8(b + 2);
  const length = msg.readUInt32LE(b + 4);
  if (length === 0) return { data: msg.subarray(0, 0), remaining: msg.readUInt32LE(b + 8) };
  if (dataOffset < HEADER_SIZE || dataOffset + length > msg.length) throw new RangeError('READ data outside the message');
  return { data: msg.subarray(dataOffset, dataOffset + length), remaining: msg.readUInt32LE(b + 8) };
}

export const WRITE_FIXED = 48;

/**
 * Returns only the fixed part; the payload follows it directly (DataOffset = 0x70). Keeping the payload
 * separate lets the connection copy it exactly once, straight into the outgoing frame.
 */
export function encodeWriteRequestHead(fileId: Buffer, offset: number | bigint, length: number): Buffer {
  const body = Buffer.alloc(WRITE_FIXED);
  body.writeUInt16LE(49, 0);
  body.writeUInt16LE(bodyOffset(WRITE_FIXED), 2);
  body.writeUInt32LE(length >>> 0, 4);
  writeU64(body, offset, 8);
  fileId.copy(body, 16, 0, 16);
  return body;
}

export function decodeWriteResponse(msg: Buffer): { count: number } {
  checkStructureSize(msg, 17, 'WRITE');
  return { count: msg.readUInt32LE(HEADER_SIZE + 4) };
}
