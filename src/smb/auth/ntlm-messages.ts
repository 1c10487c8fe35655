import { AuthProtocolError } from './errors.js';
import { type AvPair, AvId, parseAvPairs } from './av-pairs.js';
import { NegotiateFlag, hasFlag } from './ntlm-flags.js';

/** NTLM message framing, MS-NLMP 2.2.1. */

export const NTLMSSP_SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');
const MESSAGE_TYPE_OFFSET = 8;
const NEGOTIATE_MESSAGE = 1;
const CHALLENGE_MESSAGE = 2;
const AUTHENTICATE_MESSAGE = 3;

/** AUTHENTICATE layout with Version and MIC (MS-NLMP 2.2.1.3). */
export const AUTHENTICATE_VERSION_OFFSET = 64;
export const AUTHENTICATE_MIC_OFFSET = 72;
export const MIC_LENGTH = 16;

/**
 * Our VERSION structure (MS-NLMP 2.2.2.10): 10.0, build 0, NTLM revision 15.
 * Debugging aid only; no peer changes behaviour on it.
 */
export const CLIENT_VERSION = Buffer.from([10, 0, 0, 0, 0, 0, 0, 0x0f]);

// ---- helpers --------------------------------------------------------------

/** A security buffer (len, maxlen, offset) pointing into the payload. */
function readField(message: Buffer, at: number, what: string): Buffer {
  if (at + 8 > message.length) throw new AuthProtocolError(`NTLM ${what} field header is truncated`);
  const length = message.readUInt16LE(at);
  const offset = message.readUInt32LE(at + 4);
  if (length === 0) return Buffer.alloc(0);
  if (offset > message.length || length > message.length - offset) {
    throw new AuthProtocolError(`NTLM ${what} (offset ${offset}, length ${length}) lies outside the ${message.length}-byte message`);
  }
  return Buffer.from(message.subarray(offset, offset + length));
}

function checkHeader(message: Buffer, type: number, minLength: number, name: string): void {
  if (message.length < minLength) throw new AuthProtocolError(`NTLM ${name} message is too short (${message.length} bytes)`);
  if (!message.subarray(0, 8).equals(NTLMSSP_SIGNATURE)) throw new AuthProtocolError(`not an NTLMSSP message (expected ${name})`);
  const actual = message.readUInt32LE(MESSAGE_TYPE_OFFSET);
  if (actual !== type) throw new AuthProtocolError(`expected NTLM ${name} (type ${type}), got type ${actual}`);
}

function decodeText(data: Buffer, unicode: boolean): string {
  return unicode ? data.toString('utf16le') : data.toString('latin1');
}

/** The Version field exists only when VERSION is negotiated and the payload starts after it. */
function readVersion(message: Buffer, flags: number, at: number, payloadStart: number): Buffer | undefined {
  if (!hasFlag(flags, NegotiateFlag.VERSION) || payloadStart < at + 8 || message.length < at + 8) return undefined;
  return Buffer.from(message.subarray(at, at + 8));
}

function firstPayloadOffset(message: Buffer, fieldPositions: number[]): number {
  let first = message.length;
  for (const at of fieldPositions) {
    if (message.readUInt16LE(at) > 0) first = Math.min(first, message.readUInt32LE(at + 4));
  }
  return first;
}

// ---- NEGOTIATE ------------------------------------------------------------

export interface NegotiateMessage {
  flags: number;
  domain: string;
  workstation: string;
  version?: Buffer;
}

/** No domain or workstation: MS-NLMP lets the client leave both out, as Windows does. */
export function encodeNegotiateMessage(flags: number, version: Buffer = CLIENT_VERSION): Buffer {
  const m = Buffer.alloc(40);
  NTLMSSP_SIGNATURE.copy(m, 0);
  m.writeUInt32LE(NEGOTIATE_MESSAGE, MESSAGE_TYPE_OFFSET);
  m.writeUInt32LE(flags >>> 0, 12);
  if (hasFlag(flags, NegotiateFlag.VERSION)) version.copy(m, 32);
  return m;
}

export function parseNegotiateMessage(message: Buffer): NegotiateMessage {
  checkHeader(message, NEGOTIATE_MESSAGE, 32, 'NEGOTIATE');
  const flags = message.readUInt32LE(12);
  const payloadStart = firstPayloadOffset(message, [16, 24]);
  const version = readVersion(message, flags, 32, payloadStart);
  return {
    flags,
    // The OEM character set is the only one allowed here (MS-NLMP 2.2.1.1).
    domain: readField(message, 16, 'DomainName').toString('latin1'),
    workstation: readField(message, 24, 'Workstation').toString('latin1'),
    ...(version ? { version } : {}),
  };
}

// ---- CHALLENGE ------------------------------------------------------------

export interface ChallengeMessage {
  flags: number;
  serverChallenge: Buffer;
  targetName: string;
  /** The raw TargetInfo bytes, AV pairs ending in MsvAvEOL. */
  targetInfo: Buffer;
  avPairs: AvPair[];
  /** MsvAvTimestamp (FILETIME, 8 bytes), when the server sent one. */
  timestamp?: Buffer;
  /** MsvAvFlags, when the server sent them. */
  avFlags?: number;
  version?: Buffer;
}

export function parseChallengeMessage(message: Buffer): ChallengeMessage {
  checkHeader(message, CHALLENGE_MESSAGE, 48, 'CHALLENGE');
  const flags = message.readUInt32LE(20);
  const unicode = hasFlag(flags, NegotiateFlag.UNICODE);
  const targetInfo = readField(message, 40, 'TargetInfo');
  const avPairs = targetInfo.length > 0 ? parseAvPairs(targetInfo) : [];
  const timestamp = avPairs.find((p) => p.id === AvId.Timestamp)?.value;
  if (timestamp && timestamp.length !== 8) throw new AuthProtocolError('NTLM MsvAvTimestamp is not 8 bytes');
  const avFlagsValue = avPairs.find((p) => p.id === AvId.Flags)?.value;
  if (avFlagsValue && avFlagsValue.length !== 4) throw new AuthProtocolError('NTLM MsvAvFlags is not 4 bytes');
  const version = readVersion(message, flags, 48, firstPayloadOffset(message, [12, 40]));
  return {
    flags,
    serverChallenge: Buffer.from(message.subarray(24, 32)),
    targetName: decodeText(readField(message, 12, 'TargetName'), unicode),
    targetInfo,
    avPairs,
    ...(timestamp ? { timestamp } : {}),
    ...(avFlagsValue ? { avFlags: avFlagsValue.readUInt32LE(0) } : {}),
    ...(version ? { version } : {}),
  };
}

// ---- AUTHENTICATE ---------------------------------------------------------

export interface AuthenticateFields {
  flags: number;
  lmChallengeResponse: Buffer;
  ntChallengeResponse: Buffer;
  domain: string;
  username: string;
  workstation: string;
  encryptedRandomSessionKey: Buffer;
  version?: Buffer;
  /**
   * Reserve the 16-byte MIC field (left zero; the MIC covers the message with
   * it zeroed, so it is filled in afterwards). Default true.
   */
  withMic?: boolean;
}

export interface AuthenticateMessage extends Omit<AuthenticateFields, 'withMic'> {
  mic?: Buffer;
}

export function encodeAuthenticateMessage(fields: AuthenticateFields): Buffer {
  const withMic = fields.withMic ?? true;
  const unicode = hasFlag(fields.flags, NegotiateFlag.UNICODE);
  const text = (s: string): Buffer => Buffer.from(s, unicode ? 'utf16le' : 'latin1');
  // Windows' payload order, which makes published messages reproducible.
  const payload: Array<[number, Buffer]> = [
    [28, text(fields.domain)],
    [36, text(fields.username)],
    [44, text(fields.workstation)],
    [12, fields.lmChallengeResponse],
    [20, fields.ntChallengeResponse],
    [52, fields.encryptedRandomSessionKey],
  ];
  const headerLength = withMic ? AUTHENTICATE_MIC_OFFSET + MIC_LENGTH : AUTHENTICATE_MIC_OFFSET;
  const header = Buffer.alloc(headerLength);
  NTLMSSP_SIGNATURE.copy(header, 0);
  header.writeUInt32LE(AUTHENTICATE_MESSAGE, MESSAGE_TYPE_OFFSET);
  let offset = headerLength;
  for (const [at, data] of payload) {
    if (data.length > 0xffff) throw new RangeError('NTLM AUTHENTICATE field too long');
    header.writeUInt16LE(data.length, at);
    header.writeUInt16LE(data.length, at + 2);
    header.writeUInt32LE(offset, at + 4);
    offset += data.length;
  }
  header.writeUInt32LE(fields.flags >>> 0, 60);
  if (hasFlag(fields.flags, NegotiateFlag.VERSION)) (fields.version ?? CLIENT_VERSION).copy(header, AUTHENTICATE_VERSION_OFFSET);
  return Buffer.concat([header, ...payload.map(([, data]) => data)]);
}

export function parseAuthenticateMessage(message: Buffer): AuthenticateMessage {
  checkHeader(message, AUTHENTICATE_MESSAGE, 64, 'AUTHENTICATE');
  const flags = message.readUInt32LE(60);
  const unicode = hasFlag(flags, NegotiateFlag.UNICODE);
  const payloadStart = firstPayloadOffset(message, [12, 20, 28, 36, 44, 52]);
  const version = readVersion(message, flags, AUTHENTICATE_VERSION_OFFSET, payloadStart);
  const hasMic = payloadStart >= AUTHENTICATE_MIC_OFFSET + MIC_LENGTH && message.length >= AUTHENTICATE_MIC_OFFSET + MIC_LENGTH;
  return {
    flags,
    lmChallengeResponse: readField(message, 12, 'LmChallengeResponse'),
    ntChallengeResponse: readField(message, 20, 'NtChallengeResponse'),
    domain: decodeText(readField(message, 28, 'DomainName'), unicode),
    username: decodeText(readField(message, 36, 'UserName'), unicode),
    workstation: decodeText(readField(message, 44, 'Workstation'), unicode),
    encryptedRandomSessionKey: readField(message, 52, 'EncryptedRandomSessionKey'),
    ...(version ? { version } : {}),
    ...(hasMic ? { mic: Buffer.from(message.subarray(AUTHENTICATE_MIC_OFFSET, AUTHENTICATE_MIC_OFFSET + MIC_LENGTH)) } : {}),
  };
}
