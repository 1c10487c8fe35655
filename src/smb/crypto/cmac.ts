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
  if (key.length !== 16) throw new RangeError('AES-128-CMAC needs a 16-byte key');
  const { k1, k2 } = subkeys(key);
  const blockCount = Math.max(1, Math.ceil(message.length / BLOCK));
  const complete = message.length > 0 && message.length % BLOCK === 0;

  const padded = Buffer.alloc(blockCount * BLOCK);
  message.copy(padded);
  if (!complete) padded[message.length] = 0x80;
  xorInto(padded, (blockCount - 1) * BLOCK, complete ? k1 : k2);

  // CBC-MAC with a zero IV: the last ciphertext block is the tag.
  const cipher = createCipheriv('aes-128-cbc', key, Buffer.alloc(BLOCK));
  cipher.setAutoPadding(false);
  const encrypted = Buffer.concat([cipher.update(padded), cipher.final()]);
  return encrypted.subarray(encrypted.length - BLOCK);
}
