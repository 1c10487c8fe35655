import type { Credentials, KerberosClient } from './client.js';
import { KerberosInitiator } from './gss.js';
import { TicketFlag } from './messages.js';

/** Tickets are used until this long before they expire, then fetched again (MIT renews at a similar margin). */
const DEFAULT_MARGIN_MS = 5 * 60_000;

/**
 * TGTs per user and service tickets per (user, service), kept until shortly before
 * expiry. Concurrent callers share one request. A TGT is obtained again through
 * the caller's `obtainTgt` (the password in the CLI; the sealed TGT's owner in the app),
 * and one near its end is renewed: a web session (12 h by default, days with "keep me
 * signed in") outlives the KDC's 10-hour TGT, and holds no password to get another.
 */
export class TicketCache {
  private readonly tgts = new Map<string, Promise<Credentials>>();
  private readonly services = new Map<string, Promise<Credentials>>();
  /** The newest TGT seen per user, stale ones included: renewal starts from it. */
  private readonly latestTgt = new Map<string, Credentials>();
  private readonly marginMs: number;

  constructor(
    private readonly client: KerberosClient,
    options: { marginMs?: number } = {},
  ) {
    this.marginMs = options.marginMs ?? DEFAULT_MARGIN_MS;
  }

  private fresh(c: Credentials): boolean {
    return c.endtime.getTime() - this.marginMs > this.client.kdcNow().getTime();
  }

  private async cached(map: Map<string, Promise<Credentials>>, key: string, get: () => Promise<Credentials>): Promise<Credentials> {
    const hit = map.get(key);
    if (hit) {
      try {
        const c = await hit;
        if (this.fresh(c)) return c;
      } catch {
        // a failed request is not cached: try again below
      }
      if (map.get(key) !== hit) return this.cached(map, key, get);
    }
    const p = get();
    map.set(key, p);
    p.catch(() => {
      if (map.get(key) === p) map.delete(key);
    });
    return p;
  }

  tgt(user: string, obtainTgt: () => Promise<Credentials>): Promise<Credentials> {
    const key = user.toLowerCase();
    return this.cached(this.tgts, key, async () => {
      const obtained = await obtainTgt();
      const known = this.latestTgt.get(key);
      const newest = known && known.endtime > obtained.endtime ? known : obtained;
      const tgt = this.fresh(newest) || !this.renewable(newest) ? newest : await this.client.renewTgt(newest);
      this.latestTgt.set(key, tgt);
      return tgt;
    });
  }

  /** Renewable, and both its end time and its renew-till still ahead (an expired ticket cannot be renewed). */
  private renewable(c: Credentials): boolean {
    const now = this.client.kdcNow().getTime();
    return (c.flags & TicketFlag.RENEWABLE) !== 0 && c.renewTill !== undefined && c.renewTill.getTime() > now && c.endtime.getTime() > now;
  }

  serviceTicket(user: string, spn: string, obtainTgt: () => Promise<Credentials>): Promise<Credentials> {
    return this.cached(this.services, `${user.toLowerCase()}\0${spn.toLowerCase()}`, async () =>
      this.client.getServiceTicket(await this.tgt(user, obtainTgt), spn),
    );
  }

  /** A factory of GSS contexts for `spn`, as SmbClientOptions.kerberos takes it: one per session setup. */
  initiatorFactory(user: string, spn: string, obtainTgt: () => Promise<Credentials>): () => Promise<KerberosInitiator> {
    return async () => new KerberosInitiator({ service: await this.serviceTicket(user, spn, obtainTgt), now: () => this.client.kdcNow() });
  }

  /** A Kerberos credential provider for one user: a GSS context for any service name, from cached tickets. */
  provider(user: string, obtainTgt: () => Promise<Credentials>): (spn: string) => Promise<KerberosInitiator> {
    return (spn) => this.initiatorFactory(user, spn, obtainTgt)();
  }

  /** Forgets one service ticket, so the next use asks the KDC again (which re-checks the account). */
  forgetService(user: string, spn: string): void {
    this.services.delete(`${user.toLowerCase()}\0${spn.toLowerCase()}`);
  }

  /** Forgets a user's tickets (sign-out, password change). */
  forget(user: string): void {
    const u = user.toLowerCase();
    this.tgts.delete(u);
    this.latestTgt.delete(u);
    for (const key of [...this.services.keys()]) if (key.startsWith(`${u}\0`)) this.services.delete(key);
  }
}
