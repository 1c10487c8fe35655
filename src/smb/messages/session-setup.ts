import { HEADER_SIZE } from './header.js';
import { bodyOffset, checkStructureSize, slice } from './encoding.js';

export const SessionSetupFlag = { BINDING: 0x01 } as const;

export interface SessionSetupRequest {
  securityMode: number;
  capabilities: number;
  securityBuffer: Buffer;
  previousSessionId?: bigint;
  flags?: number;
}

const FIXED = 24;

export function encodeSessionSetupRequest(req: SessionSetupRequest): Buffer {
  const body = Buffer.alloc(FIXED + req.securityBuffer.length);
  body.writeUInt16LE(25, 0);
  body.writeUInt8(req.flags ?? 0, 2);
  body.writeUInt8(req.securityMode & 0xff, 3);
  body.writeUInt32LE(req.capabilities >>> 0, 4);
  body.writeUInt16LE(bodyOffset(FIXED), 12);
  body.writeUInt16LE(req.securityBuffer.length, 14);
  body.writeBigUInt64LE(req.previousSessionId ?? 0n, 16);
  req.securityBuffer.copy(body, FIXED);
  return body;
}

export interface SessionSetupResponse {
  sessionFlags: number;
  securityBuffer: Buffer;
}

export function decodeSessionSetupResponse(msg: Buffer): SessionSetupResponse {
  checkStructureSize(msg, 9, 'SESSION_SETUP');
  const b = HEADER_SIZE;
  return {
    sessionFlags: msg.readUInt16LE(b + 2),
    securityBuffer: Buffer.from(slice(msg, msg.readUInt16LE(b + 4), msg.readUInt16LE(b + 6), 'security buffer')),
  };
}
