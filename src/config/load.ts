import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadDrives } from './drives.js';
import { ConfigError } from './errors.js';
import { rootPath } from './paths.js';
import { oidcConfig } from './oidc.js';
import { type Env, envSchema, SECRET_SETTINGS, SMB_PORT } from './schema.js';
import { keysFor, parseKeytab } from '../krb/keytab.js';
import type { Config } from './types.js';

/** Settings that may instead be read from NAME_FILE, the Docker/Kubernetes secrets convention. */
const FILE_SECRETS = ['SESSION_SECRET', 'LDAP_BIND_PASSWORD', 'MAIL_PASSWORD', 'ADMIN_TOKEN', 'OIDC_CLIENT_SECRET'] as const;

function readSecretFiles(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const name of FILE_SECRETS) {
    const file = env[`${name}_FILE`]?.trim();
    if (!file) continue;
    if (env[name]?.trim()) throw new ConfigError(name, `set either ${name} or ${name}_FILE, not both`);
    try {
      // Secret files usually end with a newline that is not part of the secret.
      out[name] = readFileSync(path.resolve(file), 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new ConfigError(`${name}_FILE`, `cannot read ${JSON.stringify(file)} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }
  return out;
}

interface ThemeRegistry {
  /** Every theme the build ships. */
  shipped: readonly string[];
  /** The shipped themes minus those not offered: what THEME, THEMES_ALLOWED and users may name. */
  offered: readonly string[];
  darkOnly: readonly string[];
  /** theme → why it is not offered (its measured contrast failure, themes/themes.json "notOffered"). */
  notOffered: ReadonlyMap<string, string>;
}
let themeCache: ThemeRegistry | undefined;
function themeRegistry(): ThemeRegistry {
  if (!themeCache) {
    const registry = JSON.parse(readFileSync(rootPath('themes', 'themes.json'), 'utf8')) as {
      themes?: string[];
      darkOnly?: string[];
      notOffered?: Record<string, { why?: string }>;
    };
    const shipped = registry.themes ?? ['default'];
    const notOffered = new Map(Object.entries(registry.notOffered ?? {}).map(([t, e]) => [t, e.why ?? 'it fails the accessibility checks']));
    themeCache = { shipped, offered: shipped.filter((t) => !notOffered.has(t)), darkOnly: registry.darkOnly ?? [], notOffered };
  }
  return themeCache;
}
/** Every theme the build ships (themes/themes.json), offered or not. */
export const shippedThemes = (): readonly string[] => themeRegistry().shipped;
/** The themes on offer (themes/themes.json less "notOffered"), whatever THEMES_ALLOWED says. */
export const availableThemes = (): readonly string[] => themeRegistry().offered;
/** Why a shipped theme is not offered (its measured contrast failure), or undefined when it is offered or unknown. */
export const whyNotOffered = (theme: string): string | undefined => themeRegistry().notOffered.get(theme);
/** Themes that are dark by design and offer no colour modes (themes/themes.json explains why). */
export const darkOnlyThemes = (): readonly string[] => themeRegistry().darkOnly;

/** A message for a theme that ships but is not offered, naming the reason; undefined for any other name. */
export function notOfferedMessage(theme: string): string | undefined {
  const why = whyNotOffered(theme);
  return why === undefined ? undefined : `the theme ${JSON.stringify(theme)} is not offered, because its colours fail the accessibility check: ${why}`;
}

/** THEMES_ALLOWED checked against the registry; THEME must be one of them, or users would start on a theme they may not pick. */
function allowedThemes(allowed: readonly string[] | undefined, theme: string): readonly string[] {
  if (!allowed) return availableThemes();
  const refused = allowed.map(notOfferedMessage).find((m) => m !== undefined);
  if (refused) throw new ConfigError('THEMES_ALLOWED', refused);
  const unknown = allowed.filter((t) => !availableThemes().includes(t));
  if (unknown.length > 0) {
    throw new ConfigError('THEMES_ALLOWED', `unknown theme${unknown.length > 1 ? 's' : ''} ${unknown.map((t) => JSON.stringify(t)).join(', ')}; themes are ${availableThemes().join(', ')}`);
  }
  if (!allowed.includes(theme)) throw new ConfigError('THEME', `${JSON.stringify(theme)} is not in THEMES_ALLOWED (${allowed.join(', ')}); add it there or choose one of those`);
  return [...new Set(allowed)];
}

/**
 * Reads every setting from `env` (and the files it names) into one validated Config.
 * Throws ConfigError, whose message is a single line naming the first bad setting.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const withSecrets = readSecretFiles(env);
  const themeRefused = notOfferedMessage(withSecrets.THEME?.trim() ?? '');
  if (themeRefused) throw new ConfigError('THEME', themeRefused);
  const parsed = envSchema(availableThemes()).safeParse(withSecrets);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'configuration');
    const raw = withSecrets[name];
    const got = SECRET_SETTINGS.has(name) || raw === undefined ? '' : `, got ${JSON.stringify(raw)}`;
    throw new ConfigError(name, `${issue?.message ?? 'invalid'}${got}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';

  // A generated secret in production would log everyone out on every restart and differ between instances.
  if (production && !e.SESSION_SECRET) {
    throw new ConfigError('SESSION_SECRET', 'required when NODE_ENV=production (at least 32 random characters)');
  }
  if (e.LDAP_STARTTLS && e.LDAP_URLS.some((u) => u.startsWith('ldaps:'))) {
    throw new ConfigError('LDAP_STARTTLS', 'StartTLS applies to ldap:// URLs only; ldaps:// is already encrypted');
  }
  // Every sign-in sends the user's password in a simple bind: over plain ldap:// anyone on the path reads it.
  const plainLdap = e.LDAP_STARTTLS ? undefined : e.LDAP_URLS.find((u) => u.startsWith('ldap:'));
  if (production && plainLdap && !e.LDAP_ALLOW_PLAINTEXT) {
    throw new ConfigError(
      'LDAP_URLS',
      `${plainLdap} would send passwords in clear text; use ldaps://, or set LDAP_STARTTLS=true, or set LDAP_ALLOW_PLAINTEXT=true to accept that (NODE_ENV=production)`,
    );
  }
  if (production && e.SESSION_COOKIE_SECURE === 'auto') {
    throw new ConfigError('SESSION_COOKIE_SECURE', 'auto is not allowed when NODE_ENV=production: cookies are Secure there (true, the default) unless set to false');
  }

  if (e.METRICS_PORT !== undefined && e.METRICS_PORT === e.PORT) {
    throw new ConfigError('METRICS_PORT', `must differ from PORT (${e.PORT}): it is a separate admin listener`);
  }

  const drives = e.DRIVES_FILE ? loadDrives(e.DRIVES_FILE) : [];
  const oidc = oidcConfig(e, e.AUTH_METHODS);
  const krbService = delegationSettings(e);

  return {
    env: e.NODE_ENV,
    server: { port: e.PORT, host: e.HOST, trustProxy: e.TRUST_PROXY, shutdownGraceSeconds: e.SHUTDOWN_GRACE_SECONDS, headersTimeoutSeconds: e.HTTP_HEADERS_TIMEOUT_SECONDS, maxHeaderBytes: e.HTTP_MAX_HEADER_BYTES, requestTimeoutSeconds: e.HTTP_REQUEST_TIMEOUT_SECONDS },
    admission: { maxInFlight: e.HTTP_MAX_IN_FLIGHT, queueLimit: e.HTTP_QUEUE_LIMIT, queueWaitMs: e.HTTP_QUEUE_WAIT_MS },
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT ?? (production ? 'json' : 'pretty'), file: e.LOG_FILE === undefined ? undefined : path.resolve(e.LOG_FILE) },
    site: { name: e.SITE_NAME, theme: e.THEME, themesAllowed: allowedThemes(e.THEMES_ALLOWED, e.THEME) },
    help: { url: e.HELP_URL, supportEmail: e.SUPPORT_EMAIL },
    branding: { dir: e.BRANDING_DIR, footerText: e.FOOTER_TEXT, footerLinks: e.FOOTER_LINKS },
    dataDir: path.resolve(e.DATA_DIR),
    session: {
      secret: e.SESSION_SECRET ?? randomBytes(32).toString('base64url'),
      secretGenerated: !e.SESSION_SECRET,
      idleMinutes: e.SESSION_IDLE_MINUTES,
      absoluteHours: e.SESSION_MAX_HOURS,
      maxActive: e.SESSIONS_MAX_ACTIVE,
      activeMinutes: e.SESSIONS_ACTIVE_MINUTES,
      rememberMe: e.SESSION_REMEMBER_ME,
      rememberDays: e.SESSION_REMEMBER_DAYS,
      cookieSecure: cookieSecurity(e.SESSION_COOKIE_SECURE, production),
      redisUrl: e.REDIS_URL,
    },
    auth: {
      allowedGroups: e.SIGNIN_GROUPS,
      nestedGroups: e.LDAP_NESTED_GROUPS,
      maxFailuresPerUser: e.LOGIN_MAX_PER_USER,
      maxFailuresPerIp: e.LOGIN_MAX_PER_IP,
      windowMinutes: e.LOGIN_WINDOW_MINUTES,
      signInConcurrency: e.SIGNIN_CONCURRENCY,
      signInQueueWaitSeconds: e.SIGNIN_QUEUE_WAIT_SECONDS,
      signInQueueLimit: e.SIGNIN_QUEUE_LIMIT,
    },
    ldap: {
      urls: e.LDAP_URLS,
      caFile: e.LDAP_CA_FILE,
      startTls: e.LDAP_STARTTLS,
      bindDn: e.LDAP_BIND_DN,
      bindPassword: e.LDAP_BIND_PASSWORD,
      baseDn: e.LDAP_BASE_DN,
      userFilter: e.LDAP_USER_FILTER,
      timeoutMs: e.LDAP_TIMEOUT_MS,
    },
    ad: { domain: e.AD_DOMAIN },
    oidc,
    kerberos: {
      realm: e.KRB_REALM ?? realmFromBaseDn(e.LDAP_BASE_DN),
      kdcs: e.KRB_KDCS.length > 0 ? e.KRB_KDCS : e.LDAP_URLS.map((u) => ({ host: new URL(u).hostname.replace(/^\[|\]$/g, ''), port: 88 })),
      // Explicit KDCs are used as they are; otherwise DNS SRV may name some, tried before the LDAP_URLS hosts.
      srv: e.KRB_KDCS.length > 0 ? undefined : { dnsServers: e.KRB_DNS_SERVERS },
      service: krbService,
    },
    authMethods: e.AUTH_METHODS,
    smb: {
      auth: e.SMB_AUTH,
      hostMap: Object.fromEntries(e.SMB_HOST_MAP),
      timeoutMs: e.SMB_TIMEOUT_MS,
      probe: e.SMB_PROBE,
      idleSeconds: e.SMB_IDLE_SECONDS,
      maxConnectionsPerServer: e.SMB_MAX_CONNECTIONS_PER_SERVER,
      giveWayAfterSeconds: e.SMB_GIVE_WAY_AFTER_SECONDS,
      queueLimit: e.SMB_QUEUE_LIMIT,
      queueTimeoutMs: e.SMB_QUEUE_TIMEOUT_MS,
      connectConcurrency: e.SMB_CONNECT_CONCURRENCY,
      allowUnsignedHosts: e.SMB_ALLOW_UNSIGNED_HOSTS,
    },
    upload: { maxBytes: e.UPLOAD_MAX_BYTES, sweepIntervalSeconds: e.UPLOAD_SWEEP_INTERVAL_SECONDS },
    listing: { maxEntries: e.LISTING_MAX_ENTRIES },
    live: { maxWatches: e.LIVE_MAX_WATCHES, maxWatchesPerSession: e.LIVE_MAX_WATCHES_PER_SESSION, heartbeatSeconds: e.LIVE_HEARTBEAT_SECONDS },
    zip: { maxBytes: e.ZIP_MAX_BYTES, maxEntries: e.ZIP_MAX_ENTRIES },
    measure: { maxEntries: e.MEASURE_MAX_ENTRIES, maxSeconds: e.MEASURE_MAX_SECONDS },
    search: {
      maxSeconds: e.SEARCH_MAX_SECONDS,
      maxDepth: e.SEARCH_MAX_DEPTH,
      maxVisited: e.SEARCH_MAX_VISITED,
      maxResults: e.SEARCH_MAX_RESULTS,
      deeperMaxFactor: e.SEARCH_DEEPER_MAX_FACTOR,
      perUser: e.SEARCH_PER_USER,
      total: e.SEARCH_TOTAL,
    },
    thumbnails: { cacheMaxBytes: e.THUMBNAIL_CACHE_MAX_BYTES },
    drivesFile: e.DRIVES_FILE,
    drives,
    servers: { allowed: e.SERVERS_ALLOWED },
    mail: {
      host: e.MAIL_HOST,
      port: e.MAIL_PORT ?? (e.MAIL_SECURE ? 465 : 587),
      secure: e.MAIL_SECURE,
      user: e.MAIL_USER,
      password: e.MAIL_PASSWORD,
      from: e.MAIL_FROM,
      adminEmails: e.ADMIN_EMAILS,
      dedupMinutes: e.MAIL_DEDUP_MINUTES,
      maxPerHour: e.MAIL_MAX_PER_HOUR,
    },
    admin: { token: e.ADMIN_TOKEN, metricsPort: e.METRICS_PORT },
  };
}

/**
 * Single sign-on needs the service account that delegates (S4U2Self + S4U2Proxy) and its key, a realm and Kerberos
 * to the file servers: checked here, so a misconfigured server refuses to start with one line saying what to set.
 */
function delegationSettings(e: Env): Config['kerberos']['service'] {
  const sso = e.AUTH_METHODS.filter((m) => m !== 'password');
  const principal = e.KRB_SERVICE_PRINCIPAL;
  if (sso.length === 0) return principal ? { principal, keytab: e.KRB_KEYTAB, password: e.KRB_SERVICE_PASSWORD } : undefined;
  const why = `needed for AUTH_METHODS=${e.AUTH_METHODS.join(',')} (${sso.join(' and ')} sign in by Kerberos delegation)`;
  if (!principal) throw new ConfigError('KRB_SERVICE_PRINCIPAL', `${why}: the service account trusted for constrained delegation, e.g. svc-portcullis`);
  if (!e.KRB_KEYTAB && !e.KRB_SERVICE_PASSWORD) throw new ConfigError('KRB_KEYTAB', `${why}: the service account's keytab (or set KRB_SERVICE_PASSWORD)`);
  if (e.SMB_AUTH === 'ntlm') throw new ConfigError('SMB_AUTH', `ntlm cannot serve ${sso.join(' and ')}: delegated sign-ins reach the file servers with Kerberos only (use auto or kerberos)`);
  if (!(e.KRB_REALM ?? realmFromBaseDn(e.LDAP_BASE_DN))) throw new ConfigError('KRB_REALM', `${why}: set KRB_REALM or LDAP_BASE_DN`);
  if (e.KRB_KDCS.length === 0 && e.LDAP_URLS.length === 0) throw new ConfigError('KRB_KDCS', `${why}: set KRB_KDCS or LDAP_URLS`);
  if (e.KRB_KEYTAB) {
    const problem = keytabProblem(e.KRB_KEYTAB, principal, e.KRB_REALM ?? realmFromBaseDn(e.LDAP_BASE_DN) ?? '');
    if (problem) throw new ConfigError('KRB_KEYTAB', problem);
  }
  return { principal, keytab: e.KRB_KEYTAB, password: e.KRB_SERVICE_PASSWORD };
}

function keytabProblem(file: string, principal: string, realm: string): string | undefined {
  let entries;
  try {
    entries = parseKeytab(readFileSync(path.resolve(file)));
  } catch (err) {
    return `cannot read ${JSON.stringify(file)} as a keytab (${err instanceof Error ? err.message : String(err)})`;
  }
  if (keysFor(entries, principal, realm).length === 0) {
    const held = [...new Set(entries.map((k) => `${k.principal.parts.join('/')}@${k.realm}`))].join(', ') || 'nothing';
    return `${JSON.stringify(file)} has no AES key for ${principal}${principal.includes('@') ? '' : `@${realm}`} (it holds ${held}); export it with samba-tool domain exportkeytab --principal=${principal}`;
  }
  return undefined;
}

/** Secure by default in production, where the app sits behind TLS; 'auto' (follow the request) elsewhere. */
function cookieSecurity(setting: 'auto' | 'true' | 'false' | undefined, production: boolean): 'auto' | boolean {
  if (setting === undefined) return production ? true : 'auto';
  return setting === 'auto' ? 'auto' : setting === 'true';
}

/** Names of the settings still needed before the service account can bind; empty when ready. */
export function missingLdapSettings(config: Config): string[] {
  const missing: string[] = [];
  if (config.ldap.urls.length === 0) missing.push('LDAP_URLS');
  if (!config.ldap.bindDn) missing.push('LDAP_BIND_DN');
  if (!config.ldap.bindPassword) missing.push('LDAP_BIND_PASSWORD');
  if (!config.ldap.baseDn) missing.push('LDAP_BASE_DN');
  return missing;
}

/** Names of the settings still needed before users can sign in; empty when ready. */
export function missingSignInSettings(config: Config): string[] {
  // The NTLMv2 key kept for SMB is derived with the domain name.
  return [...missingLdapSettings(config), ...(config.ad.domain ? [] : ['AD_DOMAIN'])];
}

/** Where to connect for a UNC host: the host map's entry, or the host itself on 445. */
export function resolveSmbHost(config: Config, uncHost: string): { host: string; port: number } {
  return config.smb.hostMap[uncHost.toLowerCase()] ?? { host: uncHost, port: SMB_PORT };
}

/** The AD realm is the domain's DNS name: DC=example,DC=test → EXAMPLE.TEST. */
export function realmFromBaseDn(baseDn: string | undefined): string | undefined {
  const dcs = (baseDn ?? '').split(',').map((rdn) => /^\s*DC=(.+?)\s*$/i.exec(rdn)?.[1]).filter((v): v is string => v !== undefined);
  return dcs.length > 0 ? dcs.join('.').toUpperCase() : undefined;
}
