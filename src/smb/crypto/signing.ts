import { createCipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { aesCmac } from './cmac.js';
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

function aesGmac(key: Buffer, nonce: Buffer, data: Buffer): Buffer {
  const algorithm = key.length === 32 ? 'aes-256-gcm' : 'aes-128-gcm';
  const cipher = createCipheriv(algorithm, key, nonce);
  cipher.setAAD(data);
  cipher.final();
  return cipher.getAuthTag();
}

function computeSignature(alg: SigningAlgorithm, key: Buffer, unsigned: Buffer): Buffer {
  switch (alg) {
    case 'HMAC-SHA256':
      return createHmac('sha256', key).update(unsigned).digest().subarray(0, SIGNATURE_LENGTH);
    case 'AES-CMAC':
      return aesCmac(key, unsigned);
    case 'AES-GMAC':
      return aesGmac(key, gmacNonce(unsigned), unsigned);
  }
}

function withZeroSignature(message: Buffer): Buffer {
  const copy = Buffer.from(message);
  copy.fill(0, SIGNATURE_OFFSET, SIGNATURE_OFFSET + SIGNATURE_LENGTH);
  return copy;
}

export function signMessage(alg: SigningAlgorithm, key: Buffer, message: Buffer): void {
  if (!hasSmb2Header(message)) throw new RangeError('not an SMB2 message: cannot sign it');
  message.fill(0, SIGNATURE_OFFSET, SIGNATURE_OFFSET + SIGNATURE_LENGTH);
  computeSignature(alg, key, message).copy(message, SIGNATURE_OFFSET);
}

export function verifyMessage(alg: SigningAlgorithm, key: Buffer, message: Buffer): boolean {
  if (!hasSmb2Header(message)) return false;
  const expected = computeSignature(alg, key, withZeroSignature(message));
  return timingSafeEqual(expected, message.subarray(SIGNATURE_OFFSET, SIGNATURE_OFFSET + SIGNATURE_LENGTH));
}
