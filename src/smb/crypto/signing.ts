import { createCipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { aesCmacParts } from './cmac.js';
import {
  COMMAND_OFFSET,
  FLAGS_OFFSET,
  MESSAGE_ID_OFFSET,
  SIGNATURE_LENGTH,
  SIGNATURE_OFFSET,
  SMB2_CANCEL,
  SMB2_FLAGS_SERVER_TO_REDIR,
  hasSmb2Header,
} from './smb2-header.js';

export type SigningAlgorithm = 'HMAC-SHA256' | 'AES-CMAC' | 'AES-GMAC';

/**
 * MS-SMB2 3.1.4.1: MessageId, then a word whose bit 0 is the sender's role and
 * bit 1 marks a CANCEL, so a cancel and its target (same MessageId) and the
 * two directions never share a nonce.
 */
export function gmacNonce(message: Buffer): Buffer {
  const nonce = Buffer.alloc(12);
  message.copy(nonce, 0, MESSAGE_ID_OFFSET, MESSAGE_ID_OFFSET + 8);
  const fromServer = (message.readUInt32LE(FLAGS_OFFSET) & SMB2_FLAGS_SERVER_TO_REDIR) !== 0;
  const isCancel = message.readUInt16LE(COMMAND_OFFSET) === SMB2_CANCEL;
  nonce.writeUInt32LE((fromServer ? 1 : 0) | (isCancel ? 2 : 0), 8);
  return nonce;
}

const ZERO_SIGNATURE = Buffer.alloc(SIGNATURE_LENGTH);

/**
 * The message as the MAC must see it, with its signature field as zeros, given as three views so a
 * multi-MiB READ response is verified in place rather than copied first. All three MACs take input
 * incrementally (GCM accepts AAD in several calls).
 */
function unsignedParts(message: Buffer, rest: readonly Buffer[] = []): Buffer[] {
  return [message.subarray(0, SIGNATURE_OFFSET), ZERO_SIGNATURE, message.subarray(SIGNATURE_OFFSET + SIGNATURE_LENGTH), ...rest];
}

function aesGmac(key: Buffer, nonce: Buffer, parts: readonly Buffer[]): Buffer {
  const algorithm = key.length === 32 ? 'aes-256-gcm' : 'aes-128-gcm';
  const cipher = createCipheriv(algorithm, key, nonce);
  for (const p of parts) cipher.setAAD(p);
  cipher.final();
  return cipher.getAuthTag();
}

function hmacSha256(key: Buffer, parts: readonly Buffer[]): Buffer {
  const hmac = createHmac('sha256', key);
  for (const p of parts) hmac.update(p);
  return hmac.digest().subarray(0, SIGNATURE_LENGTH);
}

/** The signature `message` should carry; its current signature field is ignored (treated as zeros). */
function computeSignature(alg: SigningAlgorithm, key: Buffer, message: Buffer, rest: readonly Buffer[] = []): Buffer {
  const parts = unsignedParts(message, rest);
  switch (alg) {
    case 'HMAC-SHA256':
      return hmacSha256(key, parts);
    case 'AES-CMAC':
      return aesCmacParts(key, parts);
    case 'AES-GMAC':
      // The nonce comes from MessageId, Flags and Command, none of which overlap the signature.
      return aesGmac(key, gmacNonce(message), parts);
  }
}

export function signMessage(alg: SigningAlgorithm, key: Buffer, message: Buffer): void {
  if (!hasSmb2Header(message)) throw new RangeError('not an SMB2 message: cannot sign it');
  computeSignature(alg, key, message).copy(message, SIGNATURE_OFFSET);
}

/**
 * Signs a message sent as several buffers: `head` starts with the SMB2 header (its signature field is
 * written), `rest` follows it on the wire (WRITE data sent from the caller's buffers, uncopied).
 */
export function signMessageParts(alg: SigningAlgorithm, key: Buffer, head: Buffer, rest: readonly Buffer[]): void {
  if (!hasSmb2Header(head)) throw new RangeError('not an SMB2 message: cannot sign it');
  computeSignature(alg, key, head, rest).copy(head, SIGNATURE_OFFSET);
}

export function verifyMessage(alg: SigningAlgorithm, key: Buffer, message: Buffer): boolean {
  if (!hasSmb2Header(message)) return false;
  const expected = computeSignature(alg, key, message);
  return timingSafeEqual(expected, message.subarray(SIGNATURE_OFFSET, SIGNATURE_OFFSET + SIGNATURE_LENGTH));
}
