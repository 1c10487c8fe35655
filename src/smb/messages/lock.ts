import { checkStructureSize } from './encoding.js';

/** SMB2_LOCK_ELEMENT flags ([MS-SMB2] 2.2.26.1). */
export const LockFlag = {
  SHARED: 0x01,
  EXCLUSIVE: 0x02,
  UNLOCK: 0x04,
  /** Answer LOCK_NOT_GRANTED at once instead of waiting (STATUS_PENDING) for the range to become free. */
  FAIL_IMMEDIATELY: 0x10,
} as const;

export interface LockElement {
  offset: number;
  length: number;
  flags: number;
}

/** SMB2 LOCK request ([MS-SMB2] 2.2.26): a fixed 24-byte head, then 24 bytes per element. */
export function encodeLockRequest(fileId: Buffer, locks: readonly LockElement[]): Buffer {
  if (locks.length === 0) throw new RangeError('a LOCK request needs at least one element');
  const body = Buffer.alloc(24 + 24 * locks.length);
  // StructureSize is 48 whatever the count: the head and one element.
  body.writeUInt16LE(48, 0);
  body.writeUInt16LE(locks.length, 2);
  // LockSequenceNumber/Index stay 0: only resilient and persistent handles use them.
  fileId.copy(body, 8, 0, 16);
  locks.forEach((l, i) => {
    const at = 24 + 24 * i;
    body.writeBigUInt64LE(BigInt(l.offset), at);
    body.writeBigUInt64LE(BigInt(l.length), at + 8);
    body.writeUInt32LE(l.flags, at + 16);
  });
  return body;
}

export function decodeLockResponse(msg: Buffer): void {
  checkStructureSize(msg, 4, 'LOCK');
}
