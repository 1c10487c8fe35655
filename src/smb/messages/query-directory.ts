import { FileInfoClass } from './constants.js';
import { HEADER_SIZE } from './header.js';
import { bodyOffset, checkStructureSize, decodeName, encodeName, readU64, slice } from './encoding.js';
import { readTimesAndSizes, type FileTimesAndSizes } from './create.js';

export interface QueryDirectoryRequest {
  fileId: Buffer;
  infoClass: number;
  flags: number;
  pattern: string;
  outputBufferLength: number;
  fileIndex?: number;
}

const FIXED = 32;

export function encodeQueryDirectoryRequest(req: QueryDirectoryRequest): Buffer {
  const pattern = encodeName(req.pattern);
  const body = Buffer.alloc(FIXED + Math.max(pattern.length, 1));
  body.writeUInt16LE(33, 0);
  body.writeUInt8(req.infoClass, 2);
  body.writeUInt8(req.flags, 3);
  body.writeUInt32LE(req.fileIndex ?? 0, 4);
  req.fileId.copy(body, 8, 0, 16);
  body.writeUInt16LE(pattern.length === 0 ? 0 : bodyOffset(FIXED), 24);
  body.writeUInt16LE(pattern.length, 26);
  body.writeUInt32LE(req.outputBufferLength >>> 0, 28);
  pattern.copy(body, FIXED);
  return body;
}

/** Shared by QUERY_DIRECTORY, QUERY_INFO and CHANGE_NOTIFY: a 9-byte body pointing at an output buffer. */
export function decodeOutputBuffer(msg: Buffer, what: string): Buffer {
  checkStructureSize(msg, 9, what);
  const b = HEADER_SIZE;
  return slice(msg, msg.readUInt16LE(b + 2), msg.readUInt32LE(b + 4), `${what} output`);
}

export interface DirectoryEntry extends FileTimesAndSizes {
  name: string;
  shortName: string;
  /** Server's 64-bit file id (FileIdBothDirectoryInformation only). */
  fileId: number | bigint | undefined;
}

/** Parses FileIdBothDirectoryInformation (0x25) or FileBothDirectoryInformation (0x03) entries. */
export function decodeDirectoryEntries(buf: Buffer, infoClass: number): DirectoryEntry[] {
  const withId = infoClass === FileInfoClass.FileIdBothDirectoryInformation;
  const nameAt = withId ? 104 : 94;
  const out: DirectoryEntry[] = [];
  let at = 0;
  while (at + nameAt <= buf.length) {
    const next = buf.readUInt32LE(at);
    const nameLength = buf.readUInt32LE(at + 60);
    if (at + nameAt + nameLength > buf.length) throw new RangeError('directory entry name outside the buffer');
    const shortLength = Math.min(buf.readUInt8(at + 68), 24);
    out.push({
      ...readTimesAndSizes(buf, at + 8, true),
      name: decodeName(buf, at + nameAt, nameLength),
      shortName: decodeName(buf, at + 70, shortLength),
      fileId: withId ? readU64(buf, at + 96) : undefined,
    });
    if (next === 0) break;
    at += next;
  }
  return out;
}
