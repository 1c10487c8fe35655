import { describe, expect, it } from 'vitest';
import { SmbIntegrityError } from '../../../src/smb/crypto/errors.js';
import type { CipherId } from '../../../src/smb/crypto/keys.js';
import {
  decryptMessage,
  encryptMessage,
  encryptMessageWithNonce,
  isTransformHeader,
} from '../../../src/smb/crypto/transform.js';
import { SMB30_ENCRYPTION, SMB311_ENCRYPTION } from './vectors/ms-smb-blog.js';

describe('SMB 3.0 AES-128-CCM ("Encryption in SMB 3.0: A protocol perspective")', () => {
  const v = SMB30_ENCRYPTION;

  it('encrypts the published WRITE request to the published bytes', () => {
    const out = encryptMessageWithNonce('AES-128-CCM', v.encryptionKey, v.sessionId, v.request, v.requestNonceField);
    expect(out.toString('hex')).toBe(v.encryptedRequest.toString('hex'));
  });

  it('decrypts the published WRITE response', () => {
    const { sessionId, plaintext } = decryptMessage('AES-128-CCM', v.decryptionKey, v.encryptedResponse);
    expect(sessionId).toBe(v.sessionId);
    expect(plaintext.toString('hex')).toBe(v.response.toString('hex'));
  });
});

describe('SMB 3.1.1 AES-128-GCM ("SMB 3.1.1 Encryption in Windows 10")', () => {
  const v = SMB311_ENCRYPTION;

  it('encrypts the published WRITE request to the published bytes', () => {
    const out = encryptMessageWithNonce('AES-128-GCM', v.encryptionKey, v.sessionId, v.request, v.requestNonce);
    expect(out.toString('hex')).toBe(v.encryptedRequest.toString('hex'));
  });

  it('decrypts the published WRITE response', () => {
    const { sessionId, plaintext } = decryptMessage('AES-128-GCM', v.decryptionKey, v.encryptedResponse);
    expect(sessionId).toBe(v.sessionId);
    expect(plaintext.toString('hex')).toBe(v.response.toString('hex'));
  });
});

describe('encryptMessage / decryptMessage', () => {
  const CIPHERS: Array<[CipherId, number, number]> = [
    ['AES-128-CCM', 16, 11],
    ['AES-128-GCM', 16, 12],
    ['AES-256-CCM', 32, 11],
    ['AES-256-GCM', 32, 12],
  ];
  const plaintext = SMB311_ENCRYPTION.request;

  it.each(CIPHERS)('%s round-trips with a fresh random nonce and a well-formed header', (cipher, keyLength, nonceLength) => {
    const key = Buffer.alloc(keyLength, 0x5a);
    const a = encryptMessage(cipher, key, 0x1122334455667788n, plaintext);
    const b = encryptMessage(cipher, key, 0x1122334455667788n, plaintext);
    expect(isTransformHeader(a)).toBe(true);
    expect(a.length).toBe(52 + plaintext.length);
    expect(a.readUInt32LE(36)).toBe(plaintext.length);
    expect(a.readUInt16LE(40)).toBe(0);
    expect(a.readUInt16LE(42)).toBe(1);
    expect(a.readBigUInt64LE(44)).toBe(0x1122334455667788n);
    expect(a.subarray(20 + nonceLength, 36).equals(Buffer.alloc(16 - nonceLength))).toBe(true);
    expect(a.subarray(20, 20 + nonceLength).equals(b.subarray(20, 20 + nonceLength))).toBe(false);
    expect(a.subarray(52).equals(plaintext)).toBe(false);
    const { sessionId, plaintext: back } = decryptMessage(cipher, key, a);
    expect(sessionId).toBe(0x1122334455667788n);
    expect(back.equals(plaintext)).toBe(true);
  });

  it.each(CIPHERS)('%s rejects tampering with ciphertext, tag, nonce or AAD', (cipher, keyLength) => {
    const key = Buffer.alloc(keyLength, 0x33);
    const sealed = encryptMessage(cipher, key, 1n, plaintext);
    for (const offset of [4, 25, 44, 60, sealed.length - 1]) {
      const bad = Buffer.from(sealed);
      bad[offset]! ^= 0x80;
      expect(() => decryptMessage(cipher, key, bad)).toThrow(SmbIntegrityError);
    }
    expect(() => decryptMessage(cipher, Buffer.alloc(keyLength, 0x34), sealed)).toThrow(SmbIntegrityError);
  });

  it('rejects malformed headers with SmbIntegrityError', () => {
    const key = Buffer.alloc(16);
    const sealed = encryptMessage('AES-128-GCM', key, 1n, plaintext);
    expect(() => decryptMessage('AES-128-GCM', key, sealed.subarray(0, 40))).toThrow(SmbIntegrityError);
    const wrongId = Buffer.from(sealed);
    wrongId[0] = 0xfe;
    expect(() => decryptMessage('AES-128-GCM', key, wrongId)).toThrow(/protocol id/);
    expect(() => decryptMessage('AES-128-GCM', key, sealed.subarray(0, sealed.length - 1))).toThrow(/OriginalMessageSize/);
    const badFlags = Buffer.from(sealed);
    badFlags.writeUInt16LE(2, 42);
    expect(() => decryptMessage('AES-128-GCM', key, badFlags)).toThrow(/Flags/);
  });

  it('checks key and nonce sizes', () => {
    expect(() => encryptMessage('AES-256-GCM', Buffer.alloc(16), 1n, plaintext)).toThrow(RangeError);
    expect(() => encryptMessageWithNonce('AES-128-CCM', Buffer.alloc(16), 1n, plaintext, Buffer.alloc(12))).toThrow(RangeError);
  });

  it('isTransformHeader tells a transform header from an SMB2 header', () => {
    expect(isTransformHeader(SMB311_ENCRYPTION.encryptedRequest)).toBe(true);
    expect(isTransformHeader(SMB311_ENCRYPTION.request)).toBe(false);
    expect(isTransformHeader(Buffer.alloc(2))).toBe(false);
  });
});
