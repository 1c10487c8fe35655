/**
 * MD4 (RFC 1320). Only the NT hash needs it, and Node's OpenSSL 3 refuses MD4
 * without the legacy provider, which we do not want to require.
 */

const INITIAL_STATE = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476] as const;

const ROUND2_CONSTANT = 0x5a827999;
const ROUND3_CONSTANT = 0x6ed9eba1;

const ROUND1_SHIFTS = [3, 7, 11, 19] as const;
const ROUND2_SHIFTS = [3, 5, 9, 13] as const;
const ROUND3_SHIFTS = [3, 9, 11, 15] as const;
const ROUND3_ORDER = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15] as const;

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

function pad(data: Buffer): Buffer {
  // One 0x80 byte, zeros up to 56 mod 64, then the bit length as 64-bit LE.
  const padLength = (data.length % 64 < 56 ? 56 : 120) - (data.length % 64);
  const padded = Buffer.alloc(data.length + padLength + 8);
  data.copy(padded);
  padded[data.length] = 0x80;
  const bitLength = BigInt(data.length) * 8n;
  padded.writeBigUInt64LE(bitLength & 0xffffffffffffffffn, data.length + padLength);
  return padded;
}

function processBlock(state: number[], block: Buffer, offset: number): void {
  const x = new Array<number>(16);
  for (let i = 0; i < 16; i++) x[i] = block.readInt32LE(offset + i * 4);
  let [a, b, c, d] = state as [number, number, number, number];

  for (let i = 0; i < 16; i++) {
    const f = (b & c) | (~b & d);
    const t = rotl((a + f + x[i]!) | 0, ROUND1_SHIFTS[i % 4]!);
    [a, b, c, d] = [d, t, b, c];
  }
  for (let i = 0; i < 16; i++) {
    const k = (i % 4) * 4 + Math.floor(i / 4);
    const g = (b & c) | (b & d) | (c & d);
    const t = rotl((a + g + x[k]! + ROUND2_CONSTANT) | 0, ROUND2_SHIFTS[i % 4]!);
    [a, b, c, d] = [d, t, b, c];
  }
  for (let i = 0; i < 16; i++) {
    const h = b ^ c ^ d;
    const t = rotl((a + h + x[ROUND3_ORDER[i]!]! + ROUND3_CONSTANT) | 0, ROUND3_SHIFTS[i % 4]!);
    [a, b, c, d] = [d, t, b, c];
  }

  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
}

export function md4(data: Buffer): Buffer {
  const padded = pad(data);
  const state: number[] = [...INITIAL_STATE];
  for (let offset = 0; offset < padded.length; offset += 64) processBlock(state, padded, offset);
  const digest = Buffer.alloc(16);
  state.forEach((word, i) => digest.writeInt32LE(word, i * 4));
  return digest;
}
