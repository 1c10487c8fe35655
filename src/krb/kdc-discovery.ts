import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { KdcAddress } from './transport.js';

/**
 * KDC discovery by DNS SRV (RFC 4120 section 7.2.3.2: `_kerberos._tcp.<realm>`), as MIT and Windows do it. The
 * lookup never sits in front of a Kerberos exchange: a caller holds a KdcDiscovery, whose current() answers at once
 * with what the last lookup found (the fallback until then), while lookups run in the background.
 */

/** One SRV record as node:dns returns it (`name` is the target). */
export interface SrvRecord {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

/** A KDC named by SRV: where to connect (an address when our resolver found one, else the target name). */
export interface DiscoveredKdc extends KdcAddress {
  /** The SRV target, without a trailing dot. */
  target: string;
}

/** For logs: "dc1.example.test (10.0.0.5):88", or "10.0.0.5:88" when the target was an address already. */
export function describeKdc(k: DiscoveredKdc): string {
  return k.host === k.target ? `${k.host}:${k.port}` : `${k.target} (${k.host}):${k.port}`;
}

/** The name looked up for a realm. DNS compares names without case, so the realm is used as the KDC spells it. */
export function srvName(realm: string): string {
  return `_kerberos._tcp.${realm}`;
}

/** A target of "." (node:dns gives "" for it) means "decidedly no service here" (RFC 2782). */
function isNoService(r: SrvRecord): boolean {
  return r.name === '' || r.name === '.';
}

/**
 * RFC 2782's order: lowest priority first; within one priority a weighted random draw, repeated until none is left
 * (records of weight 0 first in the running sum, so they are chosen only rarely when others weigh something).
 * `random` returns [0, 1) like Math.random; tests pass their own. "No service" records are dropped.
 */
export function orderSrv(records: readonly SrvRecord[], random: () => number = Math.random): SrvRecord[] {
  const usable = records.filter((r) => !isNoService(r));
  const priorities = [...new Set(usable.map((r) => r.priority))].sort((a, b) => a - b);
  const out: SrvRecord[] = [];
  for (const priority of priorities) {
    const group = usable.filter((r) => r.priority === priority).sort((a, b) => Number(a.weight !== 0) - Number(b.weight !== 0));
    while (group.length > 0) {
      const sum = group.reduce((s, r) => s + r.weight, 0);
      const pick = Math.min(sum, Math.floor(random() * (sum + 1)));
      let running = 0;
      const index = group.findIndex((r) => (running += r.weight) >= pick);
      out.push(...group.splice(index, 1));
    }
  }
  return out;
}

/** The discovered KDCs first, then the fallback ones not already among them (by name or address, port included). */
export function mergeKdcs(discovered: readonly DiscoveredKdc[], fallback: readonly KdcAddress[]): KdcAddress[] {
  const key = (host: string, port: number): string => `${host.toLowerCase().replace(/\.$/, '')}|${port}`;
  const seen = new Set(discovered.flatMap((k) => [key(k.host, k.port), key(k.target, k.port)]));
  const out: KdcAddress[] = discovered.map(({ host, port }) => ({ host, port }));
  for (const k of fallback) {
    if (seen.has(key(k.host, k.port))) continue;
    seen.add(key(k.host, k.port));
    out.push({ host: k.host, port: k.port });
  }
  return out;
}

const setKey = (kdcs: readonly DiscoveredKdc[]): string => kdcs.map((k) => `${k.target}|${k.host}|${k.port}`).sort().join(',');

/** Why a lookup found no KDC: the DNS said so (authoritative), or it could not be asked (transient). */
export class KdcLookupError extends Error {
  constructor(
    message: string,
    readonly authoritative: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'KdcLookupError';
  }
}

/** node:dns codes that are the DNS's answer rather than a failure to get one. */
const ANSWERS = new Set(['ENOTFOUND', 'ENODATA']);

export interface LookupOptions {
  /** DNS servers as node:dns takes them ("10.0.0.53", "10.0.0.53:5353", "[::1]:53"); default: the system's. */
  servers?: readonly string[];
  /** Per query, one try (default 2 s). The whole lookup is cancelled after twice that. */
  timeoutMs?: number;
  /** Lets a caller cancel a lookup under way (stop()). */
  onResolver?: (resolver: Resolver | undefined) => void;
  random?: () => number;
}

/**
 * Looks up the realm's SRV records and each target's addresses with the same resolver (a host that does not use the
 * AD DNS would not resolve the DCs' names either). Resolves to the KDCs in RFC 2782 order; rejects with KdcLookupError.
 */
export async function lookupKdcs(realm: string, options: LookupOptions = {}): Promise<DiscoveredKdc[]> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  if (options.servers && options.servers.length > 0) resolver.setServers([...options.servers]);
  options.onResolver?.(resolver);
  // c-ares bounds each query, but with several servers it asks each in turn: cancel whatever is left at the deadline.
  const deadline = setTimeout(() => resolver.cancel(), 2 * timeoutMs);
  deadline.unref();
  const name = srvName(realm);
  try {
    let records: SrvRecord[];
    try {
      records = await resolver.resolveSrv(name);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      throw new KdcLookupError(ANSWERS.has(code) ? `${name}: no such record (${code})` : `${name}: DNS did not answer (${code || String(err)})`, ANSWERS.has(code), {
        cause: err,
      });
    }
    const ordered = orderSrv(records, options.random);
    if (ordered.length === 0) throw new KdcLookupError(`${name}: the DNS says no KDC serves this realm (target ".")`, true);
    const found = await Promise.all(ordered.map((r) => addressesOf(resolver, r)));
    return found.flat();
  } finally {
    clearTimeout(deadline);
    options.onResolver?.(undefined);
  }
}

/** A target's addresses (IPv4 first), each a KDC to try; the name itself when our resolver has none for it. */
async function addressesOf(resolver: Resolver, r: SrvRecord): Promise<DiscoveredKdc[]> {
  const target = r.name.replace(/\.$/, '');
  if (isIP(target)) return [{ host: target, port: r.port, target }];
  const [v4, v6] = await Promise.allSettled([resolver.resolve4(target), resolver.resolve6(target)]);
  const addresses = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
  return addresses.length > 0 ? addresses.map((host) => ({ host, port: r.port, target })) : [{ host: target, port: r.port, target }];
}

export interface KdcDiscoveryOptions extends Omit<LookupOptions, 'onResolver'> {
  realm: string;
  /** Used alone until a lookup finds KDCs and whenever none does, and after the discovered ones always (failover). */
  fallback: readonly KdcAddress[];
  /** Between lookups (default 5 minutes: node:dns does not give SRV records' TTLs). */
  refreshMs?: number;
  /** A lookup found KDCs that differ from the last ones found (the first time too). */
  onDiscovered?: (kdcs: readonly DiscoveredKdc[], name: string) => void;
  /**
   * A lookup failed after the last one succeeded (or the first one failed): once per run of failures. `kept` are the
   * KDCs found before, still tried first when the DNS merely did not answer (empty: the fallback alone is used).
   */
  onLookupFailed?: (error: KdcLookupError, name: string, kept: readonly DiscoveredKdc[]) => void;
}

/**
 * The KDC list for one realm, kept fresh from DNS SRV in the background. current() never waits for DNS.
 * A transient failure (no answer) keeps the KDCs last found; an authoritative "none" drops them.
 */
export class KdcDiscovery {
  private discovered: readonly DiscoveredKdc[] = [];
  private list: readonly KdcAddress[];
  private timer: NodeJS.Timeout | undefined;
  private resolver: Resolver | undefined;
  private failing = false;
  private stopped = false;
  private running: Promise<void> | undefined;
  private count = 0;

  constructor(private readonly options: KdcDiscoveryOptions) {
    this.list = options.fallback;
  }

  /** The KDCs to try now, in order. */
  current(): readonly KdcAddress[] {
    return this.list;
  }

  /** Lookups started so far. */
  get lookups(): number {
    return this.count;
  }

  /** Starts the first lookup and the refresh timer; returns at once. */
  start(): void {
    if (this.timer || this.stopped) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.refreshMs ?? 300_000);
    this.timer.unref();
  }

  /** One lookup now (joining one under way); never rejects. The CLI awaits it; the app does not. */
  refresh(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running ??= this.lookup().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops the timer and cancels a lookup under way. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    this.resolver?.cancel();
  }

  private async lookup(): Promise<void> {
    this.count++;
    const name = srvName(this.options.realm);
    try {
      const { servers, timeoutMs, random } = this.options;
      const found = await lookupKdcs(this.options.realm, {
        ...(servers ? { servers } : {}),
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        ...(random ? { random } : {}),
        onResolver: (r) => (this.resolver = r),
      });
      if (this.stopped) return;
      this.failing = false;
      // Told when the set changes, not when a weighted draw merely reorders it.
      const changed = setKey(found) !== setKey(this.discovered);
      this.use(found);
      if (changed) this.options.onDiscovered?.(found, name);
    } catch (err) {
      if (this.stopped) return;
      const error = err instanceof KdcLookupError ? err : new KdcLookupError(`${name}: ${String(err)}`, false, { cause: err });
      if (error.authoritative) this.use([]);
      if (!this.failing) this.options.onLookupFailed?.(error, name, this.discovered);
      this.failing = true;
    }
  }

  private use(found: readonly DiscoveredKdc[]): void {
    this.discovered = found;
    this.list = found.length > 0 ? mergeKdcs(found, this.options.fallback) : this.options.fallback;
  }
}
