import { Capability, SecurityMode } from './constants.js';
import { HEADER_SIZE } from './header.js';
import { align8, bodyOffset, checkStructureSize, slice } from './encoding.js';

export const NegotiateContextType = {
  PREAUTH_INTEGRITY_CAPABILITIES: 0x0001,
  ENCRYPTION_CAPABILITIES: 0x0002,
  COMPRESSION_CAPABILITIES: 0x0003,
  NETNAME_NEGOTIATE_CONTEXT_ID: 0x0005,
  TRANSPORT_CAPABILITIES: 0x0006,
  RDMA_TRANSFORM_CAPABILITIES: 0x0007,
  SIGNING_CAPABILITIES: 0x0008,
} as const;

export const HashAlgorithm = { SHA_512: 0x0001 } as const;
export const CipherCode = { 'AES-128-CCM': 0x0001, 'AES-128-GCM': 0x0002, 'AES-256-CCM': 0x0003, 'AES-256-GCM': 0x0004 } as const;
export type CipherName = keyof typeof CipherCode;
export const SigningCode = { 'HMAC-SHA256': 0x0000, 'AES-CMAC': 0x0001, 'AES-GMAC': 0x0002 } as const;
export type SigningName = keyof typeof SigningCode;

export function cipherName(code: number): CipherName | undefined {
  return (Object.keys(CipherCode) as CipherName[]).find((k) => CipherCode[k] === code);
}
export function signingName(code: number): SigningName | undefined {
  return (Object.keys(SigningCode) as SigningName[]).find((k) => SigningCode[k] === code);
}

export interface NegotiateRequest {
  dialects: readonly number[];
  securityMode: number;
  capabilities: number;
  clientGuid: Buffer;
  /** 3.1.1 only: 32 random bytes mixed into the pre-auth hash. */
  salt?: Buffer;
  ciphers?: readonly CipherName[];
  signingAlgorithms?: readonly SigningName[];
  /** Server name for the NETNAME context, which some servers use for multi-homed setups. */
  netName?: string;
}

const FIXED = 36;

function encodeContext(type: number, data: Buffer): Buffer {
  const out = Buffer.alloc(8 + data.length);
  out.writeUInt16LE(type, 0);
  out.writeUInt16LE(data.length, 2);
  data.copy(out, 8);
  return out;
}

function encodeContexts(req: NegotiateRequest): Buffer[] {
  const salt = req.salt ?? Buffer.alloc(32);
  const preauth = Buffer.alloc(6 + salt.length);
  preauth.writeUInt16LE(1, 0);
  preauth.writeUInt16LE(salt.length, 2);
  preauth.writeUInt16LE(HashAlgorithm.SHA_512, 4);
  salt.copy(preauth, 6);
  const contexts = [encodeContext(NegotiateContextType.PREAUTH_INTEGRITY_CAPABILITIES, preauth)];

  const ciphers = req.ciphers ?? [];
  if (ciphers.length > 0) {
    const enc = Buffer.alloc(2 + 2 * ciphers.length);
    enc.writeUInt16LE(ciphers.length, 0);
    ciphers.forEach((c, i) => enc.writeUInt16LE(CipherCode[c], 2 + 2 * i));
    contexts.push(encodeContext(NegotiateContextType.ENCRYPTION_CAPABILITIES, enc));
  }
  const signing = req.signingAlgorithms ?? [];
  if (signing.length > 0) {
    const sig = Buffer.alloc(2 + 2 * signing.length);
    sig.writeUInt16LE(signing.length, 0);
    signing.forEach((s, i) => sig.writeUInt16LE(SigningCode[s], 2 + 2 * i));
    contexts.push(encodeContext(NegotiateContextType.SIGNING_CAPABILITIES, sig));
  }
  if (req.netName !== undefined && req.netName.length > 0) {
    contexts.push(encodeContext(NegotiateContextType.NETNAME_NEGOTIATE_CONTEXT_ID, Buffer.from(req.netName, 'utf16le')));
  }
  return contexts;
}

export function encodeNegotiateRequest(req: NegotiateRequest): Buffer {
  const with311 = req.dialects.includes(0x0311);
  const dialectsEnd = FIXED + 2 * req.dialects.length;
  const contexts = with311 ? encodeContexts(req) : [];
  let size = dialectsEnd;
  const contextStart = align8(HEADER_SIZE + dialectsEnd) - HEADER_SIZE;
  if (contexts.length > 0) {
    size = contextStart;
    contexts.forEach((c, i) => (size += i === contexts.length - 1 ? c.length : align8(c.length)));
  }
  const body = Buffer.alloc(size);
  body.writeUInt16LE(36, 0);
  body.writeUInt16LE(req.dialects.length, 2);
  body.writeUInt16LE(req.securityMode, 4);
  body.writeUInt32LE(req.capabilities >>> 0, 8);
  req.clientGuid.copy(body, 12, 0, 16);
  if (contexts.length > 0) {
    body.writeUInt32LE(bodyOffset(contextStart), 28);
    body.writeUInt16LE(contexts.length, 32);
  }
  req.dialects.forEach((d, i) => body.writeUInt16LE(d, FIXED + 2 * i));
  let at = contextStart;
  for (const c of contexts) {
    c.copy(body, at);
    at += align8(c.length);
  }
  return body;
}

export interface NegotiateResponse {
  securityMode: number;
  dialect: number;
  serverGuid: Buffer;
  capabilities: number;
  maxTransactSize: number;
  maxReadSize: number;
  maxWriteSize: number;
  systemTime: bigint;
  securityBuffer: Buffer;
  preauthHashAlgorithm: number | undefined;
  cipher: CipherName | undefined;
  signingAlgorithm: SigningName | undefined;
  signingRequired: boolean;
}

export function decodeNegotiateResponse(msg: Buffer): NegotiateResponse {
  checkStructureSize(msg, 65, 'NEGOTIATE');
  const b = HEADER_SIZE;
  const dialect = msg.readUInt16LE(b + 4);
  const contextCount = msg.readUInt16LE(b + 6);
  const securityMode = msg.readUInt16LE(b + 2);
  const res: NegotiateResponse = {
    securityMode,
    dialect,
    serverGuid: Buffer.from(msg.subarray(b + 8, b + 24)),
    capabilities: msg.readUInt32LE(b + 24),
    maxTransactSize: msg.readUInt32LE(b + 28),
    maxReadSize: msg.readUInt32LE(b + 32),
    maxWriteSize: msg.readUInt32LE(b + 36),
    systemTime: msg.readBigUInt64LE(b + 40),
    securityBuffer: Buffer.from(slice(msg, msg.readUInt16LE(b + 56), msg.readUInt16LE(b + 58), 'security buffer')),
    preauthHashAlgorithm: undefined,
    cipher: undefined,
    signingAlgorithm: undefined,
    signingRequired: (securityMode & SecurityMode.SIGNING_REQUIRED) !== 0,
  };
  if (dialect !== 0x0311) return res;
  let at = msg.readUInt32LE(b + 60);
  for (let i = 0; i < contextCount; i++) {
    if (at + 8 > msg.length) throw new RangeError('negotiate context outside the message');
    const type = msg.readUInt16LE(at);
    const len = msg.readUInt16LE(at + 2);
    const data = slice(msg, at + 8, len, 'negotiate context');
    if (type === NegotiateContextType.PREAUTH_INTEGRITY_CAPABILITIES && data.length >= 6) {
      res.preauthHashAlgorithm = data.readUInt16LE(4);
    } else if (type === NegotiateContextType.ENCRYPTION_CAPABILITIES && data.length >= 4 && data.readUInt16LE(0) >= 1) {
      res.cipher = cipherName(data.readUInt16LE(2));
    } else if (type === NegotiateContextType.SIGNING_CAPABILITIES && data.length >= 4 && data.readUInt16LE(0) >= 1) {
      res.signingAlgorithm = signingName(data.readUInt16LE(2));
    }
    at = align8(at + 8 + len);
  }
  return res;
}

/** The capabilities we advertise; encryption only matters (and is only legal) for 3.x dialects. */
export function clientCapabilities(dialects: readonly number[]): number {
  const has3 = dialects.some((d) => d >= 0x0300);
  return Capability.LARGE_MTU | (has3 ? Capability.ENCRYPTION : 0);
}
