import { createHmac } from 'node:crypto';

/**
 * SP800-108 counter-mode KDF with HMAC-SHA256 and r = 32, as MS-SMB2 3.1.4.2
 * uses it. Label and context go in verbatim: the SMB labels carry their own
 * trailing NUL, and this function adds only the 0x00 separator SP800-108 puts
 * between them.
 */
export function smb3Kdf(key: Buffer, label: Buffer, context: Buffer, lengthBits: 128 | 256): Buffer {
  const counter = Buffer.alloc(4);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(lengthBits);
  const blocks: Buffer[] = [];
  // HMAC-SHA256 yields 256 bits, so both allowed lengths need one round; the
  // loop keeps the construction honest if a longer length is ever allowed.
  for (let i = 1; blocks.length * 256 < lengthBits; i++) {
    counter.writeUInt32BE(i);
    blocks.push(
      createHmac('sha256', key).update(counter).update(label).update(Buffer.of(0)).update(context).update(length).digest(),
    );
  }
  return Buffer.concat(blocks).subarray(0, lengthBits / 8);
}
