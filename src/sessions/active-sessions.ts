/**
 * A cap on the sessions one instance serves at once (SESSIONS_MAX_ACTIVE). Each active session costs this
 * instance memory and an SMB connection per file server (README, "Capacity"); past what the instance can hold,
 * a lecture hall's 501st sign-in should get a clear 503 with Retry-After, not make everyone slow. The cap only
 * ever turns away new sign-ins: a signed-in user's requests are always served, so nobody loses work to it.
 *
 * "Active" means a request on this instance within the window; several instances behind a load balancer each
 * count what they serve. A sign-in holds a slot from the moment it starts, so a burst of simultaneous sign-ins
 * cannot all pass the check before any of them is counted.
 */
import { AppError, said } from '../errors/index.js';

export class SessionCapError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    const [message, options] = said('errors.auth.sessionCap');
    super(503, message, 'session_cap', options);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface SignInSlot {
  /** The sign-in succeeded: the slot becomes the new session's. */
  keep(sessionId: string): void;
  /** The sign-in failed: the slot is free again. Safe to call after keep (then it does nothing). */
  release(): void;
}

export class ActiveSessions {
  /** Session id → time of its last request here; kept in that order (a touch moves an id to the end). */
  private readonly lastSeen = new Map<string, number>();
  private pending = 0;

  constructor(
    /** 0: no cap (sessions are still counted, for the metric). */
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Active sessions, sign-ins under way included. */
  get count(): number {
    this.prune();
    return this.lastSeen.size + this.pending;
  }

  /** A request of a signed-in session. */
  touch(sessionId: string): void {
    this.lastSeen.delete(sessionId);
    this.lastSeen.set(sessionId, this.now());
  }

  /** Signed out or ended: its slot is free at once. */
  forget(sessionId: string): void {
    this.lastSeen.delete(sessionId);
  }

  /** Takes a slot for a sign-in about to start, or throws SessionCapError (synchronously: check and take are one step). */
  reserve(): SignInSlot {
    if (this.max > 0 && this.count >= this.max) throw new SessionCapError(this.retryAfterSeconds());
    this.pending++;
    let held = true;
    const free = (): void => {
      if (!held) return;
      held = false;
      this.pending--;
    };
    return {
      keep: (sessionId) => {
        if (!held) return;
        free();
        this.touch(sessionId);
      },
      release: free,
    };
  }

  /** When the least recently seen session leaves the window (at least 5 s, at most the window). */
  private retryAfterSeconds(): number {
    const oldest = this.lastSeen.values().next();
    const ms = oldest.done ? this.windowMs : oldest.value + this.windowMs - this.now();
    return Math.min(Math.ceil(this.windowMs / 1000), Math.max(5, Math.ceil(ms / 1000)));
  }

  private prune(): void {
    const before = this.now() - this.windowMs;
    for (const [id, seen] of this.lastSeen) {
      if (seen > before) break;
      this.lastSeen.delete(id);
    }
  }
}
