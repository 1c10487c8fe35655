import { InvalidCredentialsError as LdapInvalidCredentialsError, type Entry } from 'ldapts';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import {
  adBindSubCode,
  DirectoryConfigError,
  DirectoryUnavailableError,
  errorForBindSubCode,
  InvalidCredentialsError,
  SignInNotAllowedError,
} from './errors.js';
import { nestedGroupsFilter, userSearchFilter } from './filter.js';
import { isConnectionFailure, type LdapConnection, openLdap, readCa, transportName } from './ldap-connection.js';
import { dnsDomainOf, type ParsedUsername, parseUsername } from './username.js';
import { AppError } from '../errors/index.js';

export interface DirectoryUser {
  dn: string;
  /** sAMAccountName as stored in the directory (its case, not the typed one). */
  username: string;
  /** NetBIOS domain (config.ad.domain), for NTLM. */
  domain: string;
  /** Falls back to the username. */
  displayName: string;
  mail?: string;
  upn?: string;
  /** UNC path, e.g. \\server\share\user. */
  homeDirectory?: string;
  /** Group DNs: memberOf, or the transitive set when nestedGroups is on. Never the primary group (Domain Users). */
  groups: string[];
}

export type DirectorySettings = Config['ldap'] & {
  /** NetBIOS domain name: accepted as `DOMAIN\name` and used for NTLM. */
  domain: string | undefined;
  allowedGroups: string[];
  nestedGroups: boolean;
};

export interface DirectoryOptions {
  logger?: Logger;
}

export function directorySettings(config: Config): DirectorySettings {
  return { ...config.ldap, domain: config.ad.domain, allowedGroups: config.auth.allowedGroups, nestedGroups: config.auth.nestedGroups };
}

const USER_ATTRIBUTES = ['displayName', 'mail', 'homeDirectory', 'memberOf', 'userPrincipalName', 'sAMAccountName'];
/** AD's default MaxPageSize is 1000; paging keeps users in more groups than that whole. */
const GROUP_PAGE_SIZE = 500;

const first = (value: Entry[string] | undefined): string | undefined => {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return undefined;
  const s = Buffer.isBuffer(v) ? v.toString('utf8') : v;
  return s === '' ? undefined : s;
};

const all = (value: Entry[string] | undefined): string[] => {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v)).filter((v) => v !== '');
};

/** The value of a DN's first RDN, unescaped: `CN=library-users,OU=Groups,…` → `library-users`. */
export function groupName(dn: string): string {
  const match = /^[^=]+=((?:\\.|[^,\\])*)/.exec(dn);
  const value = match?.[1] ?? dn;
  // RFC 4514 hex escapes are UTF-8 bytes, so runs of them decode together.
  return value
    .replace(/((?:\\[0-9a-fA-F]{2})+)|\\(.)/g, (_, hex: string | undefined, char: string | undefined) =>
      hex ? Buffer.from(hex.replaceAll('\\', ''), 'hex').toString('utf8') : (char ?? ''),
    )
    .trim();
}

const normaliseDn = (dn: string): string => dn.replace(/\s*,\s*/g, ',').toLowerCase();

/** Allowed entries are group names (CN) or full DNs, compared case-insensitively. */
export function inAllowedGroups(groups: string[], allowed: string[]): boolean {
  if (allowed.length === 0) return true;
  const wanted = new Set(allowed.map((a) => (a.includes('=') ? normaliseDn(a) : a.trim().toLowerCase())));
  return groups.some((dn) => wanted.has(normaliseDn(dn)) || wanted.has(groupName(dn).toLowerCase()));
}

/** What became of the password in one authenticate() call; sign-in throttling decides from it whether the attempt counts. */
export interface DirectoryAttempt {
  /** Set once the user's password has gone to a DC: from then on, never try another (it would count twice towards lockout). */
  passwordSent: boolean;
  /** Set once a DC accepted it: whatever fails afterwards, the DC counted no bad password. */
  passwordAccepted: boolean;
}

/**
 * Checks AD credentials: service bind → search → user bind → read → unbind, against the first
 * DC that answers. See DirectoryUser for what comes back.
 */
export class LdapDirectory {
  private readonly logger: Logger | undefined;
  private ca: Promise<Buffer[] | undefined> | undefined;

  constructor(
    private readonly settings: DirectorySettings,
    options: DirectoryOptions = {},
  ) {
    this.logger = options.logger;
  }

  /** `attempt`, when given, is filled in as the password goes out and is answered, also when this throws. */
  async authenticate(login: string, password: string, attempt: DirectoryAttempt = { passwordSent: false, passwordAccepted: false }): Promise<DirectoryUser> {
    // Without it the NTOWFv2 key would be computed for the wrong domain and every file server would refuse it.
    if (!this.settings.domain) throw new DirectoryConfigError('Sign-in needs AD_DOMAIN, the NetBIOS domain name, for NTLM to the file servers.');
    const parsed = parseUsername(login, this.settings.domain);
    // An empty password is an unauthenticated bind to AD, which "succeeds" for any DN.
    if (password === '') throw new InvalidCredentialsError();
    return this.onFirstReachable((connection) => this.signIn(connection, parsed, password, attempt), () => attempt.passwordSent);
  }

  /** Binds as the service account on the first DC that answers: for the status page and start-up checks. */
  async check(): Promise<void> {
    await this.onFirstReachable((connection) => this.serviceBind(connection), () => false);
  }

  private async onFirstReachable<T>(work: (connection: LdapConnection) => Promise<T>, mustNotRetry: () => boolean): Promise<T> {
    const { urls, bindDn, bindPassword, baseDn } = this.settings;
    if (urls.length === 0 || !bindDn || !bindPassword || !baseDn) {
      throw new DirectoryConfigError('Sign-in needs LDAP_URLS, LDAP_BIND_DN, LDAP_BIND_PASSWORD and LDAP_BASE_DN.');
    }
    const ca = await this.readCa();
    const failures: unknown[] = [];
    for (const url of urls) {
      try {
        const connection = await openLdap(url, this.settings, ca);
        try {
          return await work(connection);
        } finally {
          await connection.close();
        }
      } catch (err) {
        if (err instanceof AppError || !isConnectionFailure(err)) throw this.unexpected(err);
        failures.push(err);
        this.logger?.warn('LDAP server not answering', { url, transport: transportName(url, this.settings.startTls), error: err });
        if (mustNotRetry()) break;
      }
    }
    throw new DirectoryUnavailableError({ cause: new AggregateError(failures, `no LDAP server answered (${urls.join(', ')})`) });
  }

  private unexpected(err: unknown): unknown {
    if (err instanceof AppError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new DirectoryConfigError(`Unexpected answer from the directory: ${message}`, { cause: err });
  }

  private readCa(): Promise<Buffer[] | undefined> {
    this.ca ??= readCa(this.settings.caFile).catch((err: unknown) => {
      this.ca = undefined;
      throw new DirectoryConfigError(`Cannot read LDAP_CA_FILE ${this.settings.caFile ?? ''}`, { cause: err });
    });
    return this.ca;
  }

  private async serviceBind(connection: LdapConnection): Promise<void> {
    try {
      await connection.bind(this.settings.bindDn ?? '', this.settings.bindPassword ?? '');
    } catch (err) {
      if (isConnectionFailure(err)) throw err;
      const error = new DirectoryConfigError(`The LDAP service account (${this.settings.bindDn ?? ''}) could not bind: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      this.logger?.error(error.message, { error: err });
      throw error;
    }
  }

  private async signIn(connection: LdapConnection, parsed: ParsedUsername, password: string, state: DirectoryAttempt): Promise<DirectoryUser> {
    await this.serviceBind(connection);
    const { client } = connection;
    const baseDn = this.settings.baseDn ?? '';

    // Referrals (Samba sends them for CN=Configuration under the domain root) arrive as searchReferences and are ignored.
    const { searchEntries } = await client.search(baseDn, {
      scope: 'sub',
      filter: userSearchFilter(this.settings.userFilter, parsed.name),
      attributes: ['userPrincipalName', 'sAMAccountName'],
      sizeLimit: 2,
      derefAliases: 'never',
    });
    const [found] = searchEntries;
    if (searchEntries.length !== 1 || !found) {
      if (searchEntries.length > 1) this.logger?.warn('LDAP user filter matched several entries; refusing the sign-in', { username: parsed.name });
      throw new InvalidCredentialsError();
    }
    if (parsed.form === 'upn' && !this.realmMatches(parsed, first(found.userPrincipalName))) throw new InvalidCredentialsError();

    try {
      state.passwordSent = true;
      await connection.bind(found.dn, password);
      state.passwordAccepted = true;
    } catch (err) {
      if (err instanceof LdapInvalidCredentialsError) throw errorForBindSubCode(adBindSubCode(err.message), err);
      throw err;
    }

    // Read as the user: what they may see of themselves, after the password proved who they are.
    const { searchEntries: selves } = await client.search(found.dn, { scope: 'base', filter: '(objectClass=*)', attributes: USER_ATTRIBUTES });
    const self = selves[0];
    if (!self) throw new DirectoryConfigError(`Signed in as ${found.dn} but cannot read that entry`);

    const groups = this.settings.nestedGroups ? await this.transitiveGroups(connection, found.dn) : all(self.memberOf);
    if (!inAllowedGroups(groups, this.settings.allowedGroups)) throw new SignInNotAllowedError();

    const username = first(self.sAMAccountName) ?? first(found.sAMAccountName) ?? parsed.name;
    const user: DirectoryUser = {
      dn: found.dn,
      username,
      domain: this.settings.domain ?? '',
      displayName: first(self.displayName) ?? username,
      groups,
    };
    const mail = first(self.mail);
    const upn = first(self.userPrincipalName);
    const homeDirectory = first(self.homeDirectory);
    if (mail) user.mail = mail;
    if (upn) user.upn = upn;
    if (homeDirectory) user.homeDirectory = homeDirectory;
    return user;
  }

  /** `name@realm`: the realm must be ours (DNS or NetBIOS name) or exactly the account's own UPN suffix. */
  private realmMatches(parsed: ParsedUsername, upn: string | undefined): boolean {
    const realm = (parsed.realm ?? '').toLowerCase();
    if (realm === dnsDomainOf(this.settings.baseDn ?? '') || realm === (this.settings.domain ?? '').toLowerCase()) return true;
    return upn !== undefined && upn.toLowerCase() === `${parsed.name}@${realm}`.toLowerCase();
  }

  private async transitiveGroups(connection: LdapConnection, userDn: string): Promise<string[]> {
    const { searchEntries } = await connection.client.search(this.settings.baseDn ?? '', {
      scope: 'sub',
      filter: nestedGroupsFilter(userDn),
      attributes: ['1.1'],
      paged: { pageSize: GROUP_PAGE_SIZE },
      derefAliases: 'never',
    });
    return searchEntries.map((e) => e.dn);
  }
}
