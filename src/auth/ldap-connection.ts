import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { Client, ResultCodeError } from 'ldapts';

/**
 * How Portcullis opens an LDAP connection, shared by sign-in and the status page so both behave
 * the same way against a DC (TLS trust, StartTLS, deadlines).
 */

export interface LdapTransport {
  caFile: string | undefined;
  startTls: boolean;
  timeoutMs: number;
}

export class LdapDeadlineError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'LdapDeadlineError';
  }
}

/** A last-resort deadline on top of ldapts's own, which does not cover the StartTLS handshake. */
export async function withDeadline<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LdapDeadlineError(ms)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * ldapts upgrades the plain socket without telling TLS which host it is talking to, so the
 * certificate would be checked against "localhost". SNI takes DNS names only, never IPs.
 */
export function startTlsIdentity(url: string): { host: string; servername?: string } {
  const hostname = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return net.isIP(hostname) ? { host: hostname } : { host: hostname, servername: hostname };
}

export const isLdaps = (url: string): boolean => url.toLowerCase().startsWith('ldaps:');

export function transportName(url: string, startTls: boolean): string {
  if (isLdaps(url)) return 'LDAPS';
  return startTls ? 'LDAP + StartTLS' : 'plain LDAP';
}

export async function readCa(caFile: string | undefined): Promise<Buffer[] | undefined> {
  return caFile ? [await readFile(caFile)] : undefined;
}

export interface LdapConnection {
  client: Client;
  /**
   * Binds, refusing if the encrypted connection has gone: ldapts would silently reconnect in
   * plain text on a StartTLS URL and send the password in clear.
   */
  bind(dn: string, password: string): Promise<void>;
  /** Never throws: used in `finally`. */
  close(): Promise<void>;
}

export class LdapConnectionLostError extends Error {
  constructor() {
    super('the LDAP connection closed before the bind');
    this.name = 'LdapConnectionLostError';
  }
}

/** Connects to one URL (with StartTLS when asked) so the caller can bind on it. */
export async function openLdap(url: string, transport: LdapTransport, ca?: Buffer[]): Promise<LdapConnection> {
  const secure = isLdaps(url);
  const tlsOptions = ca ? { ca } : {};
  // tlsOptions only for ldaps://: given for an ldap:// URL, ldapts 8 breaks the later StartTLS (ECONNRESET).
  const client = new Client({ url, timeout: transport.timeoutMs, connectTimeout: transport.timeoutMs, ...(secure ? { tlsOptions } : {}) });
  const close = (): Promise<void> => client.unbind().catch(() => undefined);
  const upgraded = !secure && transport.startTls;
  try {
    if (upgraded) await withDeadline(transport.timeoutMs * 2, client.startTLS({ ...tlsOptions, ...startTlsIdentity(url) }));
  } catch (err) {
    await close();
    throw err;
  }
  return {
    client,
    bind: (dn, password) => {
      // Checked synchronously right before ldapts's own connected-check, so nothing can reconnect in between.
      if (upgraded && !client.isConnected) return Promise.reject(new LdapConnectionLostError());
      return withDeadline(transport.timeoutMs * 2, client.bind(dn, password));
    },
    close,
  };
}

/** LDAP result codes that mean "this DC cannot serve you now" rather than "no". */
const UNAVAILABLE_RESULT_CODES = new Set([51 /* busy */, 52 /* unavailable */]);

/**
 * True when the DC could not be reached or stopped answering (refused, reset, timed out, TLS
 * failure), as opposed to an LDAP answer such as "invalid credentials". Only these justify
 * trying the next DC.
 */
export function isConnectionFailure(err: unknown): boolean {
  if (err instanceof ResultCodeError) return UNAVAILABLE_RESULT_CODES.has(err.code);
  if (err instanceof LdapDeadlineError || err instanceof LdapConnectionLostError) return true;
  if (!(err instanceof Error)) return false;
  // Node socket and TLS errors carry a string code (ECONNREFUSED, CERT_HAS_EXPIRED, ERR_TLS_…).
  if (typeof (err as NodeJS.ErrnoException).code === 'string') return true;
  return /Operation timed out|Connection timeout|Socket error|Connection closed|Socket connection not established/i.test(err.message);
}
