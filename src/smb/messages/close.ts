import { HEADER_SIZE } from './header.js';
import { checkStructureSize } from './encoding.js';
import { readTimesAndSizes, type FileTimesAndSizes } from './create.js';

export const CloseFlag = { POSTQUERY_ATTRIB: 0x0001 } as const;

export function encodeCloseRequest(fileId: Buffer, flags = 0): Buffer {
  const body = Buffer.alloc(24);
  body.writeUInt16LE(24, 0);
  body.writeUInt16LE(flags, 2);
  fileId.copy(body, 8, 0, 16);
  return body;
}

/** Attributes are only meaningful when the request asked for POSTQUERY_ATTRIB. */
export interface CloseResponse {
  flags: number;
  attributes: FileTimesAndSizes | undefined;
}

export function decodeCloseResponse(msg: Buffer): CloseResponse {
  checkStructureSize(msg, 60, 'CLOSE');
  const flags = msg.readUInt16LE(HEADER_SIZE + 2);
  return {
    flags,
    attributes: (flags & 1) !== 0 ? readTimesAndSizes(msg, HEADER_SIZE + 8, false) : undefined,
  };
}

export function encodeFlushRequest(fileId: Buffer): Buffer {
  const body = Buffer.alloc(24);
  body.writeUInt16LE(24, 0);
  fileId.copy(body, 8, 0, 16);
  return body;
}
