import { createHmac, randomBytes } from 'node:crypto';
import { allowsUnsignedSmb, type Config } from '../config/index.js';
import type { DriveRef } from '../drives/index.js';
import { said, toHttpError, UnavailableError } from '../errors/index.js';
import {
  SmbAccountDisabledError,
  SmbAccountExpiredError,
  SmbAccountLockedError,
  SmbAuthError,
  SmbAuthMethodRefusedError,
  SmbClient,
  SmbDisconnectedError,
  SmbPasswordExpiredError,
  SmbPasswordMustChangeError,
  SmbSessionExpiredError,
  SmbAccountRestrictionError,
  SmbUnsignedSessionError,
  type KerberosMechanism,
  type SmbClientOptions,
  type SmbShare,
} from '../smb/index.js';
import { ClientRevokedError, DelegationRefusedError, KdcError, PasswordExpiredError, type Credentials, type TicketCache } from '../krb/index.js';
import { ConnectQueue } from './connect-queue.js';
import { CredentialsRejectedError, SmbBusyError, type CredentialRejection } from './errors.js';

export interface PoolCredential {
  username: string;
  domain: string;
  /**
   * The NTLMv2 key (16 bytes), decrypted from the session for this request. For a single sign-on (`kerberosOnly`)
   * there is no key: a random per-sign-in value that only keeps its connections apart from other sign-ins'.
   */
  ntowfv2: Buffer;
  /** Single sign-on: Kerberos (the `kerberos` provider, by delegation) whatever SMB_AUTH says; never NTLM. */
  kerberosOnly?: boolean;
  /**
   * The user's Kerberos credential provider, when the session holds a TGT: a GSS context for a service
   * ("cifs/<UNC host>"). With it, SMB_AUTH=auto or kerberos authenticates with Kerberos; without, auto is NTLMv2.
   */
  kerberos?: (spn: string) => Promise<KerberosMechanism>;
  /** The TGT kept at sign-in; the pool turns it into service tickets (cached per user and service). */
  tgt?: Credentials;
}

export interface UseOptions {
  /**
   * The operation may run twice without harm (listing, stat, reading into memory). Only then is it
   * retried after the connection turned out to be dead; otherwise the error is thrown and the
   * connection is rebuilt for the next request.
   */
  idempotent?: boolean;
}

export interface PoolLogger {
  debug(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
}

export interface PoolStats {
  /** Connections open or being opened, over all servers. */
  connections: number;
  /** Web sessions using a connection. */
  sessions: number;
  /** Requests queued for a connection slot. */
  waiting: number;
  /** Connection set-ups (or rebuilds) under way, and waiting their turn (SMB_CONNECT_CONCURRENCY). */
  connecting: number;
  connectWaiting: number;
  /** Connections opened since the pool started (reconnects not counted). */
  opened: number;
  /** Connections rebuilt in place after the server dropped them. */
  reconnects: number;
  servers: Record<string, { connections: number; waiting: number }>;
  /**
   * Bytes received from / sent to file servers over every connection the pool has had (framing included):
   * downloads and streamed copies move them, a server-side copy barely does.
   */
  bytesReceived: number;
  bytesSent: number;
  /** SMB requests in flight over all open connections (0 once every operation, cancelled ones too, has settled). */
  outstanding: number;
  /** SMB2 CANCELs sent over every connection the pool has had (a search stopped mid-way sends them). */
  cancelsSent: number;
}

type PoolConfig = Pick<Config, 'smb'>;

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
  timer: NodeJS.Timeout;
}

interface Server {
  key: string;
  /** Slots taken: connections open or being opened. */
  slots: number;
  waiters: Waiter[];
  entries: Set<Entry>;
}

/** One SMB connection of one user to one server, shared by every web session of theirs with the same credential. */
interface Entry {
  /** server, user, domain and a keyed hash of the credential: see connectionKey. */
  key: string;
  /** Web sessions using it; the connection closes when the last one signs out (or after idleSeconds unused). */
  sessionIds: Set<string>;
  server: Server;
  host: string;
  port: number;
  /** The server as the UNC names it (before SMB_HOST_MAP): its ticket is for cifs/<this>. */
  serverName: string;
  credential: PoolCredential;
  client: SmbClient | undefined;
  opening: Promise<SmbClient> | undefined;
  reviving: Promise<void> | undefined;
  /** Bumped on every (re)connect, so concurrent failures rebuild the connection once, not once each. */
  generation: number;
  /** A failure showed the connection or session is dead; rebuild before the next use. */
  stale: boolean;
  holdsSlot: boolean;
  active: number;
  lastUsed: number;
  idleTimer: NodeJS.Timeout | undefined;
  closed: boolean;
}

const REJECTIONS: [new (...args: never[]) => SmbAuthError, CredentialRejection][] = [
  [SmbPasswordExpiredError, 'password_expired'],
  [SmbPasswordMustChangeError, 'password_must_change'],
  [SmbAccountLockedError, 'account_locked'],
  [SmbAccountDisabledError, 'account_disabled'],
  [SmbAccountExpiredError, 'account_expired'],
  [SmbAccountRestrictionError, 'account_restricted'],
];

/** With SMB_AUTH=kerberos the KDC's refusal (account disabled, password expired …) ends the sign-in as NTLM's would. */
const refusedByKdc = (err: unknown): err is KdcError => err instanceof KdcError && !(err instanceof DelegationRefusedError);

function rejection(err: SmbAuthError | KdcError): CredentialsRejectedError {
  if (err instanceof KdcError) {
    const reason: CredentialRejection = err instanceof PasswordExpiredError ? 'password_expired' : err instanceof ClientRevokedError ? 'account_disabled' : 'logon_failure';
    return new CredentialsRejectedError(reason, { cause: err });
  }
  const reason = REJECTIONS.find(([cls]) => err instanceof cls)?.[1] ?? 'logon_failure';
  return new CredentialsRejectedError(reason, { cause: err });
}

/**
 * The file server refused how we sign in (NTLM off on a Kerberos-only domain): the app's own error (502, "the file
 * server refused this sign-in method") at once, like a refused credential, so routes treat it as not about the files.
 * The connection is closed; the next request tries a fresh session set-up, so it works again once the server (or
 * the method we use) changes, without signing in again.
 */
const methodRefused = (err: SmbAuthMethodRefusedError): Error => toHttpError(err);

const connectionLost = (err: unknown): boolean => err instanceof SmbDisconnectedError || err instanceof SmbSessionExpiredError;

const sameCredential = (a: PoolCredential, b: PoolCredential): boolean =>
  a.username.toLowerCase() === b.username.toLowerCase() && a.domain.toUpperCase() === b.domain.toUpperCase() && a.ntowfv2.equals(b.ntowfv2);

const serverKeyOf = (drive: DriveRef): string => `${drive.host.toLowerCase()}:${drive.port}`;

/**
 * SMB connections per (user, server, credential), shared by all the user's web sessions that hold the same
 * credential, as Windows shares one connection between a user's programs: a student with the site open on a
 * laptop and a phone costs the file server one smbd, not two. Opened on first use from the credential the
 * caller decrypted from the session, so any process can rebuild a user's connection: after an idle close, a
 * server restart, or when a load balancer sends the request to another instance. One connection carries every
 * share of that server (the client keeps a tree per share) and any number of concurrent requests.
 */
export class SmbPool {
  private readonly servers = new Map<string, Server>();
  /** Web session → server key → the connection it uses there. */
  private readonly sessions = new Map<string, Map<string, Entry>>();
  /** connectionKey → connection. */
  private readonly connections = new Map<string, Entry>();
  /**
   * Keys the credential hash in connection keys: a key that ended up in a log or a heap dump cannot be tested
   * against guessed passwords without it, and it never leaves this process.
   */
  private readonly keySecret = randomBytes(32);
  private readonly connectQueue: ConnectQueue;
  private opened = 0;
  private reconnects = 0;
  private closed = false;
  /** Byte counts of connections already closed (see PoolStats). */
  private retiredReceived = 0;
  private retiredSent = 0;
  private retiredCancels = 0;

  constructor(
    private readonly config: PoolConfig,
    private readonly logger?: PoolLogger,
    /** Service tickets from the sessions' TGTs, when Kerberos to the file servers is on. */
    private readonly tickets?: TicketCache,
  ) {
    this.connectQueue = new ConnectQueue({
      concurrency: config.smb.connectConcurrency,
      maxWaitMs: config.smb.queueTimeoutMs,
      maxQueued: config.smb.queueLimit,
    });
  }

  /**
   * Runs `fn` with the drive's share and its base path segments. Keep the promise pending until you are
   * done with the share (await the whole download pipeline inside `fn`), or the idle timer may close the
   * connection under you. Errors from `fn` come back as thrown by src/smb (map them with toHttpError),
   * except: CredentialsRejectedError (401) when the server no longer accepts the credential, SmbBusyError
   * (503) when the server's connection cap and queue are full.
   */
  async use<T>(sessionId: string, credential: PoolCredential, drive: DriveRef, fn: (share: SmbShare, base: string[]) => Promise<T>, opts: UseOptions = {}): Promise<T> {
    if (this.closed) throw new UnavailableError(...said('errors.server.shuttingDown'));
    return this.runOn(this.entryFor(sessionId, credential, drive), drive, fn, opts);
  }

  private async runOn<T>(entry: Entry, drive: DriveRef, fn: (share: SmbShare, base: string[]) => Promise<T>, opts: UseOptions): Promise<T> {
    entry.active++;
    if (entry.idleTimer !== undefined) clearTimeout(entry.idleTimer);
    entry.idleTimer = undefined;
    try {
      let client = await this.connected(entry);
      const generation = entry.generation;
      try {
        return await fn(client.share(drive.share), [...drive.basePath]);
      } catch (err) {
        if (!connectionLost(err) || entry.closed) throw err;
        if (!opts.idempotent) {
          entry.stale = true;
          throw err;
        }
        this.logger?.debug('SMB connection lost; reconnecting and retrying', { server: entry.server.key, err });
        await this.revive(entry, generation);
        client = this.clientOf(entry);
        return await fn(client.share(drive.share), [...drive.basePath]);
      }
    } finally {
      entry.active--;
      entry.lastUsed = Date.now();
      if (entry.active === 0) this.idle(entry);
    }
  }

  /**
   * Runs `fn` like use(), but only on a connection already open for `username` to the drive's server (any of
   * their sessions), and never opens one: for housekeeping, which has no credential of its own (the pool
   * holds a user's key only while their connection is open). Undefined when no such connection is open.
   */
  async useOpen<T>(username: string, drive: DriveRef, fn: (share: SmbShare, base: string[]) => Promise<T>): Promise<T | undefined> {
    if (this.closed) return undefined;
    const server = this.servers.get(serverKeyOf(drive));
    const user = username.toLowerCase();
    for (const entry of server?.entries ?? []) {
      if (entry.closed || entry.client === undefined || entry.stale || entry.credential.username.toLowerCase() !== user) continue;
      return this.runOn(entry, drive, fn, { idempotent: true });
    }
    return undefined;
  }

  /**
   * At logout: the session lets go of its connections. One no other session of the user still uses is closed
   * (requests still running on it fail); a shared one stays open for the others.
   */
  async closeSession(sessionId: string): Promise<void> {
    const entries = this.sessions.get(sessionId);
    if (entries === undefined) return;
    this.sessions.delete(sessionId);
    await Promise.all([...entries.values()].map((e) => this.detach(e, sessionId)));
  }

  /** At shutdown: refuses new work, fails queued requests and closes every connection. */
  async close(): Promise<void> {
    this.closed = true;
    const shuttingDown = () => new UnavailableError(...said('errors.server.shuttingDown'));
    for (const server of this.servers.values()) {
      for (const w of server.waiters.splice(0)) {
        clearTimeout(w.timer);
        w.reject(shuttingDown());
      }
    }
    this.connectQueue.rejectAll(shuttingDown);
    await Promise.all([...this.connections.values()].map((e) => this.closeEntry(e)));
  }

  stats(): PoolStats {
    const servers: PoolStats['servers'] = {};
    let connections = 0;
    let waiting = 0;
    for (const s of this.servers.values()) {
      servers[s.key] = { connections: s.slots, waiting: s.waiters.length };
      connections += s.slots;
      waiting += s.waiters.length;
    }
    // Shared connections appear once in `connections`, however many sessions use them.
    let bytesReceived = this.retiredReceived;
    let bytesSent = this.retiredSent;
    let outstanding = 0;
    let cancelsSent = this.retiredCancels;
    for (const e of this.connections.values()) {
      bytesReceived += e.client?.bytesReceived ?? 0;
      bytesSent += e.client?.bytesSent ?? 0;
      outstanding += e.client?.outstanding ?? 0;
      cancelsSent += e.client?.cancelsSent ?? 0;
    }
    const q = this.connectQueue.stats;
    return { connections, sessions: this.sessions.size, waiting, connecting: q.running, connectWaiting: q.waiting, opened: this.opened, reconnects: this.reconnects, servers, bytesReceived, bytesSent, outstanding, cancelsSent };
  }

  /**
   * Which connection a (user, server, credential) uses. The credential enters only as an HMAC under a
   * per-process secret, never in clear: the key may be logged or seen in a heap dump without harm.
   */
  private connectionKey(serverKey: string, credential: PoolCredential): string {
    const user = credential.username.toLowerCase();
    const domain = credential.domain.toUpperCase();
    const hash = createHmac('sha256', this.keySecret).update(`${domain}\0${user}\0`).update(credential.ntowfv2).digest('base64url');
    return `${serverKey}|${domain}\\${user}|${hash}`;
  }

  private entryFor(sessionId: string, credential: PoolCredential, drive: DriveRef): Entry {
    const serverKey = serverKeyOf(drive);
    let perSession = this.sessions.get(sessionId);
    const existing = perSession?.get(serverKey);
    // The common case, every request of a session: no HMAC needed to know it is the same credential.
    if (existing !== undefined && !existing.closed && sameCredential(existing.credential, credential)) return existing;
    const key = this.connectionKey(serverKey, credential);
    if (existing !== undefined && !existing.closed) {
      // A new sign-in under a reused id (or a new password) must never ride on the previous connection.
      void this.detach(existing, sessionId);
      perSession = this.sessions.get(sessionId); // detach drops the session's map when it empties it
    }
    if (perSession === undefined) {
      perSession = new Map();
      this.sessions.set(sessionId, perSession);
    }
    const shared = this.connections.get(key);
    if (shared !== undefined && !shared.closed) {
      shared.sessionIds.add(sessionId);
      perSession.set(serverKey, shared);
      return shared;
    }
    let server = this.servers.get(serverKey);
    if (server === undefined) {
      server = { key: serverKey, slots: 0, waiters: [], entries: new Set() };
      this.servers.set(serverKey, server);
    }
    const entry: Entry = {
      key,
      sessionIds: new Set([sessionId]),
      server,
      host: drive.host,
      port: drive.port,
      serverName: drive.server ?? drive.host,
      // Our own copy: the caller may wipe its buffer after the request.
      credential: {
        username: credential.username,
        domain: credential.domain,
        ntowfv2: Buffer.from(credential.ntowfv2),
        ...(credential.kerberos ? { kerberos: credential.kerberos } : {}),
        ...(credential.tgt ? { tgt: credential.tgt } : {}),
        ...(credential.kerberosOnly ? { kerberosOnly: true } : {}),
      },
      client: undefined,
      opening: undefined,
      reviving: undefined,
      generation: 0,
      stale: false,
      holdsSlot: false,
      active: 0,
      lastUsed: Date.now(),
      idleTimer: undefined,
      closed: false,
    };
    perSession.set(serverKey, entry);
    this.connections.set(key, entry);
    server.entries.add(entry);
    return entry;
  }

  /** The session stops using the connection; the last one to go closes it. */
  private async detach(entry: Entry, sessionId: string): Promise<void> {
    entry.sessionIds.delete(sessionId);
    const perSession = this.sessions.get(sessionId);
    if (perSession?.get(entry.server.key) === entry) perSession.delete(entry.server.key);
    if (perSession?.size === 0) this.sessions.delete(sessionId);
    if (entry.sessionIds.size === 0) await this.closeEntry(entry);
  }

  private clientOf(entry: Entry): SmbClient {
    if (entry.client === undefined || entry.closed) throw new SmbDisconnectedError('connection closed by the pool');
    return entry.client;
  }

  private async connected(entry: Entry): Promise<SmbClient> {
    if (entry.reviving !== undefined) await entry.reviving;
    if (entry.client !== undefined) {
      if (entry.stale || !entry.client.isConnected) await this.revive(entry, entry.generation);
      return this.clientOf(entry);
    }
    if (entry.opening === undefined) {
      const opening = this.open(entry);
      entry.opening = opening;
      const clear = () => {
        if (entry.opening === opening) entry.opening = undefined;
      };
      opening.then(clear, clear);
    }
    return entry.opening;
  }

  private async open(entry: Entry): Promise<SmbClient> {
    try {
      await this.acquire(entry);
    } catch (err) {
      void this.closeEntry(entry);
      throw err;
    }
    if (entry.closed) {
      // closeSession ran while we waited in the queue: pass the slot on.
      this.release(entry.server);
      throw new SmbDisconnectedError('connection closed by the pool');
    }
    entry.holdsSlot = true;
    let client: SmbClient;
    try {
      client = await this.connectQueue.run(async () => {
        // Closed while waiting its turn: don't make the server set up a connection nobody will use.
        if (entry.closed) throw new SmbDisconnectedError('connection closed by the pool');
        return SmbClient.connect({
          host: entry.host,
          port: entry.port,
          credential: entry.credential,
          timeoutMs: this.config.smb.timeoutMs,
          connectTimeoutMs: this.config.smb.timeoutMs,
          allowUnsigned: allowsUnsignedSmb(this.config.smb.allowUnsignedHosts, entry.host),
          ...this.authOptions(entry),
        });
      });
    } catch (err) {
      void this.closeEntry(entry);
      if (err instanceof SmbUnsignedSessionError) {
        this.logger?.warn('file server will not sign its SMB 2.x sessions; name it in SMB_ALLOW_UNSIGNED_HOSTS only if it is a legacy server you trust', { server: entry.server.key, err });
      }
      if (err instanceof SmbAuthError || refusedByKdc(err)) {
        this.logger?.warn('file server refused the session credential', { server: entry.server.key, username: entry.credential.username, err });
        throw rejection(err);
      }
      if (err instanceof SmbAuthMethodRefusedError) throw methodRefused(err);
      throw err;
    }
    if (entry.closed) {
      // closeSession ran while we were connecting (it has released the slot already).
      await client.close().catch(() => undefined);
      throw new SmbDisconnectedError('connection closed by the pool');
    }
    this.opened++;
    entry.client = client;
    entry.generation++;
    this.logger?.debug('SMB connection opened', { server: entry.server.key, username: entry.credential.username });
    return client;
  }

  /** SMB_AUTH and, when the session holds a TGT, a Kerberos context per session setup for cifs/<UNC host>. */
  private authOptions(entry: Entry): Pick<SmbClientOptions, 'auth' | 'kerberos' | 'onKerberosUnavailable'> {
    const { tgt, username } = entry.credential;
    const tickets = this.tickets;
    // A fresh service ticket for every SMB session set-up (they are rare: one connection per user and server,
    // reused): the KDC re-checks the account then, so a disabled account is refused at the next (re)connect,
    // as NTLM would refuse it, instead of riding on a cached ticket for hours.
    const fromTgt =
      tgt && tickets
        ? (forSpn: string) => {
            tickets.forgetService(username, forSpn);
            return tickets.provider(username, async () => tgt)(forSpn);
          }
        : undefined;
    const provider = entry.credential.kerberos ?? fromTgt;
    const spn = `cifs/${entry.serverName}`;
    return {
      auth: entry.credential.kerberosOnly ? 'kerberos' : this.config.smb.auth,
      ...(provider ? { kerberos: () => provider(spn) } : {}),
      onKerberosUnavailable: (err) =>
        this.logger?.debug('no Kerberos ticket for the file server; NTLMv2 instead', { server: entry.server.key, spn, username: entry.credential.username, err }),
    };
  }

  /** Rebuilds the entry's connection in place, once however many requests noticed it was dead. */
  private async revive(entry: Entry, seenGeneration: number): Promise<void> {
    if (entry.reviving !== undefined) return entry.reviving;
    if (entry.generation !== seenGeneration) return;
    const client = this.clientOf(entry);
    const reviving = (async () => {
      try {
        // A restarted server finds every user reconnecting at once: the same queue as first connections.
        await this.connectQueue.run(() => client.reconnect());
      } catch (err) {
        if (err instanceof SmbAuthError || refusedByKdc(err)) {
          this.logger?.warn('file server refused the session credential on reconnect', { server: entry.server.key, username: entry.credential.username, err });
          void this.closeEntry(entry);
          throw rejection(err);
        }
        if (err instanceof SmbAuthMethodRefusedError) {
          void this.closeEntry(entry);
          throw methodRefused(err);
        }
        throw err;
      }
      entry.generation++;
      entry.stale = false;
      this.reconnects++;
      this.logger?.debug('SMB connection rebuilt', { server: entry.server.key, username: entry.credential.username });
    })();
    entry.reviving = reviving;
    try {
      await reviving;
    } finally {
      if (entry.reviving === reviving) entry.reviving = undefined;
    }
  }

  private idle(entry: Entry): void {
    if (entry.closed) return;
    // Someone is queued for this server: free the slot now rather than after the idle time, where connections
    // give way at once (giveWayAfterSeconds 0); otherwise one just used is kept (see leastRecentlyUsedIdle).
    if (this.config.smb.giveWayAfterSeconds === 0 && entry.server.waiters.length > 0 && entry.holdsSlot && entry.opening === undefined) {
      void this.closeEntry(entry);
      return;
    }
    entry.idleTimer = setTimeout(() => void this.closeEntry(entry), this.config.smb.idleSeconds * 1000);
    entry.idleTimer.unref();
  }

  private async acquire(entry: Entry): Promise<void> {
    const server = entry.server;
    const { maxConnectionsPerServer, queueLimit, queueTimeoutMs } = this.config.smb;
    if (server.slots < maxConnectionsPerServer) {
      server.slots++;
      return;
    }
    // A connection of another session unused for giveWayAfterSeconds gives way: it costs that user only a reconnect later.
    const victim = this.leastRecentlyUsedIdle(server, entry);
    if (victim !== undefined) {
      victim.holdsSlot = false; // its slot passes to us
      void this.closeEntry(victim);
      return;
    }
    if (server.waiters.length >= queueLimit) throw new SmbBusyError();
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = server.waiters.indexOf(waiter);
          if (i >= 0) server.waiters.splice(i, 1);
          reject(new SmbBusyError());
        }, queueTimeoutMs),
      };
      waiter.timer.unref();
      server.waiters.push(waiter);
    });
  }

  /** Hands the slot to the first queued request, or frees it. */
  private release(server: Server): void {
    const next = server.waiters.shift();
    if (next !== undefined) {
      clearTimeout(next.timer);
      next.resolve();
      return;
    }
    server.slots--;
  }

  private leastRecentlyUsedIdle(server: Server, except: Entry): Entry | undefined {
    let best: Entry | undefined;
    const unusedSince = Date.now() - this.config.smb.giveWayAfterSeconds * 1000;
    for (const e of server.entries) {
      if (e === except || e.closed || e.active > 0 || !e.holdsSlot || e.opening !== undefined || e.client === undefined) continue;
      if (e.lastUsed > unusedSince) continue;
      if (best === undefined || e.lastUsed < best.lastUsed) best = e;
    }
    return best;
  }

  private async closeEntry(entry: Entry): Promise<void> {
    if (entry.closed) return;
    entry.closed = true;
    if (entry.idleTimer !== undefined) clearTimeout(entry.idleTimer);
    entry.server.entries.delete(entry);
    if (this.connections.get(entry.key) === entry) this.connections.delete(entry.key);
    for (const sessionId of entry.sessionIds) {
      const perSession = this.sessions.get(sessionId);
      if (perSession?.get(entry.server.key) === entry) perSession.delete(entry.server.key);
      if (perSession?.size === 0) this.sessions.delete(sessionId);
    }
    entry.sessionIds.clear();
    if (entry.holdsSlot) {
      entry.holdsSlot = false;
      this.release(entry.server);
    }
    const client = entry.client;
    entry.client = undefined;
    if (client !== undefined) {
      this.retiredReceived += client.bytesReceived;
      this.retiredSent += client.bytesSent;
      this.retiredCancels += client.cancelsSent;
      await client.close().catch((err: unknown) => this.logger?.debug('SMB close failed (connection already gone?)', { err }));
      this.logger?.debug('SMB connection closed', { server: entry.server.key, username: entry.credential.username });
    }
  }
}
