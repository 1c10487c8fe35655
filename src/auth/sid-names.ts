/**
 * SID → account name (sAMAccountName) for showing who owns a file: users and groups alike, looked up by the
 * service account and cached. A name is public directory data, so one cache serves every user; what must not
 * be shared is a failure: an LDAP error answers null for that call only and is never cached, and a lookup in
 * flight belongs to no request (one user's cancelled request cannot cancel it for another who waits on it).
 */
import { EqualityFilter, type Filter } from 'ldapts';
import { GroupSidCache, type SidCacheSettings, sidToBytes } from './token-groups.js';

/** SIDs that have no account object in AD ([MS-DTYP] 2.4.2.4), named as Windows names them. */
const WELL_KNOWN: Record<string, string> = {
  'S-1-1-0': 'Everyone',
  'S-1-3-0': 'CREATOR OWNER',
  'S-1-3-1': 'CREATOR GROUP',
  'S-1-5-7': 'ANONYMOUS LOGON',
  'S-1-5-11': 'Authenticated Users',
  'S-1-5-18': 'SYSTEM',
  'S-1-5-19': 'LOCAL SERVICE',
  'S-1-5-20': 'NETWORK SERVICE',
};

/**
 * The objectSid equality filter, its value the SID's bytes as an OctetString. Built as an object, not parsed
 * from text: ldapts turns a `\XX` escape into a character and sends it as UTF-8, so every byte ≥ 0x80 of a SID
 * written as text would go out as two bytes and match nothing. Undefined for text that is no SID.
 */
export function sidFilter(sid: string): EqualityFilter | undefined {
  const bytes = sidToBytes(sid);
  return bytes === undefined ? undefined : new EqualityFilter({ attribute: 'objectSid', value: bytes });
}

/** Runs one directory search for `filter` and gives the sAMAccountNames found (normally none or one). */
export type AccountSearch = (filter: Filter) => Promise<string[]>;

export interface SidNamesOptions {
  /** Told about lookups that failed (answered null, not cached). */
  onError?: (sid: string, err: unknown) => void;
}

export class SidNames {
  private readonly cache: GroupSidCache;
  private readonly inFlight = new Map<string, Promise<string | null>>();

  constructor(
    private readonly search: AccountSearch,
    settings: SidCacheSettings,
    private readonly options: SidNamesOptions = {},
    now?: () => number,
  ) {
    this.cache = new GroupSidCache(settings, now);
  }

  /** The account name, or null for a SID the directory does not know (or cannot be asked about just now). */
  async nameOf(sid: string): Promise<string | null> {
    const known = WELL_KNOWN[sid];
    if (known !== undefined) return known;
    const cached = this.cache.get(sid);
    if (cached !== undefined) return cached;
    const filter = sidFilter(sid);
    if (filter === undefined) return null;
    let pending = this.inFlight.get(sid);
    if (!pending) {
      pending = this.lookUp(sid, filter);
      this.inFlight.set(sid, pending);
      void pending.finally(() => this.inFlight.delete(sid));
    }
    return pending;
  }

  private async lookUp(sid: string, filter: Filter): Promise<string | null> {
    try {
      const names = await this.search(filter);
      // Exactly one account may carry a SID; anything else is not an answer worth showing.
      const name = names.length === 1 ? (names[0] ?? null) : null;
      this.cache.set(sid, name);
      return name;
    } catch (err) {
      this.options.onError?.(sid, err);
      return null;
    }
  }
}
