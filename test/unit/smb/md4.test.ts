import { describe, expect, it } from 'vitest';
import { md4 } from '../../../src/smb/crypto/md4.js';

/** RFC 1320 appendix A.5, "Test suite". */
const RFC1320_SUITE: Array<[string, string]> = [
  ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
  ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
  ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
  ['message digest', 'd9130a8164549fe818874806e1c7014b'],
  ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
  ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '043f8582f241db351ce627e153e7f0e4'],
  ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', 'e33b4ddc9c38f2199c3e7b164fcc0536'],
];

describe('md4 (RFC 1320)', () => {
  it.each(RFC1320_SUITE)('MD4(%j) matches the RFC 1320 test suite', (input, digest) => {
    expect(md4(Buffer.from(input, 'latin1')).toString('hex')).toBe(digest);
  });

  it('pads correctly at the 55/56/64-byte block boundaries (NT hash of "Password" as a cross-check)', () => {
    // MS-NLMP 4.2.2.1.2: NTOWFv1("Password") = MD4(UTF-16LE("Password")).
    expect(md4(Buffer.from('Password', 'utf16le')).toString('hex')).toBe('a4f49c406510bdcab6824ee7c30fd852');
    // Lengths either side of the padding boundary must differ and be stable.
    const digests = [55, 56, 63, 64, 65].map((n) => md4(Buffer.alloc(n, 0x61)).toString('hex'));
    expect(new Set(digests).size).toBe(5);
    expect(md4(Buffer.alloc(64, 0x61)).toString('hex')).toBe(digests[3]);
  });

  it('does not modify its input', () => {
    const input = Buffer.from('abc');
    md4(input);
    expect(input.toString()).toBe('abc');
  });
});
