import { HEADER_SIZE } from './header.js';
import { bodyOffset, checkStructureSize, slice, writeU64 } from './encoding.js';

export const IoctlFlag = { IS_FSCTL: 0x00000001 } as const;

export interface IoctlRequest {
  ctlCode: number;
  fileId: Buffer;
  input: Buffer;
  maxOutputResponse: number;
}

const FIXED = 56;

export function encodeIoctlRequest(req: IoctlRequest): Buffer {
  const body = Buffer.alloc(FIXED + Math.max(req.input.length, 1));
  body.writeUInt16LE(57, 0);
  body.writeUInt32LE(req.ctlCode >>> 0, 4);
  req.fileId.copy(body, 8, 0, 16);
  body.writeUInt32LE(req.input.length === 0 ? 0 : bodyOffset(FIXED), 24);
  body.writeUInt32LE(req.input.length, 28);
  body.writeUInt32LE(0, 32);
  body.writeUInt32LE(0, 36);
  body.writeUInt32LE(0, 40);
  body.writeUInt32LE(req.maxOutputResponse >>> 0, 44);
  body.writeUInt32LE(IoctlFlag.IS_FSCTL, 48);
  req.input.copy(body, FIXED);
  return body;
}

export function decodeIoctlResponse(msg: Buffer): { ctlCode: number; output: Buffer } {
  checkStructureSize(msg, 49, 'IOCTL');
  const b = HEADER_SIZE;
  return {
    ctlCode: msg.readUInt32LE(b + 4),
    output: slice(msg, msg.readUInt32LE(b + 32), msg.readUInt32LE(b + 36), 'IOCTL output'),
  };
}

export interface ValidateNegotiateInfo {
  capabilities: number;
  guid: Buffer;
  securityMode: number;
  dialects: readonly number[];
}

export function encodeValidateNegotiateInfo(info: ValidateNegotiateInfo): Buffer {
  const out = Buffer.alloc(24 + 2 * info.dialects.length);
  out.writeUInt32LE(info.capabilities >>> 0, 0);
  info.guid.copy(out, 4, 0, 16);
  out.writeUInt16LE(info.securityMode, 20);
  out.writeUInt16LE(info.dialects.length, 22);
  info.dialects.forEach((d, i) => out.writeUInt16LE(d, 24 + 2 * i));
  return out;
}

export function decodeValidateNegotiateResponse(out: Buffer): { capabilities: number; guid: Buffer; securityMode: number; dialect: number } {
  if (out.length < 24) throw new RangeError('VALIDATE_NEGOTIATE_INFO response too short');
  return {
    capabilities: out.readUInt32LE(0),
    guid: Buffer.from(out.subarray(4, 20)),
    securityMode: out.readUInt16LE(20),
    dialect: out.readUInt16LE(22),
  };
}

/** SRV_REQUEST_RESUME_KEY output: a 24-byte key naming the source file for COPYCHUNK. */
export function decodeResumeKey(out: Buffer): Buffer {
  if (out.length < 24) throw new RangeError('resume key too short');
  return Buffer.from(out.subarray(0, 24));
}

export interface CopyChunk {
  sourceOffset: number | bigint;
  targetOffset: number | bigint;
  length: number;
}

export function encodeCopyChunkInput(resumeKey: Buffer, chunks: readonly CopyChunk[]): Buffer {
  const out = Buffer.alloc(32 + 24 * chunks.length);
  resumeKey.copy(out, 0, 0, 24);
  out.writeUInt32LE(chunks.length, 24);
  chunks.forEach((c, i) => {
    const at = 32 + 24 * i;
    writeU64(out, c.sourceOffset, at);
    writeU64(out, c.targetOffset, at + 8);
    out.writeUInt32LE(c.length, at + 16);
  });
  return out;
}

/**
 * On success: how much was copied. On STATUS_INVALID_PARAMETER the same three fields carry the server's
 * limits instead (max chunks, max chunk size, max total bytes).
 */
export function decodeCopyChunkResponse(out: Buffer): { chunksWritten: number; chunkBytesWritten: number; totalBytesWritten: number } {
  if (out.length < 12) throw new RangeError('COPYCHUNK response too short');
  return { chunksWritten: out.readUInt32LE(0), chunkBytesWritten: out.readUInt32LE(4), totalBytesWritten: out.readUInt32LE(8) };
}
