import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CredentialUnreadableError } from './errors.js';

/**
 * The user's Kerberos TGT, sealed under the same key cookie as the NTOWFv2 (credential-vault.ts) but with its
 * own IV and purpose in the AAD: the store alone or the cookie alone is still useless. The TGT is what a
 * Windows logon keeps; with it the app gets service tickets for the file servers without the password.
 */

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** The purpose in the AAD: a blob sealed for one purpose (or user) never opens as another. */
type Purpose = 'tgt' | 'delegation';
const aad = (username: string, purpose: Purpose = 'tgt'): Buffer => Buffer.from(`portcullis:${purpose}:v1:${username.toLowerCase()}`, 'utf8');

export function sealTgt(tgt: Buffer, key: string, username: string): string {
  return seal(tgt, key, username, 'tgt');
}

export function openTgt(sealed: string, key: string, username: string): Buffer {
  return open(sealed, key, username, 'tgt');
}

/**
 * A single sign-on's session secret (delegated-session.ts): sealed under the key cookie like the TGT, so a copied
 * session store, or a session cookie without its key cookie, gets nobody's files through the service's delegation.
 */
export function sealDelegation(data: Buffer, key: string, username: string): string {
  return seal(data, key, username, 'delegation');
}

export function openDelegation(sealed: string, key: string, username: string): Buffer {
  return open(sealed, key, username, 'delegation');
}

function seal(tgt: Buffer, key: string, username: string, purpose: Purpose): string {
  const keyBytes = Buffer.from(key, 'base64url');
  if (keyBytes.length !== KEY_BYTES) throw new RangeError('the key cookie holds 32 bytes');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyBytes, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(username, purpose));
  const ciphertext = Buffer.concat([cipher.update(tgt), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
}

function open(sealed: string, key: string, username: string, purpose: Purpose): Buffer {
  const keyBytes = Buffer.from(key, 'base64url');
  const blob = Buffer.from(sealed, 'base64url');
  if (keyBytes.length !== KEY_BYTES || blob.length <= IV_BYTES + TAG_BYTES) throw new CredentialUnreadableError();
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyBytes, blob.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(username, purpose));
    decipher.setAuthTag(blob.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(blob.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch (err) {
    throw new CredentialUnreadableError({ cause: err });
  }
}
