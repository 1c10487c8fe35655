import { bodyOffset, encodeName, writeU64 } from './encoding.js';

export interface SetInfoRequest {
  fileId: Buffer;
  infoType: number;
  infoClass: number;
  data: Buffer;
  additionalInformation?: number;
}

const FIXED = 32;

export function encodeSetInfoRequest(req: SetInfoRequest): Buffer {
  const body = Buffer.alloc(FIXED + req.data.length);
  body.writeUInt16LE(33, 0);
  body.writeUInt8(req.infoType, 2);
  body.writeUInt8(req.infoClass, 3);
  body.writeUInt32LE(req.data.length, 4);
  body.writeUInt16LE(bodyOffset(FIXED), 8);
  body.writeUInt32LE(req.additionalInformation ?? 0, 12);
  req.fileId.copy(body, 16, 0, 16);
  req.data.copy(body, FIXED);
  return body;
}

/** FileRenameInformation (SMB2 form): `target` is relative to the share root, backslash-separated. */
export function encodeFileRenameInfo(target: string, replaceIfExists: boolean): Buffer {
  const name = encodeName(target);
  const out = Buffer.alloc(Math.max(20 + name.length, 24));
  out.writeUInt8(replaceIfExists ? 1 : 0, 0);
  out.writeUInt32LE(name.length, 16);
  name.copy(out, 20);
  return out;
}

export function encodeFileDispositionInfo(deletePending: boolean): Buffer {
  return Buffer.from([deletePending ? 1 : 0]);
}

export function encodeFileEndOfFileInfo(endOfFile: number | bigint): Buffer {
  const out = Buffer.alloc(8);
  writeU64(out, endOfFile, 0);
  return out;
}
