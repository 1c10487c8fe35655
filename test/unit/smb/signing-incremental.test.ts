import { createCipheriv, createHmac, randomBytes, randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aesCmac, aesCmacParts } from '../../../src/smb/crypto/cmac.js';
import { gmacNonce, signMessage, verifyMessage, type SigningAlgorithm } from '../../../src/smb/crypto/signing.js';

/**
 * signing.ts feeds the MAC header, 16 zero bytes and body as separate views instead of copying the
 * message with its signature zeroed. These tests pin that to the straightforward copy-based computation.
 */
function copyBasedSignature(alg: SigningAlgorithm, key: Buffer, message: Buffer): Buffer {
  const unsigned = Buffer.from(message);
  unsigned.fill(0, 48, 64);
  switch (alg) {
    case 'HMAC-SHA256':
      return createHmac('sha256', key).update(unsigned).digest().subarray(0, 16);
    case 'AES-CMAC':
      return referenceCmac(key, unsigned);
    case 'AES-GMAC': {
      const cipher = createCipheriv(key.length === 32 ? 'aes-256-gcm' : 'aes-128-gcm', key, gmacNonce(unsigned));
      cipher.setAAD(unsigned);
      cipher.final();
      return cipher.getAuthTag();
    }
  }
}

/** The former one-shot AES-CMAC (RFC 4493 over a padded copy), kept here as the reference. */
function referenceCmac(key: Buffer, message: Buffer): Buffer {
  const ecb = createCipheriv('aes-128-ecb', key, null);
  ecb.setAutoPadding(false);
  const l = Buffer.concat([ecb.update(Buffer.alloc(16)), ecb.final()]);
  const dbl = (b: Buffer): Buffer => {
    const out = Buffer.alloc(16);
    for (let i = 0; i < 16; i++) out[i] = ((b[i]! << 1) | (i < 15 ? b[i + 1]! >>> 7 : 0)) & 0xff;
    if (b[0]! & 0x80) out[15]! ^= 0x87;
    return out;
  };
  const k1 = dbl(l);
  const k2 = dbl(k1);
  const blocks = Math.max(1, Math.ceil(message.length / 16));
  const complete = message.length > 0 && message.length % 16 === 0;
  const padded = Buffer.alloc(blocks * 16);
  message.copy(padded);
  if (!complete) padded[message.length] = 0x80;
  const mask = complete ? k1 : k2;
  for (let i = 0; i < 16; i++) padded[(blocks - 1) * 16 + i]! ^= mask[i]!;
  const cbc = createCipheriv('aes-128-cbc', key, Buffer.alloc(16));
  cbc.setAutoPadding(false);
  const out = Buffer.concat([cbc.update(padded), cbc.final()]);
  return out.subarray(out.length - 16);
}

function randomMessage(length: number): Buffer {
  const m = randomBytes(length);
  Buffer.from([0xfe, 0x53, 0x4d, 0x42]).copy(m, 0);
  return m;
}

// Around block boundaries, around the 64 KiB feed slices, and a multi-MiB READ-sized message.
const LENGTHS = [64, 65, 79, 80, 81, 127, 128, 4096 + 3, 65536, 65536 + 64, 65536 + 65, 200_003, (4 << 20) + 80];
const ALGORITHMS: SigningAlgorithm[] = ['HMAC-SHA256', 'AES-CMAC', 'AES-GMAC'];

describe('incremental signing equals the copy-based MAC', () => {
  for (const alg of ALGORITHMS) {
    it(`${alg}: sign and verify agree with the copy-based MAC on random messages`, () => {
      const lengths = [...LENGTHS, ...Array.from({ length: 20 }, () => randomInt(64, 300_000))];
      for (const length of lengths) {
        const key = randomBytes(16);
        const message = randomMessage(length);
        const expected = copyBasedSignature(alg, key, message);

        const signed = Buffer.from(message);
        signMessage(alg, key, signed);
        expect(signed.subarray(48, 64).equals(expected), `${alg} sign, ${length} bytes`).toBe(true);
        // Only the signature field changed.
        expect(signed.subarray(0, 48).equals(message.subarray(0, 48))).toBe(true);
        expect(signed.subarray(64).equals(message.subarray(64))).toBe(true);

        const before = Buffer.from(signed);
        expect(verifyMessage(alg, key, signed), `${alg} verify, ${length} bytes`).toBe(true);
        expect(signed.equals(before)).toBe(true);
        signed[randomInt(0, length)]! ^= 0x01;
        expect(verifyMessage(alg, key, signed)).toBe(false);
      }
    });
  }

  it('AES-GMAC with a 256-bit key agrees too', () => {
    const key = randomBytes(32);
    const message = randomMessage(100_001);
    const signed = Buffer.from(message);
    signMessage('AES-GMAC', key, signed);
    expect(signed.subarray(48, 64).equals(copyBasedSignature('AES-GMAC', key, message))).toBe(true);
  });

  it('aesCmacParts equals aesCmac of the concatenation however the input is split', () => {
    for (let trial = 0; trial < 50; trial++) {
      const key = randomBytes(16);
      const whole = randomBytes(randomInt(0, 200_000));
      const cuts = Array.from({ length: randomInt(0, 6) }, () => randomInt(0, whole.length + 1)).sort((a, b) => a - b);
      const parts: Buffer[] = [];
      let at = 0;
      for (const c of [...cuts, whole.length]) {
        parts.push(whole.subarray(at, c));
        at = c;
      }
      expect(aesCmacParts(key, parts).equals(referenceCmac(key, Buffer.concat(parts)))).toBe(true);
      expect(aesCmac(key, whole).equals(referenceCmac(key, whole))).toBe(true);
    }
  });
});
