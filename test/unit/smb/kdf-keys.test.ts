import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { smb3Kdf } from '../../../src/smb/crypto/kdf.js';
import { PreauthIntegrity, deriveSessionKeys } from '../../../src/smb/crypto/keys.js';
import { SMB30_ENCRYPTION, SMB30_KEYS, SMB311_ENCRYPTION, SMB311_MULTICHANNEL } from './vectors/ms-smb-blog.js';

const hexOf = (b: Buffer): string => b.toString('hex');

describe('smb3Kdf (SP800-108 counter mode, HMAC-SHA256)', () => {
  it('is HMAC-SHA256(key, i || label || 0x00 || context || L), both big-endian 32-bit', () => {
    const key = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
    const label = Buffer.from('SMB2AESCMAC\0');
    const context = Buffer.from('SmbSign\0');
    const manual = createHmac('sha256', key)
      .update(Buffer.concat([Buffer.from('00000001', 'hex'), label, Buffer.of(0), context, Buffer.from('00000080', 'hex')]))
      .digest()
      .subarray(0, 16);
    expect(hexOf(smb3Kdf(key, label, context, 128))).toBe(hexOf(manual));
  });

  it('encodes L = 256 and returns all 32 bytes for 256-bit keys', () => {
    const key = Buffer.alloc(16, 7);
    const label = Buffer.from('SMBC2SCipherKey\0');
    const context = Buffer.alloc(64, 1);
    const manual = createHmac('sha256', key)
      .update(Buffer.concat([Buffer.from('00000001', 'hex'), label, Buffer.of(0), context, Buffer.from('00000100', 'hex')]))
      .digest();
    const out = smb3Kdf(key, label, context, 256);
    expect(out.length).toBe(32);
    expect(hexOf(out)).toBe(hexOf(manual));
    // L is part of the input, so the 128-bit key is not a prefix of the 256-bit one.
    expect(hexOf(smb3Kdf(key, label, context, 128))).not.toBe(hexOf(out.subarray(0, 16)));
  });
});

describe('deriveSessionKeys', () => {
  it('SMB 2.x signs with the session key itself and has no cipher keys', () => {
    const sessionKey = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    for (const dialect of [0x0202, 0x0210]) {
      const keys = deriveSessionKeys(dialect, sessionKey);
      expect(hexOf(keys.signingKey)).toBe('00112233445566778899aabbccddeeff');
      expect(keys.encryptionKey.length).toBe(0);
      expect(keys.decryptionKey.length).toBe(0);
    }
  });

  it('SMB 3.0 matches the "anatomy of signing and cryptographic keys" blog (master session)', () => {
    const keys = deriveSessionKeys(0x0300, SMB30_KEYS.sessionKey, undefined, 'AES-128-CCM');
    expect(hexOf(keys.signingKey)).toBe(hexOf(SMB30_KEYS.signingKey));
    expect(hexOf(keys.encryptionKey)).toBe(hexOf(SMB30_KEYS.encryptionKey));
    expect(hexOf(keys.decryptionKey)).toBe(hexOf(SMB30_KEYS.decryptionKey));
    expect(hexOf(keys.applicationKey)).toBe(hexOf(SMB30_KEYS.applicationKey));
  });

  it('SMB 3.0 matches the blog (second channel signing key)', () => {
    const keys = deriveSessionKeys(0x0300, SMB30_KEYS.secondChannelSessionKey);
    expect(hexOf(keys.signingKey)).toBe(hexOf(SMB30_KEYS.secondChannelSigningKey));
  });

  it('SMB 3.0 matches the "Encryption in SMB 3.0" blog keys; 3.0.2 derives the same way', () => {
    for (const dialect of [0x0300, 0x0302]) {
      const keys = deriveSessionKeys(dialect, SMB30_ENCRYPTION.sessionKey);
      expect(hexOf(keys.encryptionKey)).toBe(hexOf(SMB30_ENCRYPTION.encryptionKey));
      expect(hexOf(keys.decryptionKey)).toBe(hexOf(SMB30_ENCRYPTION.decryptionKey));
    }
  });

  it('SMB 3.1.1 matches the blog (master session, preauth hash as context)', () => {
    const v = SMB311_MULTICHANNEL.first;
    const keys = deriveSessionKeys(0x0311, v.sessionKey, v.hashAfterSessionSetupRequest2, 'AES-128-GCM');
    expect(hexOf(keys.signingKey)).toBe(hexOf(v.signingKey));
    expect(hexOf(keys.encryptionKey)).toBe(hexOf(v.encryptionKey));
    expect(hexOf(keys.decryptionKey)).toBe(hexOf(v.decryptionKey));
    expect(hexOf(keys.applicationKey)).toBe(hexOf(v.applicationKey));
  });

  it('SMB 3.1.1 matches the blog (bound second channel signing key)', () => {
    const v = SMB311_MULTICHANNEL.second;
    const keys = deriveSessionKeys(0x0311, v.sessionKey, v.hashAfterSessionSetupRequest2, 'AES-128-GCM');
    expect(hexOf(keys.signingKey)).toBe(hexOf(v.signingKey));
  });

  it('SMB 3.1.1 matches the "SMB 3.1.1 Encryption in Windows 10" blog keys', () => {
    const keys = deriveSessionKeys(0x0311, SMB311_ENCRYPTION.sessionKey, SMB311_ENCRYPTION.preauthHash, 'AES-128-GCM');
    expect(hexOf(keys.encryptionKey)).toBe(hexOf(SMB311_ENCRYPTION.encryptionKey));
    expect(hexOf(keys.decryptionKey)).toBe(hexOf(SMB311_ENCRYPTION.decryptionKey));
  });

  it('AES-256 ciphers get 256-bit cipher keys from the full session key; signing stays 128-bit', () => {
    const fullKey = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
    const preauth = SMB311_ENCRYPTION.preauthHash;
    const keys = deriveSessionKeys(0x0311, fullKey, preauth, 'AES-256-GCM');
    expect(keys.encryptionKey.length).toBe(32);
    expect(keys.decryptionKey.length).toBe(32);
    expect(hexOf(keys.encryptionKey)).toBe(hexOf(smb3Kdf(fullKey, Buffer.from('SMBC2SCipherKey\0'), preauth, 256)));
    expect(hexOf(keys.decryptionKey)).toBe(hexOf(smb3Kdf(fullKey, Buffer.from('SMBS2CCipherKey\0'), preauth, 256)));
    expect(hexOf(keys.signingKey)).toBe(hexOf(smb3Kdf(fullKey.subarray(0, 16), Buffer.from('SMBSigningKey\0'), preauth, 128)));
    // A 16-byte NTLM key works as the full key too.
    const ntlm = deriveSessionKeys(0x0311, SMB311_ENCRYPTION.sessionKey, preauth, 'AES-256-CCM');
    expect(ntlm.encryptionKey.length).toBe(32);
    expect(hexOf(ntlm.encryptionKey.subarray(0, 16))).not.toBe(hexOf(SMB311_ENCRYPTION.encryptionKey));
  });

  it('pads a short session key with zeros and uses the first 16 bytes of a long one for signing', () => {
    const short = deriveSessionKeys(0x0210, Buffer.from('0102', 'hex'));
    expect(hexOf(short.signingKey)).toBe('01020000000000000000000000000000');
    const long = deriveSessionKeys(0x0202, Buffer.alloc(32, 0xab));
    expect(long.signingKey.length).toBe(16);
  });

  it('rejects a missing preauth hash for 3.1.1, AES-256 below 3.1.1, and unknown dialects', () => {
    expect(() => deriveSessionKeys(0x0311, Buffer.alloc(16))).toThrow(/preauth/);
    expect(() => deriveSessionKeys(0x0300, Buffer.alloc(16), undefined, 'AES-256-GCM')).toThrow(/3\.1\.1/);
    expect(() => deriveSessionKeys(0x0222, Buffer.alloc(16))).toThrow(/0x0222/);
  });
});

describe('PreauthIntegrity', () => {
  it('reproduces every step of the blog\'s SMB 3.1.1 preauth hash chain', () => {
    const v = SMB311_MULTICHANNEL.first;
    const connection = new PreauthIntegrity();
    expect(connection.value.equals(Buffer.alloc(64))).toBe(true);
    connection.update(v.negotiateRequest);
    expect(hexOf(connection.value)).toBe(hexOf(v.hashAfterNegotiateRequest));
    connection.update(v.negotiateResponse);
    expect(hexOf(connection.value)).toBe(hexOf(v.hashAfterNegotiateResponse));

    const session = connection.clone();
    session.update(v.sessionSetupRequest1);
    expect(hexOf(session.value)).toBe(hexOf(v.hashAfterSessionSetupRequest1));
    session.update(v.sessionSetupResponse1);
    expect(hexOf(session.value)).toBe(hexOf(v.hashAfterSessionSetupResponse1));
    session.update(v.sessionSetupRequest2);
    expect(hexOf(session.value)).toBe(hexOf(v.hashAfterSessionSetupRequest2));

    // The fork leaves the connection-level hash where it was.
    expect(hexOf(connection.value)).toBe(hexOf(v.hashAfterNegotiateResponse));
  });

  it('is SHA-512(previous || message)', () => {
    const p = new PreauthIntegrity();
    p.update(Buffer.from('x'));
    const expected = createHash('sha512').update(Buffer.alloc(64)).update('x').digest();
    expect(hexOf(p.value)).toBe(hexOf(expected));
  });

  it('hands out copies, so callers cannot corrupt the running hash', () => {
    const p = new PreauthIntegrity();
    p.value.fill(0xff);
    expect(p.value.equals(Buffer.alloc(64))).toBe(true);
  });
});
