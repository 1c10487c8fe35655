import { type EqualityFilter, type Filter, InvalidCredentialsError as LdapInvalidCredentialsError, OrFilter, type Entry } from 'ldapts';
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
import { userSearchFilter } from './filter.js';
import { isConnectionFailure, type LdapConnection, LdapConnectionLostError, openLdap, readCa, transportName } from './ldap-connection.js';
import { LdapPool, NoDirectoryError, ServiceBindRefusedError } from './ldap-pool.js';
import { GroupSidCache, isBuiltinSid, primaryGroupSid, sidToString } from './token-groups.js';
import { sidFilter, SidNames } from './sid-names.js';
import { dnsDomainOf, type ParsedUsername, parseUsername } from './username.js';
import { guidToString } from './guid.js';
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
  /** objectGUID as a canonical GUID string: stays with the account through renames (keys the user's settings). */
  guid?: string;
}

export type DirectorySettings = Config['ldap'] & {
  /** NetBIOS domain name: accepted as `DOMAIN\name` and used for NTLM. */
  domain: string | undefined;
  allowedGroups: string[];
  nestedGroups: boolean;
};

export interface DirectoryOptions {
  logger?: Logger;
  /** Idle user-bind connections kept per DC (default 8): about as many as sign-ins run at once. */
  maxIdleBinders?: number;
}

export function directorySettings(config: Config): DirectorySettings {
  return { ...config.ldap, domain: config.ad.domain, allowedGroups: config.auth.allowedGroups, nestedGroups: config.auth.nestedGroups };
}

const USER_ATTRIBUTES = ['displayName', 'mail', 'homeDirectory', 'memberOf', 'userPrincipalName', 'sAMAccountName', 'objectSid', 'primaryGroupID', 'objectGUID'];
/** AD's default MaxPageSize is 1000; paging keeps users in more groups than that whole. */
const GROUP_PAGE_SIZE = 500;
/** SIDs resolved per search: keeps the filter far below AD's 10 MB request limit and quick to evaluate. */
const SIDS_PER_SEARCH = 200;
/** Enough for every group of a large university; an hour-old rename is fine for drive rules. */
const SID_CACHE = { maxEntries: 50_000, ttlMs: 10 * 60_000 };

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
  private readonly pool: LdapPool;
  private readonly groupSids = new GroupSidCache(SID_CACHE);
  private readonly sidNames: SidNames;

  constructor(
    private readonly settings: DirectorySettings,
    options: DirectoryOptions = {},
  ) {
    this.logger = options.logger;
    this.pool = new LdapPool(
      {
        urls: settings.urls,
        bindDn: settings.bindDn ?? '',
        bindPassword: settings.bindPassword ?? '',
        caFile: settings.caFile,
        startTls: settings.startTls,
        timeoutMs: settings.timeoutMs,
        maxIdleBinders: options.maxIdleBinders ?? 8,
      },
      () => this.readCa(),
      (url, error) => this.logger?.warn('LDAP server not answering', { url, transport: transportName(url, settings.startTls), error }),
    );
    this.sidNames = new SidNames((filter) => this.accountNames(filter), SID_CACHE, {
      onError: (sid, error) => this.logger?.warn('could not look up an account by SID', { sid, error }),
    });
  }

  /**
   * The sAMAccountName of the user or group with this SID (a file's owner), or null when the directory has no
   * such account or cannot be asked just now. Cached for every user alike: it is the directory's public data.
   */
  nameOfSid(sid: string): Promise<string | null> {
    return this.sidNames.nameOf(sid);
  }

  private async accountNames(filter: Filter): Promise<string[]> {
    this.assertConfigured();
    const { searchEntries } = await this.pool.withService((connection) =>
      connection.client.search(this.settings.baseDn ?? '', { scope: 'sub', filter, attributes: ['sAMAccountName'], sizeLimit: 2, derefAliases: 'never' }),
    );
    return searchEntries.flatMap((e) => {
      const name = first(e.sAMAccountName);
      return name === undefined ? [] : [name];
    });
  }

  /** Closes the pooled connections. */
  close(): Promise<void> {
    return this.pool.close();
  }

  /** `attempt`, when given, is filled in as the password goes out and is answered, also when this throws. */
  async authenticate(login: string, password: string, attempt: DirectoryAttempt = { passwordSent: false, passwordAccepted: false }): Promise<DirectoryUser> {
    // Without it the NTOWFv2 key would be computed for the wrong domain and every file server would refuse it.
    if (!this.settings.domain) throw new DirectoryConfigError('Sign-in needs AD_DOMAIN, the NetBIOS domain name, for NTLM to the file servers.');
    const parsed = parseUsername(login, this.settings.domain);
    // An empty password is an unauthenticated bind to AD, which "succeeds" for any DN.
    if (password === '') throw new InvalidCredentialsError();
    this.assertConfigured();
    try {
      return await this.signIn(parsed, password, attempt);
    } catch (err) {
      throw this.translate(err);
    }
  }

  private assertConfigured(): void {
    const { urls, bindDn, bindPassword, baseDn } = this.settings;
    if (urls.length === 0 || !bindDn || !bindPassword || !baseDn) {
      throw new DirectoryConfigError('Sign-in needs LDAP_URLS, LDAP_BIND_DN, LDAP_BIND_PASSWORD and LDAP_BASE_DN.');
    }
  }

  /** Pool and ldapts errors → the AppErrors users and admins see. */
  private translate(err: unknown): unknown {
    if (err instanceof AppError) return err;
    if (err instanceof NoDirectoryError) return new DirectoryUnavailableError({ cause: err });
    if (err instanceof ServiceBindRefusedError) {
      const error = new DirectoryConfigError(`The LDAP service account (${this.settings.bindDn ?? ''}) could not bind: ${err.cause instanceof Error ? err.cause.message : String(err.cause)}`, { cause: err.cause });
      this.logger?.error(error.message, { error: err.cause });
      return error;
    }
    if (isConnectionFailure(err)) {
      this.logger?.warn('LDAP server stopped answering during a sign-in', { error: err });
      return new DirectoryUnavailableError({ cause: new AggregateError([err], 'the LDAP server stopped answering') });
    }
    return this.unexpected(err);
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

  /**
   * Service search (every attribute at once) → user bind on a pooled bind connection → tokenGroups read →
   * SIDs to DNs from the cache. The DC sees no TLS handshake and no service bind per sign-in, and nothing twice.
   */
  private async signIn(parsed: ParsedUsername, password: string, state: DirectoryAttempt): Promise<DirectoryUser> {
    const { url, found } = await this.findOne(parsed);
    await this.bindAsUser(url, found.dn, password, state);
    return this.userOf(found, parsed);
  }

  /**
   * The user as a sign-in finds them (groups, homeDirectory, objectGUID, SIGNIN_GROUPS applied), without their
   * password: for single sign-on, where the identity provider or the browser's Kerberos ticket proved who they are.
   * Only the service bind is used. An unknown name is InvalidCredentialsError, as for a password sign-in.
   */
  async lookup(login: string): Promise<DirectoryUser> {
    if (!this.settings.domain) throw new DirectoryConfigError('Sign-in needs AD_DOMAIN, the NetBIOS domain name.');
    const parsed = parseUsername(login, this.settings.domain);
    this.assertConfigured();
    try {
      const { found } = await this.findOne(parsed);
      return await this.userOf(found, parsed);
    } catch (err) {
      throw this.translate(err);
    }
  }

  private async findOne(parsed: ParsedUsername): Promise<{ url: string; found: Entry }> {
    const baseDn = this.settings.baseDn ?? '';
    // Referrals (Samba sends them for CN=Configuration under the domain root) arrive as searchReferences and are ignored.
    const { url, entries } = await this.pool.withService(async (connection, at) => {
      const { searchEntries } = await connection.client.search(baseDn, {
        scope: 'sub',
        filter: userSearchFilter(this.settings.userFilter, parsed.name),
        attributes: USER_ATTRIBUTES,
        explicitBufferAttributes: ['objectSid', 'objectGUID'],
        sizeLimit: 2,
        derefAliases: 'never',
      });
      return { url: at, entries: searchEntries };
    });
    const [found] = entries;
    if (entries.length !== 1 || !found) {
      if (entries.length > 1) this.logger?.warn('LDAP user filter matched several entries; refusing the sign-in', { username: parsed.name });
      throw new InvalidCredentialsError();
    }
    if (parsed.form === 'upn' && !this.realmMatches(parsed, first(found.userPrincipalName))) throw new InvalidCredentialsError();
    return { url, found };
  }

  private async userOf(found: Entry, parsed: ParsedUsername): Promise<DirectoryUser> {
    const groups = this.settings.nestedGroups ? await this.tokenGroups(found) : all(found.memberOf);
    if (!inAllowedGroups(groups, this.settings.allowedGroups)) throw new SignInNotAllowedError();

    const username = first(found.sAMAccountName) ?? parsed.name;
    const user: DirectoryUser = {
      dn: found.dn,
      username,
      domain: this.settings.domain ?? '',
      displayName: first(found.displayName) ?? username,
      groups,
    };
    const mail = first(found.mail);
    const upn = first(found.userPrincipalName);
    const homeDirectory = first(found.homeDirectory);
    if (mail) user.mail = mail;
    if (upn) user.upn = upn;
    if (homeDirectory) user.homeDirectory = homeDirectory;
    const guid = Buffer.isBuffer(found.objectGUID) ? guidToString(found.objectGUID) : undefined;
    if (guid) user.guid = guid;
    return user;
  }

  /**
   * On the DC that found the user, never another: once the password has gone out it must not be tried twice
   * (lockout). A pooled StartTLS connection found dropped is refused before anything is sent, so that one case
   * retries on a fresh connection.
   */
  private async bindAsUser(url: string, dn: string, password: string, state: DirectoryAttempt): Promise<void> {
    const bind = (connection: LdapConnection): Promise<void> => {
      state.passwordSent = true;
      return connection.bind(dn, password);
    };
    try {
      try {
        await this.pool.withBinder(url, bind);
      } catch (err) {
        if (!(err instanceof LdapConnectionLostError)) throw err;
        state.passwordSent = false;
        await this.pool.withBinder(url, bind);
      }
      state.passwordAccepted = true;
    } catch (err) {
      if (err instanceof LdapInvalidCredentialsError) throw errorForBindSubCode(adBindSubCode(err.message), err);
      throw err;
    }
  }

  /**
   * Every security group the user is in, directly or through others, as DNs under the base DN: what the in-chain
   * search gave, from one base-scope read. Left out, as before: the primary group (Domain Users, never in
   * `member`) and the BUILTIN groups reached through it, unless the user is a direct member. Distribution groups
   * are not in tokenGroups, as in a Windows logon token: they are for mail, not for access.
   */
  private async tokenGroups(user: Entry): Promise<string[]> {
    const { searchEntries } = await this.pool.withService((connection) =>
      connection.client.search(user.dn, { scope: 'base', filter: '(objectClass=*)', attributes: ['tokenGroups'], explicitBufferAttributes: ['tokenGroups'] }),
    );
    const raw = searchEntries[0]?.tokenGroups;
    const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    const userSid = Buffer.isBuffer(user.objectSid) ? sidToString(user.objectSid) : undefined;
    const primary = primaryGroupSid(userSid, first(user.primaryGroupID));
    const direct = new Set(all(user.memberOf).map(normaliseDn));
    const sids = [...new Set(list.flatMap((v) => (Buffer.isBuffer(v) ? [sidToString(v)] : [])).filter((v): v is string => v !== undefined && v !== primary))];
    const dns = await this.groupDns(sids);
    return sids.flatMap((sid) => {
      const dn = dns.get(sid);
      if (!dn || (isBuiltinSid(sid) && !direct.has(normaliseDn(dn)))) return [];
      return [dn];
    });
  }

  /** SID → DN through the cache; the misses in as few searches as possible. Unknown SIDs map to nothing. */
  private async groupDns(sids: string[]): Promise<Map<string, string | null>> {
    const result = new Map<string, string | null>();
    const missing: string[] = [];
    for (const sid of sids) {
      const dn = this.groupSids.get(sid);
      if (dn === undefined) missing.push(sid);
      else result.set(sid, dn);
    }
    for (let i = 0; i < missing.length; i += SIDS_PER_SEARCH) {
      const chunk = missing.slice(i, i + SIDS_PER_SEARCH);
      const filter = new OrFilter({ filters: chunk.map(sidFilter).filter((f): f is EqualityFilter => f !== undefined) });
      const { searchEntries } = await this.pool.withService((connection) =>
        connection.client.search(this.settings.baseDn ?? '', {
          scope: 'sub',
          filter,
          attributes: ['objectSid'],
          explicitBufferAttributes: ['objectSid'],
          paged: { pageSize: GROUP_PAGE_SIZE },
          derefAliases: 'never',
        }),
      );
      const found = new Map<string, string>();
      for (const entry of searchEntries) {
        const sid = Buffer.isBuffer(entry.objectSid) ? sidToString(entry.objectSid) : undefined;
        if (sid) found.set(sid, entry.dn);
      }
      for (const sid of chunk) {
        const dn = found.get(sid) ?? null;
        this.groupSids.set(sid, dn);
        result.set(sid, dn);
      }
    }
    return result;
  }

  /** `name@realm`: the realm must be ours (DNS or NetBIOS name) or exactly the account's own UPN suffix. */
  private realmMatches(parsed: ParsedUsername, upn: string | undefined): boolean {
    const realm = (parsed.realm ?? '').toLowerCase();
    if (realm === dnsDomainOf(this.settings.baseDn ?? '') || realm === (this.settings.domain ?? '').toLowerCase()) return true;
    return upn !== undefined && upn.toLowerCase() === `${parsed.name}@${realm}`.toLowerCase();
  }
}
