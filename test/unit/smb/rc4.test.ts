import { describe, expect, it } from 'vitest';
import { Rc4, rc4 } from '../../../src/smb/crypto/rc4.js';

describe('rc4', () => {
  it.each([
    // The classic published RC4 examples (Key/Plaintext, Wiki/pedia, Secret/Attack at dawn).
    ['Key', 'Plaintext', 'bbf316e8d940af0ad3'],
    ['Wiki', 'pedia', '1021bf0420'],
    ['Secret', 'Attack at dawn', '45a01f645fc35b383552544b9bf5'],
  ])('RC4(%j, %j) = %s', (key, plaintext, ciphertext) => {
    expect(rc4(Buffer.from(key), Buffer.from(plaintext)).toString('hex')).toBe(ciphertext);
  });

  it('produces the RFC 6229 keystream for the 40-bit key 0102030405 (offsets 0 and 16)', () => {
    const keystream = rc4(Buffer.from('0102030405', 'hex'), Buffer.alloc(32));
    expect(keystream.subarray(0, 16).toString('hex')).toBe('b2396305f03dc027ccc3524a0a1118a8');
    expect(keystream.subarray(16, 32).toString('hex')).toBe('6982944f18fc82d589c403a47a0d0919');
  });

  it('keeps its keystream position across update() calls, as NTLM sealing needs', () => {
    const key = Buffer.from('0102030405', 'hex');
    const stream = new Rc4(key);
    const first = stream.update(Buffer.alloc(16));
    const second = stream.update(Buffer.alloc(16));
    expect(Buffer.concat([first, second]).equals(rc4(key, Buffer.alloc(32)))).toBe(true);
  });

  it('decrypts what it encrypts', () => {
    const key = Buffer.from('session key');
    const data = Buffer.from('round trip');
    expect(rc4(key, rc4(key, data)).toString()).toBe('round trip');
  });

  it('rejects an empty key', () => {
    expect(() => rc4(Buffer.alloc(0), Buffer.alloc(1))).toThrow(RangeError);
  });
});
