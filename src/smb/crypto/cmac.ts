import { createCipheriv } from 'node:crypto';

/** AES-128-CMAC (RFC 4493), built on AES-CBC because Node has no CMAC. */

const BLOCK = 16;
const RB = 0x87;

function aesEncryptBlock(key: Buffer, block: Buffer): Buffer {
  const cipher = createCipheriv('aes-128-ecb', key, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}

function shiftLeftOne(input: Buffer): Buffer {
  const out = Buffer.alloc(BLOCK);
  for (let i = 0; i < BLOCK; i++) {
    out[i] = ((input[i]! << 1) | (i + 1 < BLOCK ? input[i + 1]! >>> 7 : 0)) & 0xff;
  }
  return out;
}

function doubleInField(input: Buffer): Buffer {
  const shifted = shiftLeftOne(input);
  if (input[0]! & 0x80) shifted[BLOCK - 1]! ^= RB;
  return shifted;
}

function subkeys(key: Buffer): { k1: Buffer; k2: Buffer } {
  const l = aesEncryptBlock(key, Buffer.alloc(BLOCK));
  const k1 = doubleInField(l);
  return { k1, k2: doubleInField(k1) };
}

function xorInto(target: Buffer, offset: number, mask: Buffer): void {
  for (let i = 0; i < BLOCK; i++) target[offset + i]! ^= mask[i]!;
}

export function aesCmac(key: Buffer, message: Buffer): Buffer {
  return aesCmacParts(key, [message]);
}

/** Slices fed to the CBC cipher: its output is thrown away, so keep each throwaway allocation small. */
const FEED = 64 * 1024;

/** CMAC of the concatenation of `parts`, without building it: signing multi-MiB messages copies nothing. */
export function aesCmacParts(key: Buffer, parts: readonly Buffer[]): Buffer {
  if (key.length !== 16) throw new RangeError('AES-128-CMAC needs a 16-byte key');
  const { k1, k2 } = subkeys(key);
  let total = 0;
  for (const p of parts) total += p.length;
  const complete = total > 0 && total % BLOCK === 0;
  // Every block but the last goes through CBC as it is; the last is padded and masked with K1 or K2.
  const lastStart = complete ? total - BLOCK : total - (total % BLOCK);

  // CBC-MAC with a zero IV: the last ciphertext block is the tag.
  const cipher = createCipheriv('aes-128-cbc', key, Buffer.alloc(BLOCK));
  cipher.setAutoPadding(false);
  const last = Buffer.alloc(BLOCK);
  let pos = 0;
  for (const p of parts) {
    const headEnd = Math.min(p.length, Math.max(0, lastStart - pos));
    for (let i = 0; i < headEnd; i += FEED) cipher.update(p.subarray(i, Math.min(headEnd, i + FEED)));
    if (headEnd < p.length) p.copy(last, pos + headEnd - lastStart, headEnd);
    pos += p.length;
  }
  if (!complete) last[total - lastStart] = 0x80;
  xorInto(last, 0, complete ? k1 : k2);
  // lastStart is a whole number of blocks, so the cipher holds nothing back: this update is the tag.
  const tag = cipher.update(last);
  cipher.final();
  return tag;
}
