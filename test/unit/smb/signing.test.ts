import { createCipheriv, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { gmacNonce, signMessage, verifyMessage } from '../../../src/smb/crypto/signing.js';
import { SMB311_MULTICHANNEL } from './vectors/ms-smb-blog.js';

const SIGNATURE = { start: 48, end: 64 } as const;

function unsignedCopy(message: Buffer): Buffer {
  const copy = Buffer.from(message);
  copy.fill(0, SIGNATURE.start, SIGNATURE.end);
  return copy;
}

/** A minimal signed-flag SMB2 request: header + an ECHO body. */
function echoRequest(messageId: bigint, command = 0x000d, flags = 0x00000008): Buffer {
  const m = Buffer.alloc(68);
  Buffer.from([0xfe, 0x53, 0x4d, 0x42]).copy(m, 0);
  m.writeUInt16LE(64, 4);
  m.writeUInt16LE(command, 12);
  m.writeUInt32LE(flags, 16);
  m.writeBigUInt64LE(messageId, 24);
  m.writeBigUInt64LE(0x100000000019n, 40);
  m.writeUInt16LE(4, 64);
  return m;
}

describe('AES-CMAC signing against the blog\'s real Windows SMB 3.1.1 traffic', () => {
  const { first, second } = SMB311_MULTICHANNEL;

  it('verifies the final SESSION_SETUP response with the derived signing key', () => {
    expect(verifyMessage('AES-CMAC', first.signingKey, first.sessionSetupResponse2)).toBe(true);
  });

  it('verifies the binding requests, which are signed with the master session key', () => {
    expect(verifyMessage('AES-CMAC', first.signingKey, second.sessionSetupRequest1)).toBe(true);
    expect(verifyMessage('AES-CMAC', first.signingKey, second.sessionSetupRequest2)).toBe(true);
  });

  it('verifies the bound channel\'s final response with the channel signing key', () => {
    expect(verifyMessage('AES-CMAC', second.signingKey, second.sessionSetupResponse2)).toBe(true);
    expect(verifyMessage('AES-CMAC', first.signingKey, second.sessionSetupResponse2)).toBe(false);
  });

  it('re-signing the published message reproduces its exact signature', () => {
    const resigned = unsignedCopy(first.sessionSetupResponse2);
    signMessage('AES-CMAC', first.signingKey, resigned);
    expect(resigned.subarray(48, 64).toString('hex')).toBe('ebe146da120ba25fc3376a49dfe31bc1');
    expect(resigned.equals(first.sessionSetupResponse2)).toBe(true);
  });

  it('rejects a single flipped bit anywhere, and leaves the message untouched', () => {
    const tampered = Buffer.from(first.sessionSetupResponse2);
    tampered[tampered.length - 1]! ^= 0x01;
    const before = Buffer.from(tampered);
    expect(verifyMessage('AES-CMAC', first.signingKey, tampered)).toBe(false);
    expect(tampered.equals(before)).toBe(true);
  });
});

describe('HMAC-SHA256 signing (SMB 2.x)', () => {
  it('is HMAC-SHA256 over the message with a zeroed signature, truncated to 16 bytes', () => {
    const key = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
    const message = echoRequest(7n);
    message.fill(0xaa, 48, 64); // whatever was there must not count
    const expected = createHmac('sha256', key).update(unsignedCopy(message)).digest().subarray(0, 16);
    signMessage('HMAC-SHA256', key, message);
    expect(message.subarray(48, 64).toString('hex')).toBe(expected.toString('hex'));
    expect(verifyMessage('HMAC-SHA256', key, message)).toBe(true);
    expect(verifyMessage('HMAC-SHA256', Buffer.alloc(16), message)).toBe(false);
  });
});

describe('AES-GMAC signing (SMB 3.1.1 signing capabilities)', () => {
  const key = Buffer.from('0f0e0d0c0b0a09080706050403020100', 'hex');

  it('builds the nonce from MessageId, the server-to-redirector flag and CANCEL', () => {
    expect(gmacNonce(echoRequest(0x0102030405060708n)).toString('hex')).toBe('08070605040302010' + '0000000');
    expect(gmacNonce(echoRequest(5n, 0x000d, 0x00000009)).toString('hex')).toBe('0500000000000000' + '01000000');
    expect(gmacNonce(echoRequest(5n, 0x000c, 0x00000008)).toString('hex')).toBe('0500000000000000' + '02000000');
    expect(gmacNonce(echoRequest(5n, 0x000c, 0x00000009)).toString('hex')).toBe('0500000000000000' + '03000000');
  });

  it('is the AES-128-GCM tag of an empty plaintext with the zero-signature message as AAD', () => {
    const message = echoRequest(42n);
    const gcm = createCipheriv('aes-128-gcm', key, Buffer.from('2a0000000000000000000000', 'hex'));
    gcm.setAAD(unsignedCopy(message));
    gcm.final();
    const expected = gcm.getAuthTag();
    signMessage('AES-GMAC', key, message);
    expect(message.subarray(48, 64).toString('hex')).toBe(expected.toString('hex'));
    expect(verifyMessage('AES-GMAC', key, message)).toBe(true);
  });

  it('a cancel with the same MessageId gets a different signature', () => {
    const a = echoRequest(9n, 0x000d);
    const b = echoRequest(9n, 0x000c);
    signMessage('AES-GMAC', key, a);
    signMessage('AES-GMAC', key, b);
    expect(a.subarray(48, 64).equals(b.subarray(48, 64))).toBe(false);
  });
});

describe('guards', () => {
  it('signMessage refuses something that is not an SMB2 message', () => {
    expect(() => signMessage('AES-CMAC', Buffer.alloc(16), Buffer.alloc(10))).toThrow(RangeError);
    expect(() => signMessage('AES-CMAC', Buffer.alloc(16), Buffer.alloc(64))).toThrow(RangeError);
  });

  it('verifyMessage says false, not throw, for short or foreign input', () => {
    expect(verifyMessage('AES-CMAC', Buffer.alloc(16), Buffer.alloc(10))).toBe(false);
    expect(verifyMessage('HMAC-SHA256', Buffer.alloc(16), Buffer.alloc(80))).toBe(false);
  });
});
