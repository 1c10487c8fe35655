import { KerberosClient, TicketCache, describeKdc, lookupKdcs, mergeKdcs, parseKdcAddress, srvName, type KdcAddress } from '../../krb/index.js';
import type { KerberosMechanismFactory } from '../../smb/index.js';
import type { SmbArgs } from './args.js';
import { UsageError } from './usage.js';

/** The realm: --realm, the part after "@" in --user, KRB_REALM, or a dotted DOMAIN before "\". */
function realmFor(a: SmbArgs, user: { domain: string }, env: NodeJS.ProcessEnv): string {
  const realm = a.realm ?? (user.domain.includes('.') ? user.domain : undefined) ?? env.KRB_REALM;
  if (!realm) throw new UsageError('--kerberos needs a realm: --user name@REALM, --realm or KRB_REALM');
  return realm.toUpperCase();
}

const list = (s: string | undefined): string[] => (s ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');

/** --kdc or KRB_KDCS when given (no DNS look-up then). */
function explicitKdcs(a: SmbArgs, env: NodeJS.ProcessEnv): KdcAddress[] | undefined {
  if (a.kdcs.length > 0) return a.kdcs.map(parseKdcAddress);
  if (list(env.KRB_KDCS).length > 0) return list(env.KRB_KDCS).map(parseKdcAddress);
  return undefined;
}

/** The LDAP_URLS hosts (the DCs), else the SMB server itself. */
function fallbackKdcs(host: string, env: NodeJS.ProcessEnv): KdcAddress[] {
  const ldapHosts = list(env.LDAP_URLS).flatMap((u) => {
    try {
      return [new URL(u).hostname.replace(/^\[|\]$/g, '')];
    } catch {
      return [];
    }
  });
  if (ldapHosts.length > 0) return ldapHosts.map((h) => ({ host: h, port: 88 }));
  return [{ host, port: 88 }];
}

/** KRB_DNS_SERVERS, parsed as the web server parses it (the config module is loaded only when it is set). */
async function dnsServers(env: NodeJS.ProcessEnv): Promise<string[] | undefined> {
  if (list(env.KRB_DNS_SERVERS).length === 0) return undefined;
  const { parseDnsServer, parseList } = await import('../../config/fields.js');
  const servers = parseList(parseDnsServer)(env.KRB_DNS_SERVERS ?? '');
  if (!servers) throw new UsageError(`KRB_DNS_SERVERS: expected a comma-separated list of IP address[:port], got "${env.KRB_DNS_SERVERS ?? ''}"`);
  return servers;
}

/**
 * --kdc, else KRB_KDCS, else the KDCs DNS SRV names for the realm followed by the fallback (LDAP_URLS hosts, else the
 * server). One run, one look-up: awaited here, bounded by a short timeout, and the fallback alone when it fails.
 */
async function kdcsFor(a: SmbArgs, realm: string, host: string, env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<KdcAddress[]> {
  const explicit = explicitKdcs(a, env);
  if (explicit) return explicit;
  const fallback = fallbackKdcs(host, env);
  const servers = await dnsServers(env);
  try {
    const found = await lookupKdcs(realm, servers ? { servers } : {});
    say(`KDCs from DNS SRV ${srvName(realm)}: ${found.map(describeKdc).join(', ')}`);
    return mergeKdcs(found, fallback);
  } catch (err) {
    say(`no KDCs from DNS SRV (${err instanceof Error ? err.message : String(err)}): using ${fallback.map((k) => `${k.host}:${k.port}`).join(', ')}`);
    return fallback;
  }
}

/** A Kerberos context factory for one CLI run: TGT from the password, ticket for cifs/<server name>. */
export async function kerberosFor(
  a: SmbArgs,
  user: { username: string; domain: string; password: string },
  host: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ factory: KerberosMechanismFactory; spn: string }> {
  const realm = realmFor(a, user, env);
  // With -v, where the KDCs came from (beside the dialect and signing lines).
  const say = (line: string): void => {
    if (a.verbose) process.stderr.write(`portcullis smb: ${line}\n`);
  };
  const client = new KerberosClient({ realm, kdcs: await kdcsFor(a, realm, host, env, say) });
  const spn = `cifs/${a.serverName ?? host}`;
  const cache = new TicketCache(client);
  return { factory: cache.initiatorFactory(user.username, spn, () => client.getTgt(user.username, user.password)), spn };
}
