// The owner SID out of a self-relative SECURITY_DESCRIPTOR ([MS-DTYP] 2.4.6) as QUERY_INFO returns it, with
// byte vectors laid out field by field from the spec rather than taken from our own encoder.
import { describe, expect, it } from 'vitest';
import { decodeOwnerSid, decodeSid } from '../../../src/smb/messages/security-descriptor.js';

/** [MS-DTYP] 2.4.2: Revision, SubAuthorityCount, IdentifierAuthority (6 bytes, big-endian), SubAuthority[] (LE). */
function sidBytes(authority: number, subs: number[]): Buffer {
  const out = Buffer.alloc(8 + 4 * subs.length);
  out[0] = 1;
  out[1] = subs.length;
  out.writeUIntBE(authority, 2, 6);
  subs.forEach((s, i) => out.writeUInt32LE(s, 8 + 4 * i));
  return out;
}

/** [MS-DTYP] 2.4.6 header: Revision, Sbz1, Control (LE), OffsetOwner, OffsetGroup, OffsetSacl, OffsetDacl. */
function sdHeader(control: number, offsets: { owner?: number; group?: number; sacl?: number; dacl?: number }): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 1;
  h.writeUInt16LE(control, 2);
  h.writeUInt32LE(offsets.owner ?? 0, 4);
  h.writeUInt32LE(offsets.group ?? 0, 8);
  h.writeUInt32LE(offsets.sacl ?? 0, 12);
  h.writeUInt32LE(offsets.dacl ?? 0, 16);
  return h;
}

const SE_SELF_RELATIVE = 0x8000;
const SE_DACL_PRESENT = 0x0004;
const ALICE = [21, 1004336348, 1177238915, 682003330, 1104];

describe('decodeSid ([MS-DTYP] 2.4.2, string form 2.4.2.1)', () => {
  it('writes the authority in decimal and the sub-authorities little-endian', () => {
    expect(decodeSid(sidBytes(5, ALICE))).toBe('S-1-5-21-1004336348-1177238915-682003330-1104');
    expect(decodeSid(sidBytes(1, [0]))).toBe('S-1-1-0');
    expect(decodeSid(sidBytes(5, [32, 544]))).toBe('S-1-5-32-544');
    expect(decodeSid(sidBytes(5, [4294967295]))).toBe('S-1-5-4294967295');
  });

  it('writes an authority of 2^32 or more in hexadecimal, as the spec says', () => {
    expect(decodeSid(sidBytes(2 ** 40, [1]))).toBe('S-1-0x010000000000-1');
  });

  it('refuses bytes that are not a whole SID', () => {
    const sid = sidBytes(5, ALICE);
    expect(() => decodeSid(sid.subarray(0, sid.length - 1))).toThrow(RangeError);
    const badRevision = Buffer.from(sid);
    badRevision[0] = 2;
    expect(() => decodeSid(badRevision)).toThrow(RangeError);
    const tooMany = Buffer.from(sid);
    tooMany[1] = 16;
    expect(() => decodeSid(tooMany)).toThrow(RangeError);
  });
});

describe('decodeOwnerSid ([MS-DTYP] 2.4.6 self-relative)', () => {
  it('reads an owner-only descriptor (what OWNER_SECURITY_INFORMATION asks for)', () => {
    const sd = Buffer.concat([sdHeader(SE_SELF_RELATIVE, { owner: 20 }), sidBytes(5, ALICE)]);
    expect(decodeOwnerSid(sd)).toBe('S-1-5-21-1004336348-1177238915-682003330-1104');
  });

  it('follows OffsetOwner wherever it points (after a group SID and a DACL here)', () => {
    const group = sidBytes(5, [21, 1, 2, 3, 513]);
    const dacl = Buffer.alloc(8); // ACL header ([MS-DTYP] 2.4.5): revision 2, size 8, no ACEs
    dacl[0] = 2;
    dacl.writeUInt16LE(8, 2);
    const owner = sidBytes(5, [32, 544]);
    const groupAt = 20;
    const daclAt = groupAt + group.length;
    const ownerAt = daclAt + dacl.length;
    const sd = Buffer.concat([sdHeader(SE_SELF_RELATIVE | SE_DACL_PRESENT, { owner: ownerAt, group: groupAt, dacl: daclAt }), group, dacl, owner]);
    expect(decodeOwnerSid(sd)).toBe('S-1-5-32-544');
  });

  it('gives null when the descriptor carries no owner (OffsetOwner 0)', () => {
    expect(decodeOwnerSid(sdHeader(SE_SELF_RELATIVE, {}))).toBeNull();
  });

  it('refuses a short, absolute or inconsistent descriptor instead of guessing', () => {
    expect(() => decodeOwnerSid(Buffer.alloc(19))).toThrow(RangeError);
    expect(() => decodeOwnerSid(Buffer.concat([sdHeader(0, { owner: 20 }), sidBytes(5, ALICE)]))).toThrow(/self-relative/);
    expect(() => decodeOwnerSid(Buffer.concat([sdHeader(SE_SELF_RELATIVE, { owner: 8 }), sidBytes(5, ALICE)]))).toThrow(RangeError);
    expect(() => decodeOwnerSid(Buffer.concat([sdHeader(SE_SELF_RELATIVE, { owner: 200 }), sidBytes(5, ALICE)]))).toThrow(RangeError);
  });
});
