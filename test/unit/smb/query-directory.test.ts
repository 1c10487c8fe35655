// decodeDirectoryEntries builds each entry in one object literal (the listing hot path); these check it
// gives exactly what the straightforward decoder (readTimesAndSizes spread into the entry) gave.
import { describe, expect, it } from 'vitest';
import { decodeDirectoryEntries, type DirectoryEntry } from '../../../src/smb/messages/query-directory.js';
import { readTimesAndSizes } from '../../../src/smb/messages/create.js';
import { decodeName, readU64 } from '../../../src/smb/messages/encoding.js';
import { FileInfoClass } from '../../../src/smb/messages/constants.js';

/** The decoder as it was before the fast path: the reference. */
function reference(buf: Buffer, infoClass: number): DirectoryEntry[] {
  const withId = infoClass === FileInfoClass.FileIdBothDirectoryInformation;
  const nameAt = withId ? 104 : 94;
  const out: DirectoryEntry[] = [];
  let at = 0;
  while (at + nameAt <= buf.length) {
    const next = buf.readUInt32LE(at);
    const nameLength = buf.readUInt32LE(at + 60);
    if (at + nameAt + nameLength > buf.length) throw new RangeError('directory entry name outside the buffer');
    const shortLength = Math.min(buf.readUInt8(at + 68), 24);
    out.push({
      ...readTimesAndSizes(buf, at + 8, true),
      name: decodeName(buf, at + nameAt, nameLength),
      shortName: decodeName(buf, at + 70, shortLength),
      fileId: withId ? readU64(buf, at + 96) : undefined,
    });
    if (next === 0) break;
    at += next;
  }
  return out;
}

interface Crafted {
  name: string;
  shortName?: string;
  times: [bigint, bigint, bigint, bigint];
  eof: bigint;
  alloc: bigint;
  attrs: number;
  fileId: bigint;
}

function encode(entries: Crafted[], infoClass: number): Buffer {
  const nameAt = infoClass === FileInfoClass.FileIdBothDirectoryInformation ? 104 : 94;
  const parts = entries.map((e, i) => {
    const name = Buffer.from(e.name, 'utf16le');
    const short = Buffer.from(e.shortName ?? '', 'utf16le');
    const last = i === entries.length - 1;
    const len = nameAt + name.length;
    const b = Buffer.alloc(last ? len : (len + 7) & ~7);
    b.writeUInt32LE(last ? 0 : b.length, 0);
    e.times.forEach((t, k) => b.writeBigUInt64LE(t, 8 + 8 * k));
    b.writeBigUInt64LE(e.eof, 40);
    b.writeBigUInt64LE(e.alloc, 48);
    b.writeUInt32LE(e.attrs, 56);
    b.writeUInt32LE(name.length, 60);
    b.writeUInt8(short.length, 68);
    short.copy(b, 70);
    if (nameAt === 104) b.writeBigUInt64LE(e.fileId, 96);
    name.copy(b, nameAt);
    return b;
  });
  return Buffer.concat(parts);
}

const UNIX_EPOCH = 116_444_736_000_000_000n;
const crafted: Crafted[] = [
  { name: '.', times: [0n, 0n, 0n, 0n], eof: 0n, alloc: 0n, attrs: 0x10, fileId: 1n },
  { name: '..', times: [UNIX_EPOCH, UNIX_EPOCH, UNIX_EPOCH, UNIX_EPOCH], eof: 0n, alloc: 0n, attrs: 0x10, fileId: 2n },
  {
    name: 'e\u0301😀 Grüße 名前.txt',
    shortName: 'EGRE~1.TXT',
    times: [133_900_000_000_000_001n, 133_900_000_000_009_999n, 133_900_000_000_010_000n, UNIX_EPOCH + 1n],
    eof: 2n ** 53n + 2n,
    alloc: 2n ** 60n,
    attrs: 0x21,
    fileId: 2n ** 63n + 5n,
  },
  // Far future: the largest FILETIME (year 30828) and sizes just below and at the 2^53 boundary.
  { name: '.hidden', times: [2n ** 63n - 1n, 2n ** 64n - 1n, 2n ** 62n, 1n], eof: 2n ** 53n - 1n, alloc: 2n ** 53n, attrs: 0x22, fileId: 0xffff_ffffn },
  { name: '\ud800lone', times: [1n, 2n, 3n, 4n], eof: 4096n, alloc: 4096n, attrs: 0x01, fileId: 0n },
];

describe('decodeDirectoryEntries', () => {
  for (const [label, infoClass] of [
    ['FileIdBothDirectoryInformation', FileInfoClass.FileIdBothDirectoryInformation],
    ['FileBothDirectoryInformation', FileInfoClass.FileBothDirectoryInformation],
  ] as const) {
    it(`matches the reference decoder on crafted ${label} entries`, () => {
      const buf = encode(crafted, infoClass);
      const got = decodeDirectoryEntries(buf, infoClass);
      expect(got).toEqual(reference(buf, infoClass));
      expect(got.map((e) => e.name)).toEqual(crafted.map((e) => e.name));
    });
  }

  it('keeps names, short names, big sizes and ids exact', () => {
    const got = decodeDirectoryEntries(encode(crafted, FileInfoClass.FileIdBothDirectoryInformation), FileInfoClass.FileIdBothDirectoryInformation);
    const e = got[2];
    expect(e?.name).toBe('e\u0301😀 Grüße 名前.txt');
    expect(e?.shortName).toBe('EGRE~1.TXT');
    expect(e?.endOfFile).toBe(2n ** 53n + 2n);
    expect(e?.allocationSize).toBe(2n ** 60n);
    expect(e?.fileId).toBe(2n ** 63n + 5n);
    expect(got[3]?.endOfFile).toBe(2 ** 53 - 1);
    expect(got[0]?.creationTime.getTime()).toBe(0);
    expect(got[1]?.lastWriteTime.getTime()).toBe(0);
    expect(got[3]?.lastAccessTime.getTime()).toBe(Number((2n ** 64n - 1n) / 10_000n) - 11_644_473_600_000);
    expect(got[1]?.shortName).toBe('');
  });

  it('refuses a name that runs past the buffer', () => {
    const buf = encode(crafted.slice(2, 3), FileInfoClass.FileIdBothDirectoryInformation);
    expect(() => decodeDirectoryEntries(buf.subarray(0, buf.length - 2), FileInfoClass.FileIdBothDirectoryInformation)).toThrow(RangeError);
  });
});
