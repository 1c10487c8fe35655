// Splits a captured SMB2 byte stream into messages: the NetBIOS session framing (a zero byte and a
// 24-bit length), then compounded SMB2 headers chained by NextCommand. Encrypted frames stay opaque.

export const SMB2_FLAGS_SIGNED = 0x08;
const SMB2_FLAGS_ASYNC = 0x02;
const SMB2_MAGIC = 0x424d53fe; // "\xFESMB"
const TRANSFORM_MAGIC = 0x424d53fd; // "\xFDSMB"

export interface WireMessage {
  /** An SMB 3.x transform (encrypted) frame: nothing inside it is readable. */
  encrypted: boolean;
  command: number;
  flags: number;
  status: number;
  messageId: bigint;
  sessionId: bigint;
  /** The whole SMB2 message, header first. */
  bytes: Buffer;
}

export const isSigned = (m: WireMessage): boolean => (m.flags & SMB2_FLAGS_SIGNED) !== 0;
/** An interim STATUS_PENDING answer, which servers never sign. */
export const isInterim = (m: WireMessage): boolean => (m.flags & SMB2_FLAGS_ASYNC) !== 0 && m.status === 0x00000103;

export function smb2Messages(stream: Buffer): WireMessage[] {
  const out: WireMessage[] = [];
  for (let at = 0; at < stream.length; ) {
    if (at + 4 > stream.length) throw new Error('smb2: truncated NetBIOS header');
    if (stream[at] !== 0) throw new Error(`smb2: NetBIOS message type ${stream[at]} at byte ${at}`);
    const length = stream.readUIntBE(at + 1, 3);
    const frame = stream.subarray(at + 4, at + 4 + length);
    if (frame.length !== length) throw new Error('smb2: truncated frame');
    at += 4 + length;
    if (frame.length >= 4 && frame.readUInt32LE(0) === TRANSFORM_MAGIC) {
      out.push({ encrypted: true, command: -1, flags: 0, status: 0, messageId: -1n, sessionId: frame.length >= 52 ? frame.readBigUInt64LE(44) : 0n, bytes: frame });
      continue;
    }
    for (let off = 0; ; ) {
      const msg = frame.subarray(off);
      if (msg.length < 64 || msg.readUInt32LE(0) !== SMB2_MAGIC) throw new Error(`smb2: no SMB2 header at frame offset ${off}`);
      const next = msg.readUInt32LE(20);
      out.push({
        encrypted: false,
        command: msg.readUInt16LE(12),
        flags: msg.readUInt32LE(16),
        status: msg.readUInt32LE(8),
        messageId: msg.readBigUInt64LE(24),
        sessionId: msg.readBigUInt64LE(40),
        bytes: next === 0 ? msg : msg.subarray(0, next),
      });
      if (next === 0) break;
      off += next;
    }
  }
  return out;
}
