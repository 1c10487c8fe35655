import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { CipherCCMTypes, CipherGCMTypes } from 'node:crypto';
import { SmbIntegrityError } from './errors.js';
import type { CipherId } from './keys.js';

/** SMB2 TRANSFORM_HEADER (MS-SMB2 2.2.41) and the AEAD around it (3.1.4.3). */

export const TRANSFORM_PROTOCOL_ID = Buffer.from([0xfd, 0x53, 0x4d, 0x42]);
export const TRANSFORM_HEADER_LENGTH = 52;

const SIGNATURE_OFFSET = 4;
const NONCE_OFFSET = 20;
const NONCE_FIELD_LENGTH = 16;
const ORIGINAL_SIZE_OFFSET = 36;
const FLAGS_OFFSET = 42;
const SESSION_ID_OFFSET = 44;
/** The AAD is the header after ProtocolId and Signature. */
const AAD_OFFSET = 20;
const TAG_LENGTH = 16;
/** 3.0/3.0.2 call the field EncryptionAlgorithm (AES-128-CCM = 1); 3.1.1 calls it Flags (Encrypted = 1). */
const FLAG_ENCRYPTED = 0x0001;

interface CipherSpec {
  algorithm: CipherCCMTypes | CipherGCMTypes;
  mode: 'ccm' | 'gcm';
  keyLength: number;
  nonceLength: number;
}

const CIPHERS: Record<CipherId, CipherSpec> = {
  'AES-128-CCM': { algorithm: 'aes-128-ccm', mode: 'ccm', keyLength: 16, nonceLength: 11 },
  'AES-128-GCM': { algorithm: 'aes-128-gcm', mode: 'gcm', keyLength: 16, nonceLength: 12 },
  'AES-256-CCM': { algorithm: 'aes-256-ccm', mode: 'ccm', keyLength: 32, nonceLength: 11 },
  'AES-256-GCM': { algorithm: 'aes-256-gcm', mode: 'gcm', keyLength: 32, nonceLength: 12 },
};

function specFor(cipher: CipherId, key: Buffer): CipherSpec {
  const spec = CIPHERS[cipher];
  if (key.length !== spec.keyLength) throw new RangeError(`${cipher} needs a ${spec.keyLength}-byte key, got ${key.length}`);
  return spec;
}

export function isTransformHeader(message: Buffer): boolean {
  return message.length >= 4 && message.subarray(0, 4).equals(TRANSFORM_PROTOCOL_ID);
}

/**
 * Encrypts with a caller-chosen nonce. `nonce` is either the cipher's own
 * length (11 or 12 bytes, zero-padded into the field) or the whole 16-byte
 * field, which lets tests replay published messages whose padding is not zero.
 */
export function encryptMessageWithNonce(
  cipher: CipherId,
  key: Buffer,
  sessionId: bigint,
  plaintext: Buffer,
  nonce: Buffer,
): Buffer {
  return Buffer.concat(sealWithNonce(cipher, key, sessionId, plaintext, nonce));
}

/** GCM and CCM are stream modes: final() only checks or computes the tag, so update() holds all the data. */
function finish(out: Buffer, rest: Buffer): Buffer {
  return rest.length === 0 ? out : Buffer.concat([out, rest]);
}

/** The transform header and the ciphertext, kept apart so a multi-MiB WRITE is not copied again to join them. */
function sealWithNonce(cipher: CipherId, key: Buffer, sessionId: bigint, plaintext: Buffer, nonce: Buffer): [Buffer, Buffer] {
  const sealed = sealPartsWithNonce(cipher, key, sessionId, [plaintext], nonce);
  return [sealed[0] as Buffer, sealed.length === 2 ? (sealed[1] as Buffer) : Buffer.concat(sealed.slice(1))];
}

/**
 * The transform header, then the ciphertext of `parts` (one message split over several buffers, e.g. a
 * WRITE's header and the caller's data). GCM encrypts part by part, so the data is read once and never
 * joined; CCM takes its whole input in one update(), so its parts are joined first.
 */
function sealPartsWithNonce(cipher: CipherId, key: Buffer, sessionId: bigint, parts: readonly Buffer[], nonce: Buffer): Buffer[] {
  const spec = specFor(cipher, key);
  if (nonce.length !== spec.nonceLength && nonce.length !== NONCE_FIELD_LENGTH) {
    throw new RangeError(`${cipher} needs an ${spec.nonceLength}-byte nonce`);
  }
  const header = Buffer.alloc(TRANSFORM_HEADER_LENGTH);
  TRANSFORM_PROTOCOL_ID.copy(header, 0);
  nonce.copy(header, NONCE_OFFSET);
  let length = 0;
  for (const p of parts) length += p.length;
  header.writeUInt32LE(length, ORIGINAL_SIZE_OFFSET);
  header.writeUInt16LE(FLAG_ENCRYPTED, FLAGS_OFFSET);
  header.writeBigUInt64LE(BigInt.asUintN(64, sessionId), SESSION_ID_OFFSET);

  const iv = header.subarray(NONCE_OFFSET, NONCE_OFFSET + spec.nonceLength);
  const aad = header.subarray(AAD_OFFSET);
  const out: Buffer[] = [header];
  let tag: Buffer;
  if (spec.mode === 'ccm') {
    const plaintext = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts as Buffer[], length);
    const c = createCipheriv(spec.algorithm as CipherCCMTypes, key, iv, { authTagLength: TAG_LENGTH });
    c.setAAD(aad, { plaintextLength: plaintext.length });
    out.push(finish(c.update(plaintext), c.final()));
    tag = c.getAuthTag();
  } else {
    const c = createCipheriv(spec.algorithm as CipherGCMTypes, key, iv, { authTagLength: TAG_LENGTH });
    c.setAAD(aad);
    for (const p of parts) if (p.length > 0) out.push(c.update(p));
    const rest = c.final();
    if (rest.length > 0) out.push(rest);
    tag = c.getAuthTag();
  }
  tag.copy(header, SIGNATURE_OFFSET);
  return out;
}

/** A random nonce each time; returns the frame as [transform header, ciphertext] for Transport.send. */
export function encryptMessageParts(cipher: CipherId, key: Buffer, sessionId: bigint, plaintext: Buffer): [Buffer, Buffer] {
  // Random nonces: 96 bits for GCM leaves ample margin for a session's life,
  // and the connection layer need not keep a counter per session.
  return sealWithNonce(cipher, key, sessionId, plaintext, randomBytes(CIPHERS[cipher].nonceLength));
}

/** Like encryptMessageParts, for a message given as several buffers; returns [header, ...ciphertext]. */
export function encryptPartsToParts(cipher: CipherId, key: Buffer, sessionId: bigint, parts: readonly Buffer[]): Buffer[] {
  return sealPartsWithNonce(cipher, key, sessionId, parts, randomBytes(CIPHERS[cipher].nonceLength));
}

export function encryptMessage(cipher: CipherId, key: Buffer, sessionId: bigint, plaintext: Buffer): Buffer {
  return Buffer.concat(encryptMessageParts(cipher, key, sessionId, plaintext));
}

export function decryptMessage(cipher: CipherId, key: Buffer, message: Buffer): { sessionId: bigint; plaintext: Buffer } {
  const spec = specFor(cipher, key);
  if (message.length < TRANSFORM_HEADER_LENGTH || !isTransformHeader(message)) {
    throw new SmbIntegrityError('malformed SMB2 TRANSFORM_HEADER: too short or wrong protocol id');
  }
  const originalSize = message.readUInt32LE(ORIGINAL_SIZE_OFFSET);
  if (originalSize !== message.length - TRANSFORM_HEADER_LENGTH) {
    throw new SmbIntegrityError(
      `malformed SMB2 TRANSFORM_HEADER: OriginalMessageSize ${originalSize} but ${message.length - TRANSFORM_HEADER_LENGTH} bytes follow`,
    );
  }
  if (message.readUInt16LE(FLAGS_OFFSET) !== FLAG_ENCRYPTED) {
    throw new SmbIntegrityError('malformed SMB2 TRANSFORM_HEADER: Flags/EncryptionAlgorithm is not 0x0001');
  }
  const sessionId = message.readBigUInt64LE(SESSION_ID_OFFSET);
  const tag = message.subarray(SIGNATURE_OFFSET, SIGNATURE_OFFSET + TAG_LENGTH);
  const iv = message.subarray(NONCE_OFFSET, NONCE_OFFSET + spec.nonceLength);
  const aad = message.subarray(AAD_OFFSET, TRANSFORM_HEADER_LENGTH);
  const ciphertext = message.subarray(TRANSFORM_HEADER_LENGTH);

  try {
    let plaintext: Buffer;
    if (spec.mode === 'ccm') {
      const d = createDecipheriv(spec.algorithm as CipherCCMTypes, key, iv, { authTagLength: TAG_LENGTH });
      d.setAuthTag(tag);
      d.setAAD(aad, { plaintextLength: ciphertext.length });
      plaintext = d.update(ciphertext);
      plaintext = finish(plaintext, d.final());
    } else {
      const d = createDecipheriv(spec.algorithm as CipherGCMTypes, key, iv, { authTagLength: TAG_LENGTH });
      d.setAuthTag(tag);
      d.setAAD(aad);
      plaintext = d.update(ciphertext);
      plaintext = finish(plaintext, d.final());
    }
    return { sessionId, plaintext };
  } catch (cause) {
    throw new SmbIntegrityError(`SMB2 message failed ${cipher} authentication`, { cause });
  }
}
