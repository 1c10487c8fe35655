/**
 * Group membership the way Windows builds a logon token: the user's constructed `tokenGroups` attribute (one
 * base-scope read, every transitive security group as a SID), with the SIDs mapped to group DNs through a cache.
 * The in-chain subtree search it replaces made the DC walk the member graph on every sign-in.
 */

/** `S-1-5-21-…` from the binary form (revision, sub-authority count, 48-bit big-endian authority, 32-bit LE sub-authorities). */
export function sidToString(sid: Buffer): string | undefined {
  if (sid.length < 8) return undefined;
  const count = sid.readUInt8(1);
  if (sid.length !== 8 + 4 * count) return undefined;
  const authority = sid.readUIntBE(2, 6);
  const subs = Array.from({ length: count }, (_, i) => sid.readUInt32LE(8 + 4 * i));
  return [`S-${sid.readUInt8(0)}`, String(authority), ...subs].join('-');
}

/**
 * The binary form of `S-1-…` (the inverse of sidToString), or undefined when the text is not a SID: revision 1,
 * an authority in decimal (below 2^48) or 0x-hex, and 0–15 sub-authorities below 2^32.
 */
export function sidToBytes(sid: string): Buffer | undefined {
  const m = /^S-1-(0x[0-9a-f]{1,12}|\d{1,15})((?:-\d{1,10}){0,15})$/i.exec(sid);
  if (!m) return undefined;
  const authority = Number(m[1]);
  const subs = (m[2] ?? '').split('-').slice(1).map(Number);
  if (!Number.isSafeInteger(authority) || authority >= 2 ** 48 || subs.some((s) => s > 0xffffffff)) return undefined;
  const out = Buffer.alloc(8 + 4 * subs.length);
  out.writeUInt8(1, 0);
  out.writeUInt8(subs.length, 1);
  out.writeUIntBE(authority, 2, 6);
  subs.forEach((s, i) => out.writeUInt32LE(s, 8 + 4 * i));
  return out;
}

/** The user's primary group (Domain Users, normally): its own SID's domain part and primaryGroupID. */
export function primaryGroupSid(userSid: string | undefined, primaryGroupId: string | undefined): string | undefined {
  if (!userSid || !primaryGroupId || !/^\d+$/.test(primaryGroupId)) return undefined;
  return `${userSid.slice(0, userSid.lastIndexOf('-'))}-${primaryGroupId}`;
}

/** BUILTIN groups (S-1-5-32-…): local to the DCs, reached in tokenGroups mostly through the primary group. */
export const isBuiltinSid = (sid: string): boolean => sid.startsWith('S-1-5-32-');

export interface SidCacheSettings {
  maxEntries: number;
  ttlMs: number;
}

/**
 * SID → group DN (or `null`: no group of that SID under the base DN). Shared by every user: the mapping is the
 * directory's, read by the service account, so nothing one user may see reaches another. Bounded (oldest out
 * first) and with a TTL, so renamed groups come right by themselves.
 */
export class GroupSidCache {
  private readonly entries = new Map<string, { dn: string | null; expires: number }>();

  constructor(
    private readonly settings: SidCacheSettings,
    private readonly now: () => number = Date.now,
  ) {}

  get(sid: string): string | null | undefined {
    const hit = this.entries.get(sid);
    if (!hit) return undefined;
    if (hit.expires <= this.now()) {
      this.entries.delete(sid);
      return undefined;
    }
    return hit.dn;
  }

  set(sid: string, dn: string | null): void {
    this.entries.delete(sid);
    this.entries.set(sid, { dn, expires: this.now() + this.settings.ttlMs });
    while (this.entries.size > this.settings.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
