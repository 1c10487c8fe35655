import type { Drive } from './drives.js';
import type { Endpoint, TrustProxy } from './fields.js';
import type { FooterLink } from './branding.js';
import type { OidcClaim, OidcConfig } from './oidc.js';

export type { Drive, Endpoint, FooterLink, OidcClaim, OidcConfig, TrustProxy };

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LdapConfig {
  /** Tried in order, for redundant DCs. Empty: LDAP not configured. */
  urls: string[];
  caFile: string | undefined;
  startTls: boolean;
  bindDn: string | undefined;
  bindPassword: string | undefined;
  baseDn: string | undefined;
  /** Contains `{username}`, to be replaced by the escaped username. */
  userFilter: string;
  timeoutMs: number;
}

export interface MailConfig {
  host: string | undefined;
  port: number;
  /** true: TLS from the first byte (port 465); false: STARTTLS when the server offers it. */
  secure: boolean;
  user: string | undefined;
  password: string | undefined;
  from: string | undefined;
  adminEmails: string[];
  /** Errors with the same fingerprint within this window are counted and sent as one mail. */
  dedupMinutes: number;
  /** At most this many report mails per hour, all kinds together; the rest are counted as suppressed. */
  maxPerHour: number;
}

export interface AdminConfig {
  /** `Authorization: Bearer <token>` for /metrics and /readyz details. Unset: /metrics answers 404 (unless on METRICS_PORT). */
  token: string | undefined;
  /** Set: /metrics is served on this port only (bound to HOST), without a token, and not on the main port. */
  metricsPort: number | undefined;
}

export interface Config {
  env: NodeEnv;
  server: {
    port: number;
    host: string;
    trustProxy: TrustProxy;
    /** After SIGTERM, in-flight requests (downloads) may run this long before their connections are cut. */
    shutdownGraceSeconds: number;
    /** A client must send its request headers within this time (stops slowloris). */
    headersTimeoutSeconds: number;
    /** HTTP_MAX_HEADER_BYTES: the request header limit (Node's maxHeaderSize); a Negotiate ticket with a big PAC needs room. */
    maxHeaderBytes: number;
    /** A request body must arrive within this time (0 = no limit), except a signed-in user's upload, which may take as long as the link needs. */
    requestTimeoutSeconds: number;
  };
  /** Page and file GETs worked on at once before their answer starts; the rest queue (src/web/middleware/admission.ts). */
  admission: {
    /** 0 = no cap. */
    maxInFlight: number;
    queueLimit: number;
    queueWaitMs: number;
  };
  log: {
    level: LogLevel;
    format: 'json' | 'pretty';
    /** Also (instead of stdout) append log lines to this file. */
    file?: string | undefined;
  };
  site: {
    name: string;
    theme: string;
    /** The themes users may choose in /settings (THEMES_ALLOWED, else every theme); THEME is one of them. */
    themesAllowed: readonly string[];
  };
  /** What /help offers besides its own text (issue 13). */
  help: {
    /** The organisation's own help pages. */
    url?: string | undefined;
    /** Where users write for help. */
    supportEmail?: string | undefined;
  };
  branding: {
    /** BRANDING_DIR: files here replace those of themes/branding/ one by one. */
    dir?: string | undefined;
    footerText?: string | undefined;
    footerLinks: FooterLink[];
  };
  dataDir: string;
  session: {
    secret: string;
    /** No SESSION_SECRET was given outside production: sessions will not survive a restart. */
    secretGenerated: boolean;
    /** Signed out after this long without a request. */
    idleMinutes: number;
    /** Signed out this long after signing in, whatever the activity. */
    absoluteHours: number;
    /** New sign-ins beyond this many active sessions on this instance get 503 with Retry-After (0: no cap). */
    maxActive: number;
    /** A session with no request on this instance for this long no longer counts as active. */
    activeMinutes: number;
    /** Whether the sign-in form offers "Keep me signed in" (off by default for each user). */
    rememberMe: boolean;
    /** How long a "kept" sign-in lasts between visits. */
    rememberDays: number;
    /** 'auto': Secure when the request came over HTTPS (directly or per a trusted proxy). Production defaults to true. */
    cookieSecure: 'auto' | boolean;
    /** Set: sessions live in Redis (several instances); unset: embedded SQLite in DATA_DIR. */
    redisUrl: string | undefined;
  };
  auth: {
    /** Group names (CN) or DNs allowed to sign in; empty: every user the filter finds. */
    allowedGroups: string[];
    /** Resolve group membership through nested groups (the user's tokenGroups). */
    nestedGroups: boolean;
    /** Failed sign-ins per username per window before refusing more: well below AD's lockout threshold. */
    maxFailuresPerUser: number;
    /** Failed sign-ins per client IP per window (successes never count), so a lab behind one NAT can all sign in. */
    maxFailuresPerIp: number;
    windowMinutes: number;
    /** Sign-ins at the directory at once; more wait in order. */
    signInConcurrency: number;
    /** The longest a sign-in waits for its turn before a 503 with Retry-After. */
    signInQueueWaitSeconds: number;
    /** Sign-ins waiting at most; one more gets the 503 at once. */
    signInQueueLimit: number;
  };
  ldap: LdapConfig;
  ad: {
    /** NetBIOS domain name, upper case, for DOMAIN\user sign-in and NTLM. */
    domain: string | undefined;
  };
  /** The OpenID provider and Portcullis's client there (OIDC_*); sign-in by it is open when authMethods has oidc. */
  oidc: OidcConfig | undefined;
  /**
   * Kerberos to the file servers: the realm (from KRB_REALM, else LDAP_BASE_DN) and KDCs: KRB_KDCS, else those DNS SRV
   * records name (`_kerberos._tcp.<realm>`) followed by the LDAP_URLS hosts, else the LDAP_URLS hosts alone.
   */
  kerberos: {
    realm: string | undefined;
    /** KRB_KDCS, else the LDAP_URLS hosts on port 88 (then the fallback behind any KDCs found by SRV). */
    kdcs: Endpoint[];
    /** Without KRB_KDCS: look the KDCs up by SRV, at KRB_DNS_SERVERS (node:dns form, "IP:port") or the system's resolvers when empty. */
    srv: { dnsServers: string[] } | undefined;
    /**
     * The service account for single sign-on (KRB_SERVICE_PRINCIPAL), trusted for constrained delegation to the file
     * servers; its keys from KRB_KEYTAB, else derived from KRB_SERVICE_PASSWORD. Set whenever oidc or negotiate is on.
     */
    service: { principal: string; keytab: string | undefined; password: string | undefined } | undefined;
  };
  /** AUTH_METHODS: the front doors. The sign-in form is shown only with `password`. */
  authMethods: readonly ('password' | 'oidc' | 'negotiate')[];
  smb: {
    /** SMB_AUTH: `auto` is Kerberos when a ticket can be had, else NTLMv2. */
    auth: 'auto' | 'kerberos' | 'ntlm';
    /** Lower-cased UNC host → where to connect. Hosts not listed are connected to as named, on 445. */
    hostMap: Record<string, Endpoint>;
    timeoutMs: number;
    /** Extra servers for the status page to probe, beyond the drives' and the host map's. */
    probe: Endpoint[];
    /** An idle per-session SMB connection is closed after this long (reopened on demand). */
    idleSeconds: number;
    maxConnectionsPerServer: number;
    /**
     * At the cap, a connection unused for this long gives way to a newcomer (0: every connection not in use).
     * One used more recently is kept and the newcomer waits its turn: at 500 looping users and a cap of 500,
     * handing over connections used milliseconds before made the pool reconnect ~24 times a second.
     */
    giveWayAfterSeconds: number;
    /** Requests waiting for a connection slot; beyond it, 503. */
    queueLimit: number;
    queueTimeoutMs: number;
    /**
     * Connection set-ups (TCP, NEGOTIATE, SESSION_SETUP) under way at once, over all servers; more wait their turn
     * in order, bounded by queueLimit and queueTimeoutMs like the connection slots.
     */
    connectConcurrency: number;
    /**
     * Lower-cased hosts (as connected to, after the host map) whose SMB 2.x sessions may run unsigned when
     * the server will not sign. Empty: every session is signed or encrypted, or refused.
     */
    allowUnsignedHosts: string[];
  };
  upload: {
    /** The largest file one upload may carry (and the most one no-JS form post may carry in all). */
    maxBytes: number;
    /** How often folders that got upload temporaries are swept for stale ones. */
    sweepIntervalSeconds: number;
  };
  /** Folder pages. */
  listing: {
    /** Entries read from one folder for its page; reading stops there and the page says the list is cut. */
    maxEntries: number;
  };
  /** Live folders: open folders follow changes on the server over Server-Sent Events (src/files/watch-hub.ts). */
  live: {
    /** Folder watches (one outstanding CHANGE_NOTIFY each) open at once in this process; 0 turns live folders off. */
    maxWatches: number;
    /** Distinct folders one web session may watch at once; more tabs on one folder count once. */
    maxWatchesPerSession: number;
    /** A comment line on every open event stream this often, so proxies and browsers keep it open. */
    heartbeatSeconds: number;
  };
  /** Zip downloads (a folder or a selection): counted before anything is sent; beyond either cap, a 413 saying so. */
  zip: {
    /** Total size of the files in one zip, before compression. */
    maxBytes: number;
    /** Files and folders in one zip. */
    maxEntries: number;
  };
  /** Properties' recursive count of a folder: past either cap it stops and says which (complete: false). */
  measure: {
    /** Files and folders counted at most. */
    maxEntries: number;
    /** Seconds one count may take. */
    maxSeconds: number;
  };
  /** Name search below a folder (GET /search/…): each limit stops a search and says so; see README. */
  search: {
    maxSeconds: number;
    /** Folder levels searched (1 = the folder's own entries). */
    maxDepth: number;
    /** Files and folders looked at. */
    maxVisited: number;
    maxResults: number;
    /** "Search deeper" may raise a limit to at most this many times its setting. */
    deeperMaxFactor: number;
    /** Searches running at once, per user and in the whole process; past either, 429 busy. */
    perUser: number;
    total: number;
  };
  thumbnails: {
    /** The disk cache (DATA_DIR/thumbnails) is pruned, least recently used first, when it grows past this. */
    cacheMaxBytes: number;
  };
  drivesFile: string | undefined;
  drives: Drive[];
  /**
   * "Connect to server": the servers whose shares users may list and browse (lower-cased names, IP addresses or
   * patterns, each optionally `:port`). Undefined: the servers the drives and the user's home directory name.
   */
  servers: { allowed: string[] | undefined };
  mail: MailConfig;
  admin: AdminConfig;
}
