/**
 * Live folders (issue 13): one CHANGE_NOTIFY watch per folder per SMB connection, shared by every viewer (a
 * browser tab's event stream) that has the folder open with the same credential, whichever web session it
 * belongs to. The pool already shares one connection per (user, server, credential); the hub keys its watches
 * the same way, so two tabs, or a laptop and a phone of the same user, cost the file server one outstanding
 * CHANGE_NOTIFY, not one each.
 *
 * Bookkeeping is synchronous (join and leave never await), so parallel opens and closes cannot interleave
 * halfway: the first viewer creates and registers the watch before anything awaits, the last one to leave
 * removes it from the map in the same turn it stops it. A join after that starts a fresh watch.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { DriveRef } from '../drives/index.js';
import type { PoolCredential, SmbPool } from '../sessions/index.js';
import { SmbCancelledError, type SmbShare, type SmbWatcher, type WatchAction } from '../smb/index.js';
import { type FileUser, sharePath } from './service.js';
import { isConnectionLost } from './upload.js';

/** Why a viewer gets no live updates (any more). */
export type PauseReason = 'session-cap' | 'total-cap' | 'refused' | 'lost' | 'signed-out' | 'shutdown';

export type LiveEvent =
  /** The watch is in place: changes from now on arrive. */
  | { type: 'live' }
  | { type: 'change'; action: Exclude<WatchAction, 'overflow'>; name: string }
  /** The server dropped events (too many at once): re-read the folder. */
  | { type: 'overflow' }
  /** No (more) live updates for this viewer; the stream should end. */
  | { type: 'paused'; reason: PauseReason };

export interface LiveLimits {
  /** Watches open at once in this process, over all users. */
  maxWatches: number;
  /** Distinct folders one web session may watch at once (tabs on the same folder count once). */
  maxWatchesPerSession: number;
}

export interface LiveStats {
  /** Watches open (or opening). */
  watches: number;
  /** Viewers subscribed to them. */
  viewers: number;
  /** Viewers refused or cut off since start, by reason. */
  refused: Record<PauseReason, number>;
}

export interface LiveLogger {
  debug(message: string, meta?: Record<string, unknown>): unknown;
}

/** One viewer's hold on a watch. leave() is idempotent and synchronous. */
export interface Subscription {
  leave(): void;
}

interface Viewer {
  sessionId: string;
  send: (ev: LiveEvent) => void;
  watch: Watch | undefined;
}

interface Watch {
  key: string;
  viewers: Set<Viewer>;
  live: boolean;
  stopped: boolean;
  watcher: SmbWatcher | undefined;
}

const REASONS: PauseReason[] = ['session-cap', 'total-cap', 'refused', 'lost', 'signed-out', 'shutdown'];

export class WatchHub {
  private readonly watches = new Map<string, Watch>();
  /** Web session → watch key → that session's viewers on it (for the per-session cap). */
  private readonly sessions = new Map<string, Map<string, number>>();
  private readonly refusedCounts = Object.fromEntries(REASONS.map((r) => [r, 0])) as Record<PauseReason, number>;
  /** Keys credentials in watch keys, as the pool keys its connections: nothing guessable ends up in memory. */
  private readonly keySecret = randomBytes(32);
  private closed = false;

  constructor(
    private readonly pool: SmbPool,
    private readonly limits: LiveLimits,
    private readonly logger?: LiveLogger,
  ) {}

  /**
   * Subscribes `send` to changes in the folder `segments` of `drive`, as `user`. Every event arrives through
   * `send`, the first one `live` or `paused` (possibly before join returns: a cap refusal is immediate).
   */
  join(user: FileUser, drive: DriveRef, segments: string[], send: (ev: LiveEvent) => void): Subscription {
    const viewer: Viewer = { sessionId: user.sessionId, send, watch: undefined };
    const subscription: Subscription = { leave: () => this.leave(viewer) };
    if (this.closed) {
      this.refuse(viewer, 'shutdown');
      return subscription;
    }
    const credential = user.credential();
    const key = this.keyOf(credential, drive, segments);
    const mine = this.sessions.get(user.sessionId);
    if (!mine?.has(key) && (mine?.size ?? 0) >= this.limits.maxWatchesPerSession) {
      this.refuse(viewer, 'session-cap');
      return subscription;
    }
    let watch = this.watches.get(key);
    if (watch === undefined) {
      if (this.watches.size >= this.limits.maxWatches) {
        this.refuse(viewer, 'total-cap');
        return subscription;
      }
      watch = { key, viewers: new Set(), live: false, stopped: false, watcher: undefined };
      this.watches.set(key, watch);
      void this.run(watch, user.sessionId, credential, drive, segments);
    }
    this.attach(watch, viewer);
    if (watch.live) send({ type: 'live' });
    return subscription;
  }

  /** At sign-out: the session's viewers get `paused` (signed-out) and let go of their watches. */
  endSession(sessionId: string): void {
    for (const watch of [...this.watches.values()]) {
      for (const v of [...watch.viewers]) {
        if (v.sessionId !== sessionId) continue;
        this.leave(v);
        this.refuse(v, 'signed-out');
      }
    }
  }

  /** At shutdown: every viewer is told (so streams end and the HTTP server can close) and every watch stops. */
  close(): void {
    this.closed = true;
    for (const watch of [...this.watches.values()]) this.kill(watch, 'shutdown');
  }

  stats(): LiveStats {
    let viewers = 0;
    for (const w of this.watches.values()) viewers += w.viewers.size;
    return { watches: this.watches.size, viewers, refused: { ...this.refusedCounts } };
  }

  /**
   * Same user, server and credential (so the same pooled connection), same share and folder. SMB names are
   * case-insensitive: `Docs/` and `docs/` are one folder and share a watch.
   */
  private keyOf(credential: PoolCredential, drive: DriveRef, segments: string[]): string {
    const server = `${drive.host.toLowerCase()}:${drive.port}`;
    const who = `${credential.domain.toUpperCase()}\\${credential.username.toLowerCase()}`;
    const hash = createHmac('sha256', this.keySecret).update(`${server}\0${who}\0`).update(credential.ntowfv2).digest('base64url');
    return `${server}|${who}|${hash}|${drive.share.toLowerCase()}|${sharePath(drive.basePath, segments).toLowerCase()}`;
  }

  private attach(watch: Watch, viewer: Viewer): void {
    viewer.watch = watch;
    watch.viewers.add(viewer);
    let mine = this.sessions.get(viewer.sessionId);
    if (mine === undefined) {
      mine = new Map();
      this.sessions.set(viewer.sessionId, mine);
    }
    mine.set(watch.key, (mine.get(watch.key) ?? 0) + 1);
  }

  /** The viewer lets go; the last viewer of a watch stops it (synchronously unregistered). */
  private leave(viewer: Viewer): void {
    const watch = viewer.watch;
    if (watch === undefined) return;
    viewer.watch = undefined;
    watch.viewers.delete(viewer);
    const mine = this.sessions.get(viewer.sessionId);
    const n = (mine?.get(watch.key) ?? 0) - 1;
    if (n > 0) mine?.set(watch.key, n);
    else mine?.delete(watch.key);
    if (mine?.size === 0) this.sessions.delete(viewer.sessionId);
    if (watch.viewers.size === 0) this.stop(watch);
  }

  private stop(watch: Watch): void {
    if (watch.stopped) return;
    watch.stopped = true;
    if (this.watches.get(watch.key) === watch) this.watches.delete(watch.key);
    // Cancels the outstanding CHANGE_NOTIFY and closes the handle; run() then returns and frees the connection.
    void watch.watcher?.close();
  }

  /** The watch cannot go on: its viewers are told why, then it stops. */
  private kill(watch: Watch, reason: PauseReason): void {
    for (const v of [...watch.viewers]) {
      this.leave(v);
      this.refuse(v, reason);
    }
    this.stop(watch);
  }

  private refuse(viewer: Viewer, reason: PauseReason): void {
    this.refusedCounts[reason]++;
    viewer.send({ type: 'paused', reason });
  }

  /**
   * The watch's life: inside pool.use, whose pending promise keeps the connection from idling out while
   * anyone watches. Not idempotent: a dropped connection ends the watch (viewers are paused and offered a
   * refresh) rather than silently re-watching after changes may have been missed.
   */
  private async run(watch: Watch, sessionId: string, credential: PoolCredential, drive: DriveRef, segments: string[]): Promise<void> {
    try {
      await this.pool.use(
        sessionId,
        credential,
        drive,
        async (share: SmbShare, base: string[]) => {
          if (watch.stopped) return;
          const watcher = share.watch(sharePath(base, segments));
          watch.watcher = watcher;
          if (watch.stopped) return void (await watcher.close());
          await watcher.ready();
          if (watch.stopped) return;
          watch.live = true;
          for (const v of watch.viewers) v.send({ type: 'live' });
          for await (const ev of watcher) {
            if (watch.stopped) break;
            const out: LiveEvent = ev.action === 'overflow' ? { type: 'overflow' } : { type: 'change', action: ev.action, name: ev.name };
            for (const v of [...watch.viewers]) v.send(out);
          }
        },
        { idempotent: false },
      );
      // The iteration ended without being stopped: the server ended it (the folder went away, say).
      if (!watch.stopped) this.kill(watch, 'lost');
    } catch (err) {
      if (watch.stopped && (err instanceof SmbCancelledError || isConnectionLost(err))) return;
      // Anything but a dropped connection is the server's answer: no notify for this folder (or no more).
      const reason: PauseReason = isConnectionLost(err) ? 'lost' : 'refused';
      this.logger?.debug('live folder watch ended', { err, reason });
      this.kill(watch, reason);
    }
  }
}
