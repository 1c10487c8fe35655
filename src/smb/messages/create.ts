import { ImpersonationLevel, OplockLevel } from './constants.js';
import { HEADER_SIZE } from './header.js';
import { align8, bodyOffset, checkStructureSize, encodeName, readU64, filetimeToDate } from './encoding.js';

export interface CreateContext {
  /** Four ASCII characters such as "MxAc" or "QFid". */
  name: string;
  data: Buffer;
}

export interface CreateRequest {
  /** Path relative to the share root with backslashes and no leading separator; "" is the root. */
  path: string;
  desiredAccess: number;
  fileAttributes?: number;
  shareAccess: number;
  disposition: number;
  options: number;
  oplockLevel?: number;
  contexts?: readonly CreateContext[];
}

const FIXED = 56;

function encodeCreateContexts(contexts: readonly CreateContext[]): Buffer {
  const parts = contexts.map((c, i) => {
    const name = Buffer.from(c.name, 'latin1');
    const dataOffset = align8(16 + name.length);
    const len = dataOffset + c.data.length;
    const padded = i === contexts.length - 1 ? len : align8(len);
    const out = Buffer.alloc(padded);
    out.writeUInt32LE(i === contexts.length - 1 ? 0 : padded, 0);
    out.writeUInt16LE(16, 4);
    out.writeUInt16LE(name.length, 6);
    out.writeUInt16LE(c.data.length === 0 ? 0 : dataOffset, 10);
    out.writeUInt32LE(c.data.length, 12);
    name.copy(out, 16);
    c.data.copy(out, dataOffset);
    return out;
  });
  return Buffer.concat(parts);
}

export function encodeCreateRequest(req: CreateRequest): Buffer {
  const name = encodeName(req.path);
  const contexts = req.contexts !== undefined && req.contexts.length > 0 ? encodeCreateContexts(req.contexts) : undefined;
  // The spec wants at least one byte of Buffer even for an empty name.
  const nameArea = Math.max(name.length, 1);
  const contextsAt = contexts === undefined ? 0 : align8(FIXED + nameArea);
  const body = Buffer.alloc(contexts === undefined ? FIXED + nameArea : contextsAt + contexts.length);
  body.writeUInt16LE(57, 0);
  body.writeUInt8(req.oplockLevel ?? OplockLevel.NONE, 3);
  body.writeUInt32LE(ImpersonationLevel.IMPERSONATION, 4);
  body.writeUInt32LE(req.desiredAccess >>> 0, 24);
  body.writeUInt32LE((req.fileAttributes ?? 0) >>> 0, 28);
  body.writeUInt32LE(req.shareAccess, 32);
  body.writeUInt32LE(req.disposition, 36);
  body.writeUInt32LE(req.options >>> 0, 40);
  body.writeUInt16LE(bodyOffset(FIXED), 44);
  body.writeUInt16LE(name.length, 46);
  name.copy(body, FIXED);
  if (contexts !== undefined) {
    body.writeUInt32LE(bodyOffset(contextsAt), 48);
    body.writeUInt32LE(contexts.length, 52);
    contexts.copy(body, contextsAt);
  }
  return body;
}

/** The timestamps, sizes and attributes that CREATE, CLOSE (with POSTQUERY) and directory entries share. */
export interface FileTimesAndSizes {
  creationTime: Date;
  lastAccessTime: Date;
  lastWriteTime: Date;
  changeTime: Date;
  allocationSize: number | bigint;
  endOfFile: number | bigint;
  fileAttributes: number;
}

export function readTimesAndSizes(buf: Buffer, at: number, sizesFirstEof: boolean): FileTimesAndSizes {
  // CREATE/CLOSE put AllocationSize before EndOfFile; directory entries do the opposite.
  const a = readU64(buf, at + 32);
  const b = readU64(buf, at + 40);
  return {
    creationTime: filetimeToDate(buf, at),
    lastAccessTime: filetimeToDate(buf, at + 8),
    lastWriteTime: filetimeToDate(buf, at + 16),
    changeTime: filetimeToDate(buf, at + 24),
    allocationSize: sizesFirstEof ? b : a,
    endOfFile: sizesFirstEof ? a : b,
    fileAttributes: buf.readUInt32LE(at + 48),
  };
}

export interface CreateResponse extends FileTimesAndSizes {
  oplockLevel: number;
  createAction: number;
  fileId: Buffer;
  contexts: CreateContext[];
}

export function decodeCreateContexts(msg: Buffer, offset: number, length: number): CreateContext[] {
  const out: CreateContext[] = [];
  if (length === 0) return out;
  let at = offset;
  const end = offset + length;
  while (at + 16 <= end && end <= msg.length) {
    const next = msg.readUInt32LE(at);
    const nameOff = msg.readUInt16LE(at + 4);
    const nameLen = msg.readUInt16LE(at + 6);
    const dataOff = msg.readUInt16LE(at + 10);
    const dataLen = msg.readUInt32LE(at + 12);
    out.push({
      name: msg.toString('latin1', at + nameOff, at + nameOff + nameLen),
      data: Buffer.from(msg.subarray(at + dataOff, at + dataOff + dataLen)),
    });
    if (next === 0) break;
    at += next;
  }
  return out;
}

export function decodeCreateResponse(msg: Buffer): CreateResponse {
  checkStructureSize(msg, 89, 'CREATE');
  const b = HEADER_SIZE;
  return {
    oplockLevel: msg.readUInt8(b + 2),
    createAction: msg.readUInt32LE(b + 4),
    ...readTimesAndSizes(msg, b + 8, false),
    fileId: Buffer.from(msg.subarray(b + 64, b + 80)),
    contexts: decodeCreateContexts(msg, msg.readUInt32LE(b + 80), msg.readUInt32LE(b + 84)),
  };
}
