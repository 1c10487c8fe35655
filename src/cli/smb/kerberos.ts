import { KerberosClient, TicketCache, parseKdcAddress, type KdcAddress } from '../../krb/index.js';
import type { KerberosMechanismFactory } from '../../smb/index.js';
import type { SmbArgs } from './args.js';
import { UsageError } from './usage.js';

/** The realm: --realm, the part after "@" in --user, KRB_REALM, or a dotted DOMAIN before "\". */
function realmFor(a: SmbArgs, user: { domain: string }, env: NodeJS.ProcessEnv): string {
  const realm = a.realm ?? (user.domain.includes('.') ? user.domain : undefined) ?? env.KRB_REALM;
  if (!realm) throw new UsageError('--kerberos needs a realm: --user name@REALM, --realm or KRB_REALM');
  return realm.toUpperCase();
}

/** --kdc, else KRB_KDCS, else the LDAP_URLS hosts (the DCs), else the SMB server itself. */
function kdcsFor(a: SmbArgs, host: string, env: NodeJS.ProcessEnv): KdcAddress[] {
  const list = (s: string | undefined): string[] => (s ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');
  if (a.kdcs.length > 0) return a.kdcs.map(parseKdcAddress);
  if (list(env.KRB_KDCS).length > 0) return list(env.KRB_KDCS).map(parseKdcAddress);
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

/** A Kerberos context factory for one CLI run: TGT from the password, ticket for cifs/<server name>. */
export function kerberosFor(
  a: SmbArgs,
  user: { username: string; domain: string; password: string },
  host: string,
  env: NodeJS.ProcessEnv = process.env,
): { factory: KerberosMechanismFactory; spn: string } {
  const realm = realmFor(a, user, env);
  const client = new KerberosClient({ realm, kdcs: kdcsFor(a, host, env) });
  const spn = `cifs/${a.serverName ?? host}`;
  const cache = new TicketCache(client);
  return { factory: cache.initiatorFactory(user.username, spn, () => client.getTgt(user.username, user.password)), spn };
}
