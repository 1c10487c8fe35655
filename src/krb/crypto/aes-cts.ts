import { createCipheriv, createDecipheriv } from 'node:crypto';

/**
 * AES in CBC mode with ciphertext stealing, the RFC 3962 variant (CBC-CS3: the
 * last two blocks always swapped), built on node:crypto's plain AES. Kerberos
 * uses an all-zero IV; each message carries its own random confounder instead.
 */

const BLOCK = 16;

function algorithm(key: Uint8Array, mode: 'cbc' | 'ecb'): string {
  if (key.length !== 16 && key.length !== 32) throw new RangeError(`AES key must be 16 or 32 bytes, not ${key.length}`);
  return `aes-${key.length * 8}-${mode}`;
}

function cbcEncrypt(key: Uint8Array, iv: Uint8Array, data: Buffer): Buffer {
  const c = createCipheriv(algorithm(key, 'cbc'), key, iv).setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

function cbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Buffer): Buffer {
  const d = createDecipheriv(algorithm(key, 'cbc'), key, iv).setAutoPadding(false);
  return Buffer.concat([d.update(data), d.final()]);
}

export function ctsEncrypt(key: Uint8Array, plaintext: Uint8Array, iv: Uint8Array = Buffer.alloc(BLOCK)): Buffer {
  const n = plaintext.length;
  if (n < BLOCK) throw new RangeError('AES-CTS needs at least one whole block');
  const padded = Buffer.alloc(Math.ceil(n / BLOCK) * BLOCK);
  Buffer.from(plaintext).copy(padded);
  const c = cbcEncrypt(key, iv, padded);
  if (n === BLOCK) return c;
  // CBC over the zero-padded text, then swap the last two blocks and cut to length:
  // exactly ciphertext stealing, since the padding zeros XOR to the stolen bytes.
  const last = c.length - BLOCK;
  return Buffer.concat([c.subarray(0, last - BLOCK), c.subarray(last), c.subarray(last - BLOCK, last - BLOCK + n - last)]);
}

export function ctsDecrypt(key: Uint8Array, ciphertext: Uint8Array, iv: Uint8Array = Buffer.alloc(BLOCK)): Buffer {
  const ct = Buffer.from(ciphertext);
  const n = ct.length;
  if (n < BLOCK) throw new RangeError('AES-CTS ciphertext shorter than a block');
  if (n === BLOCK) return cbcDecrypt(key, iv, ct);
  const tail = n % BLOCK === 0 ? BLOCK : n % BLOCK;
  const headLen = n - tail - BLOCK; // whole blocks before the swapped pair
  const head = ct.subarray(0, headLen);
  const stolen = ct.subarray(headLen, headLen + BLOCK); // encryption of the last (padded) block
  const partial = ct.subarray(headLen + BLOCK); // the first `tail` bytes of the second-to-last block
  // Decrypting `stolen` with the real second-to-last ciphertext as IV gives the last plaintext;
  // its bytes past `tail` are that ciphertext block's missing bytes (they were XORed with zeros).
  const raw = createDecipheriv(algorithm(key, 'ecb'), key, null).setAutoPadding(false).update(stolen);
  const secondToLast = Buffer.concat([partial, raw.subarray(tail)]);
  const lastPlain = Buffer.alloc(tail);
  for (let i = 0; i < tail; i++) lastPlain[i] = raw[i]! ^ partial[i]!;
  const front = cbcDecrypt(key, iv, Buffer.concat([head, secondToLast]));
  return Buffer.concat([front, lastPlain]);
}
