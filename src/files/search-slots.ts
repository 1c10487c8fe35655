/**
 * Who may search right now. At most `perUser` searches of one user and `total` in the process run at once;
 * past that a search is refused with SearchBusyError (429 and Retry-After), not queued: a waiting search would
 * hold an HTTP request and its user's patience for nothing. A search is keyed by user and tab: a new one from
 * the same tab cancels the previous one and takes over its slot, so typing a new query never waits for the
 * last one to wind down. Counting and taking a slot happen in one synchronous step, so parallel requests cannot
 * all pass the check.
 */
import { AppError, type AppErrorOptions, said } from '../errors/index.js';

export interface SearchSlotSettings {
  perUser: number;
  total: number;
}

/** Seconds a refused search is told to wait (searches are bounded by their time limit; most end far sooner). */
export const SEARCH_RETRY_AFTER_SECONDS = 5;

export class SearchBusyError extends AppError {
  readonly retryAfterSeconds = SEARCH_RETRY_AFTER_SECONDS;

  constructor(message: string, options: AppErrorOptions = {}) {
    super(429, message, 'busy', options);
  }
}

export interface SearchSlot {
  /** Aborted when a newer search from the same tab replaces this one. */
  readonly signal: AbortSignal;
  /** Gives the slot back (idempotent; a no-op once another search took it over). */
  release(): void;
}

interface Running {
  user: string;
  abort: AbortController;
}

export class SearchSlots {
  private readonly running = new Map<string, Running>();
  private readonly perUser = new Map<string, number>();
  private total = 0;

  constructor(private readonly settings: SearchSlotSettings) {}

  get stats(): { running: number } {
    return { running: this.total };
  }

  /** Takes a slot for `user`'s search from `tab`, or throws SearchBusyError. */
  acquire(user: string, tab: string): SearchSlot {
    const userKey = user.toLowerCase();
    const key = `${userKey}\u0000${tab}`;
    const previous = this.running.get(key);
    if (previous !== undefined) {
      previous.abort.abort(new Error('replaced by a newer search'));
    } else {
      const mine = this.perUser.get(userKey) ?? 0;
      if (mine >= this.settings.perUser) {
        throw new SearchBusyError(...said('errors.search.busyMine', { count: String(mine) }));
      }
      if (this.total >= this.settings.total) throw new SearchBusyError(...said('errors.search.busyServer'));
      this.perUser.set(userKey, mine + 1);
      this.total++;
    }
    const entry: Running = { user: userKey, abort: new AbortController() };
    this.running.set(key, entry);
    return {
      signal: entry.abort.signal,
      release: () => {
        if (this.running.get(key) !== entry) return;
        this.running.delete(key);
        const left = (this.perUser.get(entry.user) ?? 1) - 1;
        if (left <= 0) this.perUser.delete(entry.user);
        else this.perUser.set(entry.user, left);
        this.total--;
      },
    };
  }
}
