import { ResultCodeError } from 'ldapts';
import { isConnectionFailure, type LdapConnection, type LdapTransport, openLdap } from './ldap-connection.js';

/**
 * The directory's long-lived connections, so a sign-in costs the DC no TLS handshake and no service bind:
 * - one service-bound connection for every search (LDAP multiplexes requests on one connection), replaced when
 *   it drops (a DC restart, an idle timeout) and moved to the next URL when its DC stops answering;
 * - idle connections per URL for user binds, each used by one bind at a time and kept afterwards (a later bind
 *   replaces the identity; nothing is ever read on them).
 * With fresh connections each time, a sign-in cost the DC 84–125 ms of CPU; pooled, 6–15 ms (see
 * bench/signin.ts): the difference was TLS handshakes, service binds and the in-chain group search.
 */

export interface PoolSettings extends LdapTransport {
  urls: string[];
  bindDn: string;
  bindPassword: string;
  /** Idle user-bind connections kept per URL. */
  maxIdleBinders: number;
}

/** The service account's bind was refused (an LDAP answer, not a connection failure): the settings are wrong. */
export class ServiceBindRefusedError extends Error {
  constructor(readonly url: string, cause: unknown) {
    super(`service bind refused by ${url}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'ServiceBindRefusedError';
  }
}

/** No URL answered; `failures` holds one error per URL tried. */
export class NoDirectoryError extends AggregateError {
  constructor(failures: unknown[], urls: string[]) {
    super(failures, `no LDAP server answered (${urls.join(', ')})`);
    this.name = 'NoDirectoryError';
  }
}

interface Service {
  url: string;
  connection: LdapConnection;
}

interface ServiceSlot {
  promise: Promise<Service>;
  /** Set once open. */
  value?: Service;
}

/**
 * True when a search failed because the pooled connection had gone: it dropped, or ldapts quietly reconnected
 * without the bind (AD then answers "operations error: not authenticated"). Worth one retry on a fresh one.
 */
const lostTheService = (err: unknown, connection: LdapConnection): boolean =>
  !connection.client.isConnected || isConnectionFailure(err) || (err instanceof ResultCodeError && err.code === 1);

export class LdapPool {
  private service: ServiceSlot | undefined;
  private readonly idleBinders = new Map<string, LdapConnection[]>();
  private closed = false;

  constructor(
    private readonly settings: PoolSettings,
    private readonly ca: () => Promise<Buffer[] | undefined>,
    private readonly onUnreachable?: (url: string, err: unknown) => void,
  ) {}

  /**
   * Runs `work` on the service connection. If the connection turns out to have gone, `work` runs once more on
   * a fresh one: it must be a read without side effects.
   */
  async withService<T>(work: (connection: LdapConnection, url: string) => Promise<T>): Promise<T> {
    const current = await this.currentService();
    try {
      return await work(current.connection, current.url);
    } catch (err) {
      if (!lostTheService(err, current.connection)) throw err;
      this.forget(current);
      const fresh = await this.currentService();
      return await work(fresh.connection, fresh.url);
    }
  }

  /**
   * A connection to `url` for one user bind, returned to the idle list afterwards unless `work` failed for a
   * connection reason. Connections that dropped while idle are never handed out (for StartTLS, ldapts would
   * reconnect in plain text).
   */
  async withBinder<T>(url: string, work: (connection: LdapConnection) => Promise<T>): Promise<T> {
    const idle = this.idleBinders.get(url) ?? [];
    let connection: LdapConnection | undefined;
    while ((connection = idle.pop()) && !connection.client.isConnected) await connection.close();
    connection ??= await openLdap(url, this.settings, await this.ca());
    let healthy = false;
    try {
      const result = await work(connection);
      healthy = true;
      return result;
    } catch (err) {
      healthy = !isConnectionFailure(err);
      throw err;
    } finally {
      const list = this.idleBinders.get(url) ?? [];
      if (healthy && !this.closed && list.length < this.settings.maxIdleBinders && connection.client.isConnected) {
        list.push(connection);
        this.idleBinders.set(url, list);
      } else {
        await connection.close();
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const service = this.service;
    this.service = undefined;
    const binders = [...this.idleBinders.values()].flat();
    this.idleBinders.clear();
    await Promise.all([...binders.map((c) => c.close()), service?.promise.then((s) => s.connection.close(), () => undefined)]);
  }

  private currentService(): Promise<Service> {
    if (this.closed) return Promise.reject(new Error('the LDAP pool is closed'));
    const known = this.service?.value;
    if (known && !known.connection.client.isConnected) this.forget(known);
    if (this.service) return this.service.promise;
    const slot: ServiceSlot = { promise: this.openService() };
    this.service = slot;
    // Registered before any caller's, so `value` is set by the time they resume. A failed opening must not
    // stick: the next sign-in tries again.
    slot.promise.then(
      (service) => {
        slot.value = service;
        if (this.closed) void service.connection.close();
      },
      () => {
        if (this.service === slot) this.service = undefined;
      },
    );
    return slot.promise;
  }

  /** Closes a connection found dead; concurrent callers that found it too reopen only once. */
  private forget(dead: Service): void {
    if (this.service?.value === dead) this.service = undefined;
    void dead.connection.close();
  }

  private async openService(): Promise<Service> {
    const failures: unknown[] = [];
    const ca = await this.ca();
    for (const url of this.settings.urls) {
      let connection: LdapConnection | undefined;
      try {
        connection = await openLdap(url, this.settings, ca);
        await connection.bind(this.settings.bindDn, this.settings.bindPassword);
        return { url, connection };
      } catch (err) {
        await connection?.close();
        if (!isConnectionFailure(err)) throw new ServiceBindRefusedError(url, err);
        failures.push(err);
        this.onUnreachable?.(url, err);
      }
    }
    throw new NoDirectoryError(failures, this.settings.urls);
  }
}
