import { HEADER_SIZE } from './header.js';
import { bodyOffset, checkStructureSize, encodeName } from './encoding.js';

const FIXED = 8;

/** `path` is the UNC form `\\server\share`. */
export function encodeTreeConnectRequest(path: string): Buffer {
  const name = encodeName(path);
  const body = Buffer.alloc(FIXED + name.length);
  body.writeUInt16LE(9, 0);
  body.writeUInt16LE(bodyOffset(FIXED), 4);
  body.writeUInt16LE(name.length, 6);
  name.copy(body, FIXED);
  return body;
}

export interface TreeConnectResponse {
  shareType: number;
  shareFlags: number;
  capabilities: number;
  maximalAccess: number;
}

export function decodeTreeConnectResponse(msg: Buffer): TreeConnectResponse {
  checkStructureSize(msg, 16, 'TREE_CONNECT');
  const b = HEADER_SIZE;
  return {
    shareType: msg.readUInt8(b + 2),
    shareFlags: msg.readUInt32LE(b + 4),
    capabilities: msg.readUInt32LE(b + 8),
    maximalAccess: msg.readUInt32LE(b + 12),
  };
}
