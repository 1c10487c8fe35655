import { bodyOffset, dateToFiletime, decodeName, filetimeToDate, readU64, writeU64 } from './encoding.js';
import type { FileTimesAndSizes } from './create.js';

export interface QueryInfoRequest {
  fileId: Buffer;
  infoType: number;
  infoClass: number;
  outputBufferLength: number;
  additionalInformation?: number;
  input?: Buffer;
}

const FIXED = 40;

export function encodeQueryInfoRequest(req: QueryInfoRequest): Buffer {
  const input = req.input ?? Buffer.alloc(0);
  const body = Buffer.alloc(FIXED + Math.max(input.length, 1));
  body.writeUInt16LE(41, 0);
  body.writeUInt8(req.infoType, 2);
  body.writeUInt8(req.infoClass, 3);
  body.writeUInt32LE(req.outputBufferLength >>> 0, 4);
  body.writeUInt16LE(input.length === 0 ? 0 : bodyOffset(FIXED), 8);
  body.writeUInt32LE(input.length, 12);
  body.writeUInt32LE(req.additionalInformation ?? 0, 16);
  req.fileId.copy(body, 24, 0, 16);
  input.copy(body, FIXED);
  return body;
}

export interface FileBasicInfo {
  creationTime: Date;
  lastAccessTime: Date;
  lastWriteTime: Date;
  changeTime: Date;
  fileAttributes: number;
}

export interface FileStandardInfo {
  allocationSize: number | bigint;
  endOfFile: number | bigint;
  numberOfLinks: number;
  deletePending: boolean;
  directory: boolean;
}

export interface FileAllInfo extends FileTimesAndSizes {
  numberOfLinks: number;
  deletePending: boolean;
  directory: boolean;
  indexNumber: number | bigint;
  name: string;
}

export function decodeFileBasicInfo(buf: Buffer): FileBasicInfo {
  if (buf.length < 36) throw new RangeError('FileBasicInformation too short');
  return {
    creationTime: filetimeToDate(buf, 0),
    lastAccessTime: filetimeToDate(buf, 8),
    lastWriteTime: filetimeToDate(buf, 16),
    changeTime: filetimeToDate(buf, 24),
    fileAttributes: buf.readUInt32LE(32),
  };
}

export function decodeFileStandardInfo(buf: Buffer, at = 0): FileStandardInfo {
  if (buf.length < at + 22) throw new RangeError('FileStandardInformation too short');
  return {
    allocationSize: readU64(buf, at),
    endOfFile: readU64(buf, at + 8),
    numberOfLinks: buf.readUInt32LE(at + 16),
    deletePending: buf.readUInt8(at + 20) !== 0,
    directory: buf.readUInt8(at + 21) !== 0,
  };
}

/** FileAllInformation: Basic(40) Standard(24) Internal(8) EA(4) Access(4) Position(8) Mode(4) Alignment(4) Name. */
export function decodeFileAllInfo(buf: Buffer): FileAllInfo {
  if (buf.length < 100) throw new RangeError('FileAllInformation too short');
  const basic = decodeFileBasicInfo(buf.subarray(0, 40));
  const std = decodeFileStandardInfo(buf, 40);
  const nameLength = buf.readUInt32LE(96);
  return {
    ...basic,
    allocationSize: std.allocationSize,
    endOfFile: std.endOfFile,
    numberOfLinks: std.numberOfLinks,
    deletePending: std.deletePending,
    directory: std.directory,
    indexNumber: readU64(buf, 64),
    name: decodeName(buf, 100, Math.min(nameLength, buf.length - 100)),
  };
}

export interface FsFullSizeInfo {
  totalAllocationUnits: number | bigint;
  callerAvailableAllocationUnits: number | bigint;
  actualAvailableAllocationUnits: number | bigint;
  sectorsPerAllocationUnit: number;
  bytesPerSector: number;
}

export function decodeFsFullSizeInfo(buf: Buffer): FsFullSizeInfo {
  if (buf.length < 32) throw new RangeError('FileFsFullSizeInformation too short');
  return {
    totalAllocationUnits: readU64(buf, 0),
    callerAvailableAllocationUnits: readU64(buf, 8),
    actualAvailableAllocationUnits: readU64(buf, 16),
    sectorsPerAllocationUnit: buf.readUInt32LE(24),
    bytesPerSector: buf.readUInt32LE(28),
  };
}

/** FileBasicInformation for SET_INFO; zero in a time field means "leave unchanged". */
export function encodeFileBasicInfo(info: Partial<FileBasicInfo>): Buffer {
  const out = Buffer.alloc(40);
  const times: (Date | undefined)[] = [info.creationTime, info.lastAccessTime, info.lastWriteTime, info.changeTime];
  times.forEach((t, i) => writeU64(out, t === undefined ? 0n : dateToFiletime(t), 8 * i));
  out.writeUInt32LE((info.fileAttributes ?? 0) >>> 0, 32);
  return out;
}
