import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ntowfv2 } from '../smb/index.js';
import { CredentialUnreadableError } from './errors.js';

/**
 * The user's NTLMv2 key (NTOWFv2), sealed so that neither half alone is a credential: the server
 * session keeps `sealed`, the browser keeps `key` in a second httpOnly cookie. The password itself
 * is never stored; NTOWFv2 is enough for NTLMv2 to the file servers and nothing else.
 */

export interface SealedCredential {
  /** base64url(iv ‖ tag ‖ ciphertext), AES-256-GCM: for the server-side session. */
  sealed: string;
  /** base64url of 32 random bytes: for the key cookie, never stored on the server. */
  key: string;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const NTOWFV2_BYTES = 16;

/** Binds the blob to its owner and purpose, so it cannot be replayed into another user's session. */
const aad = (username: string): Buffer => Buffer.from(`portcullis:ntowfv2:v1:${username.toLowerCase()}`, 'utf8');

export function deriveNtowfv2(password: string, username: string, domain: string): Buffer {
  return ntowfv2(password, username, domain);
}

export function sealCredential(key16: Buffer, username: string): SealedCredential {
  if (key16.length !== NTOWFV2_BYTES) throw new RangeError('an NTOWFv2 key is 16 bytes');
  const key = randomBytes(KEY_BYTES);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(username));
  const ciphertext = Buffer.concat([cipher.update(key16), cipher.final()]);
  const sealed = Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
  return { sealed, key: key.toString('base64url') };
}

/** The NTOWFv2 key, or CredentialUnreadableError when the blob was altered, the key is wrong or the user differs. */
export function openCredential(sealed: string, key: string, username: string): Buffer {
  const keyBytes = Buffer.from(key, 'base64url');
  const blob = Buffer.from(sealed, 'base64url');
  if (keyBytes.length !== KEY_BYTES || blob.length !== IV_BYTES + TAG_BYTES + NTOWFV2_BYTES) throw new CredentialUnreadableError();
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyBytes, blob.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(username));
    decipher.setAuthTag(blob.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(blob.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch (err) {
    throw new CredentialUnreadableError({ cause: err });
  }
}
