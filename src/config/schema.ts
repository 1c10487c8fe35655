import { z } from 'zod';
import {
  type Endpoint,
  parseBoolean,
  parseDnsServer,
  parseEmail,
  parseEndpoint,
  parseHost,
  parseHttpUrl,
  parseInteger,
  parseLdapUrl,
  parseList,
  parseMailbox,
  parseOneOf,
  parseReadableFile,
  parseText,
  parseTrustProxy,
  secret,
  setting,
} from './fields.js';
import { LOG_LEVELS, NODE_ENVS } from './types.js';
import { allowUnsignedHostsSetting } from './smb-signing.js';
import { parseServerPattern } from './servers.js';
import { brandingSettings } from './branding.js';
import { oidcSettings } from './oidc.js';

export const DEFAULT_USER_FILTER = '(&(objectCategory=person)(objectClass=user)(sAMAccountName={username}))';
export const SMB_PORT = 445;

/** Values never echoed back in an error message. */
// REDIS_URL may carry a password.
export const SECRET_SETTINGS = new Set(['SESSION_SECRET', 'LDAP_BIND_PASSWORD', 'MAIL_PASSWORD', 'REDIS_URL', 'ADMIN_TOKEN', 'KRB_SERVICE_PASSWORD', 'OIDC_CLIENT_SECRET']);

export const AUTH_METHODS = ['password', 'oidc', 'negotiate'] as const;

const parseHostMapEntry = (v: string): [string, Endpoint] | undefined => {
  const eq = v.indexOf('=');
  if (eq <= 0) return undefined;
  const name = parseHost(v.slice(0, eq).trim());
  const target = parseEndpoint(SMB_PORT)(v.slice(eq + 1).trim());
  return name && target ? [name.toLowerCase(), target] : undefined;
};

const nonEmpty = (max: number) => parseText(max);

/**
 * The environment, setting by setting. Cross-setting rules (production needs a session secret,
 * *_FILE secrets, the theme registry) live in load.ts because they need more than one value.
 */
export function envSchema(themes: readonly string[]) {
  return z.object({
    NODE_ENV: setting(`one of ${NODE_ENVS.join(', ')}`, parseOneOf(NODE_ENVS), 'development'),
    PORT: setting('an integer 1–65535', parseInteger(1, 65535), 3000),
    HOST: setting('an IP address or host name to listen on', parseHost, '0.0.0.0'),
    TRUST_PROXY: setting(
      'true, false, a hop count, or a comma-separated list of addresses, subnets or loopback/linklocal/uniquelocal',
      parseTrustProxy,
      false,
    ),
    LOG_LEVEL: setting(`one of ${LOG_LEVELS.join(', ')}`, parseOneOf(LOG_LEVELS), 'info'),
    LOG_FORMAT: setting('json or pretty', parseOneOf(['json', 'pretty'] as const)),
    LOG_FILE: setting('a file path', nonEmpty(4096)),
    SHUTDOWN_GRACE_SECONDS: setting('an integer 0–3600 (seconds)', parseInteger(0, 3600), 30),
    HTTP_HEADERS_TIMEOUT_SECONDS: setting('an integer 1–3600 (seconds)', parseInteger(1, 3600), 60),
    HTTP_REQUEST_TIMEOUT_SECONDS: setting('an integer 0–604800 (seconds; 0 = none)', parseInteger(0, 604_800), 300),
    HTTP_MAX_IN_FLIGHT: setting('an integer 0–100000 (page and file GETs worked on at once; 0 = no cap)', parseInteger(0, 100_000), 64),
    HTTP_QUEUE_LIMIT: setting('an integer 0–100000 (GETs waiting for their turn)', parseInteger(0, 100_000), 2000),
    HTTP_QUEUE_WAIT_MS: setting('an integer 100–300000 (milliseconds)', parseInteger(100, 300_000), 10_000),
    SITE_NAME: setting('a name of at most 60 characters without control characters', nonEmpty(60), 'Portcullis'),
    THEME: setting(`one of ${themes.join(', ')}`, parseOneOf(themes), 'default'),
    HELP_URL: setting('an http:// or https:// URL without credentials', parseHttpUrl),
    SUPPORT_EMAIL: setting('an e-mail address', parseEmail),
    ...brandingSettings,
    // Names are checked against the registry in load.ts, so the message can name the unknown one.
    THEMES_ALLOWED: setting('a comma-separated list of theme names from themes/themes.json', parseList(nonEmpty(60))),
    DATA_DIR: setting('a directory path', nonEmpty(4096), './data'),
    SESSION_SECRET: secret('at least 32 characters', (v) => (v.length >= 32 ? v : undefined)),
    LDAP_URLS: setting('a comma-separated list of ldap:// or ldaps:// URLs (scheme, host and port only)', parseList(parseLdapUrl), []),
    LDAP_CA_FILE: setting('a readable PEM file', parseReadableFile),
    LDAP_STARTTLS: setting('true or false', parseBoolean, false),
    LDAP_ALLOW_PLAINTEXT: setting('true or false', parseBoolean, false),
    LDAP_BIND_DN: setting('a DN or user principal name', nonEmpty(1024)),
    LDAP_BIND_PASSWORD: secret('a password without control characters', nonEmpty(1024)),
    LDAP_BASE_DN: setting('a DN such as DC=example,DC=test', (v) => (/^[^=,]+=[^=]+/.test(v) ? v : undefined)),
    LDAP_USER_FILTER: setting(
      'an LDAP filter in parentheses containing {username}',
      (v) => (v.startsWith('(') && v.endsWith(')') && v.includes('{username}') ? v : undefined),
      DEFAULT_USER_FILTER,
    ),
    LDAP_TIMEOUT_MS: setting('an integer 100–120000 (milliseconds)', parseInteger(100, 120_000), 5000),
    AD_DOMAIN: setting('a NetBIOS domain name of 1–15 letters, digits, dots, hyphens or underscores', (v) =>
      /^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$/.test(v) ? v.toUpperCase() : undefined,
    ),
    SESSION_IDLE_MINUTES: setting('an integer 1–1440 (minutes)', parseInteger(1, 1440), 30),
    SESSION_MAX_HOURS: setting('an integer 1–720 (hours)', parseInteger(1, 720), 12),
    SESSIONS_MAX_ACTIVE: setting('an integer 0–1000000 (sessions one instance serves at once; 0 = no cap)', parseInteger(0, 1_000_000), 0),
    SESSIONS_ACTIVE_MINUTES: setting('an integer 1–1440 (minutes without a request after which a session no longer counts as active)', parseInteger(1, 1440), 10),
    SESSION_REMEMBER_ME: setting('true or false', parseBoolean, true),
    SESSION_REMEMBER_DAYS: setting('an integer 1–90 (days)', parseInteger(1, 90), 14),
    // No fallback here: the default depends on NODE_ENV (load.ts).
    SESSION_COOKIE_SECURE: setting('auto, true or false', parseOneOf(['auto', 'true', 'false'] as const)),
    REDIS_URL: setting('a redis:// or rediss:// URL', (v) => (/^rediss?:\/\/[^\s]+$/.test(v) ? v : undefined)),
    SIGNIN_GROUPS: setting('a semicolon-separated list of group names or DNs', (v) => {
      const groups = v.split(';').map((g) => g.trim()).filter(Boolean);
      return groups.length > 0 ? groups : undefined;
    }, []),
    LDAP_NESTED_GROUPS: setting('true or false', parseBoolean, true),
    LOGIN_MAX_PER_USER: setting('an integer 1–100 (failed sign-ins per window)', parseInteger(1, 100), 5),
    LOGIN_MAX_PER_IP: setting('an integer 1–10000 (failed sign-ins per window)', parseInteger(1, 10_000), 30),
    SIGNIN_CONCURRENCY: setting('an integer 1–1000 (sign-ins at the directory at once)', parseInteger(1, 1000), 8),
    SIGNIN_QUEUE_WAIT_SECONDS: setting('an integer 1–600 (seconds)', parseInteger(1, 600), 30),
    SIGNIN_QUEUE_LIMIT: setting('an integer 0–100000 (sign-ins waiting)', parseInteger(0, 100_000), 2000),
    LOGIN_WINDOW_MINUTES: setting('an integer 1–1440 (minutes)', parseInteger(1, 1440), 15),
    SMB_HOST_MAP: setting('a comma-separated list of uncHost=host[:port]', parseList(parseHostMapEntry), []),
    SMB_TIMEOUT_MS: setting('an integer 100–300000 (milliseconds)', parseInteger(100, 300_000), 10_000),
    SMB_IDLE_SECONDS: setting('an integer 10–86400 (seconds)', parseInteger(10, 86_400), 300),
    SMB_MAX_CONNECTIONS_PER_SERVER: setting('an integer 1–100000', parseInteger(1, 100_000), 500),
    SMB_GIVE_WAY_AFTER_SECONDS: setting('an integer 0–86400 (seconds)', parseInteger(0, 86_400), 30),
    SMB_QUEUE_LIMIT: setting('an integer 0–100000', parseInteger(0, 100_000), 200),
    SMB_CONNECT_CONCURRENCY: setting('an integer 1–10000 (SMB connection set-ups at once)', parseInteger(1, 10_000), 16),
    SMB_QUEUE_TIMEOUT_MS: setting('an integer 100–300000 (milliseconds)', parseInteger(100, 300_000), 10_000),
    SMB_PROBE: setting('a comma-separated list of host[:port]', parseList(parseEndpoint(SMB_PORT)), []),
    SMB_ALLOW_UNSIGNED_HOSTS: allowUnsignedHostsSetting,
    SERVERS_ALLOWED: setting('a comma-separated list of host names, IP addresses or patterns (* and ? within one label), each optionally with :port', parseList(parseServerPattern)),
    SMB_AUTH: setting('kerberos, ntlm or auto', parseOneOf(['auto', 'kerberos', 'ntlm'] as const), 'auto'),
    KRB_REALM: setting('a Kerberos realm such as EXAMPLE.TEST', (v) => (/^[A-Za-z0-9][A-Za-z0-9.-]{0,254}$/.test(v) ? v.toUpperCase() : undefined)),
    ...oidcSettings,
    KRB_KDCS: setting('a comma-separated list of host[:port] (port 88 by default)', parseList(parseEndpoint(88)), []),
    KRB_DNS_SERVERS: setting('a comma-separated list of IP address[:port] (port 53 by default; IPv6 as [::1]:53)', parseList(parseDnsServer), []),
    // Single sign-on (issue 15 section 4): which front doors are open, and the service account that delegates.
    AUTH_METHODS: setting(`a comma-separated list of ${AUTH_METHODS.join(', ')}`, (v) => {
      const list = parseList(parseOneOf(AUTH_METHODS))(v);
      return list && list.length > 0 ? [...new Set(list)] : undefined;
    }, ['password' as const]),
    KRB_SERVICE_PRINCIPAL: setting('an account name such as svc-portcullis (optionally @REALM)', (v) => (/^[^\s/@]+(@[A-Za-z0-9.-]+)?$/.test(v) ? v : undefined)),
    KRB_KEYTAB: setting('a readable keytab file', parseReadableFile),
    KRB_SERVICE_PASSWORD: secret('a password without control characters', nonEmpty(1024)),
    HTTP_MAX_HEADER_BYTES: setting('an integer 8192–1048576 (bytes)', parseInteger(8192, 1 << 20), 64 * 1024),
    UPLOAD_MAX_BYTES: setting('an integer 1–9007199254740991 (bytes)', parseInteger(1, Number.MAX_SAFE_INTEGER), 10 * 1024 ** 3),
    UPLOAD_SWEEP_INTERVAL_SECONDS: setting('an integer 1–86400 (seconds)', parseInteger(1, 86_400), 300),
    LISTING_MAX_ENTRIES: setting('an integer 1–10000000', parseInteger(1, 10_000_000), 100_000),
    LIVE_MAX_WATCHES: setting('an integer 0–1000000 (folder watches at once; 0 = live folders off)', parseInteger(0, 1_000_000), 1000),
    LIVE_MAX_WATCHES_PER_SESSION: setting('an integer 1–1000 (folders one session watches at once)', parseInteger(1, 1000), 10),
    LIVE_HEARTBEAT_SECONDS: setting('an integer 1–300 (seconds)', parseInteger(1, 300), 15),
    ZIP_MAX_BYTES: setting('an integer 1–9007199254740991 (bytes)', parseInteger(1, Number.MAX_SAFE_INTEGER), 20 * 1024 ** 3),
    ZIP_MAX_ENTRIES: setting('an integer 1–10000000', parseInteger(1, 10_000_000), 50_000),
    MEASURE_MAX_ENTRIES: setting('an integer 1–100000000', parseInteger(1, 100_000_000), 200_000),
    MEASURE_MAX_SECONDS: setting('an integer 1–3600 (seconds)', parseInteger(1, 3600), 20),
    SEARCH_MAX_SECONDS: setting('an integer 1–3600 (seconds)', parseInteger(1, 3600), 30),
    SEARCH_MAX_DEPTH: setting('an integer 1–1000 (folder levels)', parseInteger(1, 1000), 32),
    SEARCH_MAX_VISITED: setting('an integer 1–100000000 (entries)', parseInteger(1, 100_000_000), 200_000),
    SEARCH_MAX_RESULTS: setting('an integer 1–100000', parseInteger(1, 100_000), 500),
    SEARCH_DEEPER_MAX_FACTOR: setting('an integer 1–1000', parseInteger(1, 1000), 10),
    SEARCH_PER_USER: setting('an integer 1–1000 (searches at once)', parseInteger(1, 1000), 2),
    SEARCH_TOTAL: setting('an integer 1–100000 (searches at once)', parseInteger(1, 100_000), 32),
    THUMBNAIL_CACHE_MAX_BYTES: setting('an integer 1048576–9007199254740991 (bytes)', parseInteger(1 << 20, Number.MAX_SAFE_INTEGER), 512 * 1024 ** 2),
    DRIVES_FILE: setting('a readable YAML or JSON file', parseReadableFile),
    MAIL_HOST: setting('an SMTP host name or IP address', parseHost),
    MAIL_PORT: setting('an integer 1–65535', parseInteger(1, 65535)),
    MAIL_SECURE: setting('true or false', parseBoolean, false),
    MAIL_USER: setting('a user name without control characters', nonEmpty(1024)),
    MAIL_PASSWORD: secret('a password without control characters', nonEmpty(1024)),
    MAIL_FROM: setting('an e-mail address, optionally as "Name <address>"', parseMailbox),
    ADMIN_EMAILS: setting('a comma-separated list of e-mail addresses', parseList(parseEmail), []),
    MAIL_DEDUP_MINUTES: setting('an integer 1–1440 (minutes)', parseInteger(1, 1440), 15),
    MAIL_MAX_PER_HOUR: setting('an integer 1–10000', parseInteger(1, 10_000), 20),
    ADMIN_TOKEN: secret('at least 16 characters without spaces', (v) => (/^\S{16,}$/.test(v) ? v : undefined)),
    METRICS_PORT: setting('an integer 1–65535', parseInteger(1, 65535)),
  });
}

export type Env = z.output<ReturnType<typeof envSchema>>;
