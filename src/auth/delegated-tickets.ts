import { readFile } from 'node:fs/promises';
import {
  ConstrainedDelegation,
  type Credentials,
  type Key,
  type KerberosClient,
  KerberosInitiator,
  type KeytabEntry,
  KeytabError,
  keysFor,
  parseKeytab,
  type Ticket,
} from '../krb/index.js';

/** What a single sign-on holds instead of a password: at most the ticket the user's browser sent (Negotiate). */
export interface DelegationEvidence {
  ticket: Ticket;
  /** Its TicketFlags (forwardable or not decides whether S4U2Proxy may use it). */
  flags: number;
  endtime: Date;
}

export interface ServiceAccount {
  /** KRB_SERVICE_PRINCIPAL, e.g. svc-portcullis. */
  principal: string;
  keytab: string | undefined;
  password: string | undefined;
}

export interface DelegatedTicketsOptions {
  /** Tickets are used until this long before they expire (default 5 minutes). */
  marginMs?: number;
  /** Cached per-session tickets at most (oldest dropped first). */
  maxCached?: number;
}

/**
 * Kerberos constrained delegation for the web sessions that signed in without a password (OpenID Connect, HTTP
 * Negotiate): each SMB session set-up gets a cifs/ ticket in the user's name by S4U2Self (or the browser's own
 * ticket as evidence) and S4U2Proxy, with the service account's key only. Tickets are cached per web session and
 * service until shortly before they expire. Nothing of the user's is secret here: the service's key is the secret.
 */
export class DelegatedTickets {
  readonly s4u: ConstrainedDelegation;
  private entries: Promise<KeytabEntry[]> | undefined;
  private passwordKeys: Promise<Key[]> | undefined;
  private readonly cache = new Map<string, Promise<Credentials>>();
  private readonly marginMs: number;
  private readonly maxCached: number;

  constructor(
    private readonly client: KerberosClient,
    private readonly account: ServiceAccount,
    options: DelegatedTicketsOptions = {},
  ) {
    this.marginMs = options.marginMs ?? 5 * 60_000;
    this.maxCached = options.maxCached ?? 10_000;
    this.s4u = new ConstrainedDelegation({ client, principal: account.principal, keys: () => this.accountKeys(), marginMs: this.marginMs });
  }

  private keytab(): Promise<KeytabEntry[]> {
    const file = this.account.keytab;
    if (!file) return Promise.resolve([]);
    // Read once: the file is checked at start-up (src/config) and re-exported only with a key change, which needs a restart.
    this.entries ??= readFile(file).then(parseKeytab);
    return this.entries;
  }

  /** The service account's own keys: from the keytab, else from its password with the KDC's salt. */
  async accountKeys(): Promise<Key[]> {
    const fromKeytab = keysFor(await this.keytab(), this.account.principal, this.client.realm).map((e) => e.key);
    if (fromKeytab.length > 0) return fromKeytab;
    const password = this.account.password;
    if (!password) throw new KeytabError(`no AES key for ${this.account.principal} in ${this.account.keytab ?? 'the keytab'}, and no KRB_SERVICE_PASSWORD`);
    this.passwordKeys ??= this.client.keysFromPassword(this.account.principal, password);
    this.passwordKeys.catch(() => (this.passwordKeys = undefined));
    return this.passwordKeys;
  }

  /**
   * The keys that may have encrypted a ticket to `spn` (HTTP/<host>): the keytab's entries for that SPN, then the
   * account's own keys (an SPN on the account shares its key; that is how a password-configured service accepts).
   */
  async acceptorKeys(spn: string): Promise<Key[]> {
    const bySpn = keysFor(await this.keytab(), spn, this.client.realm).map((e) => e.key);
    return [...bySpn, ...(await this.accountKeys())];
  }

  /** Our clock as the KDC sees it (with any offset learnt from a skew error), for checking the browser's authenticator. */
  kdcNow(): Date {
    return this.client.kdcNow();
  }

  private fresh(c: Credentials): boolean {
    return c.endtime.getTime() - this.marginMs > this.client.kdcNow().getTime();
  }

  /** A cifs/ (or any allowed) ticket from `user` to `spn` for this web session, from the cache while it is fresh. */
  async ticket(sessionId: string, user: string, spn: string, evidence?: DelegationEvidence): Promise<Credentials> {
    const key = `${sessionId}\0${spn.toLowerCase()}`;
    const hit = this.cache.get(key);
    if (hit) {
      try {
        const c = await hit;
        if (this.fresh(c)) return c;
      } catch {
        // failures are not cached
      }
      if (this.cache.get(key) !== hit) return this.ticket(sessionId, user, spn, evidence);
    }
    // The browser's ticket is evidence only while it lasts; afterwards protocol transition (S4U2Self) stands in.
    const usable = evidence && evidence.endtime.getTime() - this.marginMs > this.client.kdcNow().getTime() ? evidence : undefined;
    const p = this.s4u.ticketFor(user, spn, usable);
    this.remember(key, p);
    return p;
  }

  private remember(key: string, p: Promise<Credentials>): void {
    this.cache.delete(key);
    this.cache.set(key, p);
    p.catch(() => {
      if (this.cache.get(key) === p) this.cache.delete(key);
    });
    // Oldest first: a Map iterates in insertion order, and each use of a key re-inserts it only when it is renewed.
    while (this.cache.size > this.maxCached) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }

  /** Keeps a ticket got before the session existed (the sign-in's check) as that session's. */
  prime(sessionId: string, spn: string, ticket: Credentials): void {
    this.remember(`${sessionId}\0${spn.toLowerCase()}`, Promise.resolve(ticket));
  }

  /** A Kerberos context per SMB session set-up, as PoolCredential.kerberos takes it. */
  provider(sessionId: string, user: string, evidence?: DelegationEvidence): (spn: string) => Promise<KerberosInitiator> {
    return async (spn) => new KerberosInitiator({ service: await this.ticket(sessionId, user, spn, evidence), now: () => this.client.kdcNow() });
  }

  /** The session ended (sign-out): its tickets go. */
  forgetSession(sessionId: string): void {
    for (const key of [...this.cache.keys()]) if (key.startsWith(`${sessionId}\0`)) this.cache.delete(key);
  }
}
