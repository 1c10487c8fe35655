/**
 * AD's objectGUID (16 bytes) as the canonical GUID string, e.g. `f81d4fae-7dec-11d0-a765-00a0c91e6bf6`.
 * The first three fields are stored little-endian (a Windows GUID struct), the last eight bytes in order, so the
 * text matches what Windows tools and `Get-ADUser` show. It never changes when the account is renamed or moved.
 */
export function guidToString(bytes: Buffer): string | undefined {
  if (bytes.length !== 16) return undefined;
  const hex = (from: number, to: number, reverse: boolean): string => {
    const part = [...bytes.subarray(from, to)];
    return Buffer.from(reverse ? part.reverse() : part).toString('hex');
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const isGuid = (value: unknown): value is string => typeof value === 'string' && GUID.test(value);
