import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signMessage, signMessageParts, verifyMessage, type SigningAlgorithm } from '../../../src/smb/crypto/signing.js';
import { decryptMessage, encryptPartsToParts } from '../../../src/smb/crypto/transform.js';
import type { CipherId } from '../../../src/smb/crypto/keys.js';

/** A WRITE-like message: 64-byte SMB2 header + 48-byte body, then data split at awkward places. */
function message(dataLength: number): { head: Buffer; data: Buffer[]; whole: () => Buffer } {
  const head = randomBytes(112);
  head.writeUInt32LE(0x424d53fe, 0);
  head.writeUInt32LE(0, 16); // flags: client to server
  const all = randomBytes(dataLength);
  const data = [all.subarray(0, 1), all.subarray(1, 70_001), all.subarray(70_001, 70_001), all.subarray(70_001)];
  return { head, data, whole: () => Buffer.concat([head, ...data]) };
}

describe('signing and encryption over message parts (WRITE data sent uncopied)', () => {
  const algorithms: SigningAlgorithm[] = ['HMAC-SHA256', 'AES-CMAC', 'AES-GMAC'];
  it.each(algorithms)('%s: signMessageParts equals signMessage of the joined message, which verifies', (alg) => {
    const key = randomBytes(16);
    const m = message(200_003);
    const joined = m.whole();
    signMessage(alg, key, joined);
    signMessageParts(alg, key, m.head, m.data);
    expect(m.head.subarray(48, 64)).toEqual(joined.subarray(48, 64));
    expect(verifyMessage(alg, key, m.whole())).toBe(true);
  });

  const ciphers: [CipherId, number][] = [['AES-128-GCM', 16], ['AES-256-GCM', 32], ['AES-128-CCM', 16], ['AES-256-CCM', 32]];
  it.each(ciphers)('%s: encryptPartsToParts decrypts to the joined plaintext', (cipher, keyLength) => {
    const key = randomBytes(keyLength);
    const m = message(300_007);
    const frame = Buffer.concat(encryptPartsToParts(cipher, key, 0x1234n, [m.head, ...m.data]));
    const { sessionId, plaintext } = decryptMessage(cipher, key, frame);
    expect(sessionId).toBe(0x1234n);
    expect(plaintext.equals(m.whole())).toBe(true);
  });
});
