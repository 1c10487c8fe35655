/**
 * The owner out of a security descriptor, as QUERY_INFO (InfoType SECURITY) returns it: [MS-DTYP] 2.4.6
 * SECURITY_DESCRIPTOR in self-relative form, whose Owner is a [MS-DTYP] 2.4.2 SID somewhere after the header.
 */

/** [MS-DTYP] 2.4.7 SECURITY_INFORMATION: which parts of the descriptor to return. */
export const SecurityInformation = {
  OWNER: 0x00000001,
  GROUP: 0x00000002,
  DACL: 0x00000004,
  SACL: 0x00000008,
} as const;

/** SE_SELF_RELATIVE in the Control field: offsets, not pointers (always so on the wire). */
const SE_SELF_RELATIVE = 0x8000;
const HEADER = 20;
/** [MS-DTYP] 2.4.2: at most 15 sub-authorities. */
const MAX_SUB_AUTHORITIES = 15;

/**
 * `S-1-5-21-…` from a binary SID at `at` ([MS-DTYP] 2.4.2.1: the 48-bit big-endian authority in decimal below
 * 2^32, in hexadecimal 0x… at or above; sub-authorities 32-bit little-endian). Throws RangeError when the bytes
 * are not a whole SID.
 */
export function decodeSid(buf: Buffer, at = 0): string {
  if (at + 8 > buf.length) throw new RangeError('SID header past the end of the buffer');
  const revision = buf.readUInt8(at);
  const count = buf.readUInt8(at + 1);
  if (revision !== 1) throw new RangeError(`SID revision ${revision}, expected 1`);
  if (count > MAX_SUB_AUTHORITIES) throw new RangeError(`SID with ${count} sub-authorities (at most 15)`);
  if (at + 8 + 4 * count > buf.length) throw new RangeError('SID sub-authorities past the end of the buffer');
  const authority = buf.readUIntBE(at + 2, 6);
  const shown = authority < 2 ** 32 ? String(authority) : `0x${authority.toString(16).toUpperCase().padStart(12, '0')}`;
  const subs = Array.from({ length: count }, (_, i) => String(buf.readUInt32LE(at + 8 + 4 * i)));
  return ['S', '1', shown, ...subs].join('-');
}

/**
 * The owner SID of a self-relative SECURITY_DESCRIPTOR, or null when it has none (OffsetOwner 0: the server
 * left it out). Throws RangeError on a malformed descriptor rather than guessing.
 */
export function decodeOwnerSid(sd: Buffer): string | null {
  if (sd.length < HEADER) throw new RangeError('security descriptor shorter than its 20-byte header');
  const revision = sd.readUInt8(0);
  if (revision !== 1) throw new RangeError(`security descriptor revision ${revision}, expected 1`);
  const control = sd.readUInt16LE(2);
  if ((control & SE_SELF_RELATIVE) === 0) throw new RangeError('security descriptor is not self-relative');
  const ownerAt = sd.readUInt32LE(4);
  if (ownerAt === 0) return null;
  if (ownerAt < HEADER) throw new RangeError('owner SID offset points into the header');
  return decodeSid(sd, ownerAt);
}
