// The long-lived parts behind the web layer, built once per process and closed on shutdown.
import type { RedisClientType } from 'redis';
import { directorySettings, LdapDirectory, SignInQueue, SignInThrottle, throttleSettings } from './auth/index.js';
import { DelegatedTickets } from './auth/delegated-tickets.js';
import { SharedReplayGuard } from './auth/shared-replay-guard.js';
import type { Config } from './config/index.js';
import type { Logger } from './log.js';
import { ActiveSessions, createSessionStore, sessionEndings, sessionsFile, SmbPool, type SessionStoreHandle } from './sessions/index.js';
import { createUserData, type UserData } from './userdata/index.js';
import { FileService, MemoryUploadRegistry, RedisUploadRegistry, STALE_TEMP_MS, UploadSweeper, WatchHub } from './files/index.js';
import { DEFAULT_JOB_SETTINGS, JobRegistry, RedisJobMirror, type JobHooks } from './jobs/index.js';
import { describeKdc, KdcDiscovery, KerberosClient, ReplayCache, TicketCache, type Credentials, type ReplayGuard } from './krb/index.js';

export interface Services {
  directory: LdapDirectory;
  throttle: SignInThrottle;
  /** At most SIGNIN_CONCURRENCY sign-ins at the directory; the rest wait their turn, boundedly. */
  signInQueue: SignInQueue;
  sessions: SessionStoreHandle;
  /** Sessions this instance serves now; new sign-ins past SESSIONS_MAX_ACTIVE are turned away (503). */
  activeSessions: ActiveSessions;
  pool: SmbPool;
  /** The file service every route uses (on top of the pool). */
  files: FileService;
  /** Removes stale upload temporaries on a timer, and a session's own at sign-out. */
  uploads: UploadSweeper;
  /**
   * The web session has ended (sign-out): closes its SMB connections here and, with Redis, on every other
   * instance, which would otherwise keep theirs open, authenticated as the user, until they idle out.
   */
  endSession(sessionId: string): Promise<void>;
  /** Delete, copy and move running in the background, per user (seen and cancellable from every instance with Redis). */
  jobs: JobRegistry;
  /** Live folders: shared CHANGE_NOTIFY watches behind the /live event streams. */
  live: WatchHub;
  /** Per-user settings and bookmarks, by objectGUID, in the session store's backend. */
  userData: UserData;
  /** Kerberos to the file servers (SMB_AUTH auto or kerberos, with a realm and KDCs): TGTs at sign-in. */
  kerberos?: { getTgt(username: string, password: string): Promise<Credentials> };
  /**
   * Single sign-on (AUTH_METHODS with oidc or negotiate): cifs/ tickets in a user's name by S4U2Self/S4U2Proxy with
   * the service account's key (KRB_SERVICE_PRINCIPAL, KRB_KEYTAB or KRB_SERVICE_PASSWORD).
   */
  delegation?: DelegatedTickets;
  /** Accepted Negotiate authenticators: shared through Redis when there is one, so no instance takes a replay. */
  negotiateReplay: ReplayGuard;
  close(): Promise<void>;
}

/**
 * Without KRB_KDCS, the KDCs DNS SRV names for the realm, looked up at start-up and every few minutes in the
 * background (never awaited by a request: until a lookup answers, and whenever none does, the LDAP_URLS hosts serve).
 */
function discoveryOf(config: Config, realm: string, logger: Logger, tuning: ServiceOverrides['kdcDiscovery']): KdcDiscovery | undefined {
  const { srv, kdcs } = config.kerberos;
  if (!srv) return undefined;
  const discovery = new KdcDiscovery({
    realm,
    fallback: kdcs,
    ...(srv.dnsServers.length > 0 ? { servers: srv.dnsServers } : {}),
    ...tuning,
    onDiscovered: (found, name) =>
      logger.info('KDCs found by DNS SRV: tried first, then the LDAP_URLS hosts', {
        srv: name,
        kdcs: found.map(describeKdc),
      }),
    // Once per run of failures, not at every refresh; a later success is logged again at info. "No such record" is
    // the DNS's answer, usual where the AD's DNS is not the app host's: the documented fallback, not a warning.
    onLookupFailed: (error, name, kept) =>
      logger[error.authoritative && kept.length === 0 ? 'info' : 'warn'](
        kept.length > 0
          ? 'DNS SRV look-up of the KDCs failed: keeping the KDCs it found before, then the LDAP_URLS hosts'
          : "no KDCs from DNS SRV: using the LDAP_URLS hosts (set KRB_DNS_SERVERS to the domain's DNS, or KRB_KDCS)",
        { srv: name, reason: error.message, kdcs: [...kept.map(describeKdc), ...kdcs.map((k) => `${k.host}:${k.port}`)] },
      ),
  });
  discovery.start();
  return discovery;
}

/** The process's Kerberos client and ticket cache, unless SMB_AUTH=ntlm or no realm/KDC is known. */
function kerberosOf(
  config: Config,
  logger: Logger,
  tuning: ServiceOverrides['kdcDiscovery'],
): { client: KerberosClient; tickets: TicketCache; discovery: KdcDiscovery | undefined } | undefined {
  const { realm, kdcs } = config.kerberos;
  if (config.smb.auth === 'ntlm' || realm === undefined || (kdcs.length === 0 && !config.kerberos.srv)) return undefined;
  const discovery = discoveryOf(config, realm, logger, tuning);
  const client = new KerberosClient({
    realm,
    kdcs: discovery ? () => discovery.current() : kdcs,
    timeoutMs: config.ldap.timeoutMs,
    onClockSkew: (offsetMs, kdcTime) => logger.warn('clock differs from the KDC: adopted its time for Kerberos', { offsetMs, kdcTime: kdcTime.toISOString() }),
  });
  return { client, tickets: new TicketCache(client), discovery };
}

/** The S4U side of single sign-on, when AUTH_METHODS opens a door without a password (src/config checked the rest). */
function delegationOf(config: Config, client: KerberosClient | undefined): DelegatedTickets | undefined {
  const service = config.kerberos.service;
  if (!client || !service || !config.authMethods.some((m) => m !== 'password')) return undefined;
  return new DelegatedTickets(client, service);
}

export interface ServiceOverrides {
  /** A Redis client for sessions and throttling (tests); otherwise one is opened from REDIS_URL. */
  redisClient?: RedisClientType;
  /** Overrides `<dataDir>/sessions.sqlite`. */
  sqliteFile?: string;
  /** Test seam: hooks into every job (hold one midway). */
  jobHooks?: JobHooks;
  /** Test seam: the KDC look-up's DNS timeout and refresh interval (defaults 2 s and 5 minutes). */
  kdcDiscovery?: { timeoutMs?: number; refreshMs?: number };
}

export async function createServices(config: Config, logger: Logger, overrides: ServiceOverrides = {}): Promise<Services> {
  const sessions = await createSessionStore(config, logger, {
    ...(overrides.redisClient ? { redisClient: overrides.redisClient } : {}),
    ...(overrides.sqliteFile ? { sqliteFile: overrides.sqliteFile } : {}),
  });
  // Several instances must share sign-in counts, so the throttle lives in the same Redis as the sessions.
  const redis = overrides.redisClient ?? sessions.redis;
  const throttle = new SignInThrottle(throttleSettings(config), redis ? { redis } : {});
  const { signInConcurrency, signInQueueWaitSeconds, signInQueueLimit } = config.auth;
  // As many idle bind connections as sign-ins may bind at once: a storm never opens more.
  const directory = new LdapDirectory(directorySettings(config), { logger, maxIdleBinders: signInConcurrency });
  const signInQueue = new SignInQueue({ concurrency: signInConcurrency, maxWaitMs: signInQueueWaitSeconds * 1000, maxQueued: signInQueueLimit });
  const kerberos = kerberosOf(config, logger, overrides.kdcDiscovery);
  const delegation = delegationOf(config, kerberos?.client);
  const pool = new SmbPool(config, logger, kerberos?.tickets);
  const files = new FileService(pool);
  // An upload may start on one instance and its user sign out on another: the list sign-out needs is shared too.
  // Kept as long as a temporary is young enough to resume; after that the timer sweeps it anyway.
  const registry = redis ? new RedisUploadRegistry(redis, STALE_TEMP_MS / 1000) : new MemoryUploadRegistry();
  const uploads = new UploadSweeper(files, { intervalMs: config.upload.sweepIntervalSeconds * 1000, maxAgeMs: STALE_TEMP_MS }, logger, registry);
  uploads.start();
  const live = new WatchHub(pool, config.live, logger);
  const activeSessions = new ActiveSessions(config.session.maxActive, config.session.activeMinutes * 60_000);
  const endings = redis ? sessionEndings(redis, (id) => (activeSessions.forget(id), live.endSession(id), pool.closeSession(id)), logger) : undefined;
  // Behind a balancer a job's progress is asked for through any instance: its view is shared in Redis.
  const jobs = new JobRegistry(DEFAULT_JOB_SETTINGS, overrides.jobHooks, redis ? new RedisJobMirror(redis, DEFAULT_JOB_SETTINGS, logger) : undefined);
  const userData = createUserData(redis ? { redis } : { sqliteFile: sessionsFile(config, overrides) });
  return {
    directory,
    throttle,
    signInQueue,
    sessions,
    activeSessions,
    pool,
    files,
    uploads,
    jobs,
    live,
    userData,
    ...(kerberos ? { kerberos: { getTgt: (username: string, password: string) => kerberos.client.getTgt(username, password, { accountName: true }) } } : {}),
    ...(delegation ? { delegation } : {}),
    negotiateReplay: redis ? new SharedReplayGuard(redis) : new ReplayCache(),
    endSession: async (sessionId) => {
      activeSessions.forget(sessionId);
      delegation?.forgetSession(sessionId);
      live.endSession(sessionId);
      await pool.closeSession(sessionId);
      await endings?.announce(sessionId);
    },
    close: async () => {
      // Running jobs are cancelled (between items) before their connections go.
      await jobs.close();
      kerberos?.discovery?.stop();
      live.close();
      await endings?.close();
      await uploads.stop();
      await pool.close();
      await userData.close();
      await sessions.close();
      await directory.close();
    },
  };
}
