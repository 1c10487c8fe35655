import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { TooManyAttemptsError } from './errors.js';

/** What this process knows about one key: points its own attempts hold, and who waits for one to end. */
interface LocalState {
  holders: number;
  /** Bumped whenever a holder ends, so an attempt can tell whether something changed while it was refused. */
  endings: number;
  waiters: (() => void)[];
  /** Tail of the chain that runs this key's take-or-undo steps one at a time. */
  turn: Promise<void>;
  /** Calls to take() not yet returned: the state must outlive them. */
  taking: number;
}

const retryAfter = (res: RateLimiterRes): number => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

/**
 * A window's failure budget for one kind of key (a username, a client IP), on rate-limiter-flexible.
 *
 * An attempt takes a point before its password goes to the directory, so the count is always failures plus
 * attempts still in flight, and parallel attempts can never pass a check together: at most `points` of them
 * are ever out at once, whatever arrives. The attempt then keeps the point (a failure) or gives it back (the
 * directory accepted the password, or never saw it).
 */
export class FailureBudget {
  private readonly local = new Map<string, LocalState>();

  constructor(private readonly limiter: RateLimiterAbstract) {}

  /**
   * Takes a point or throws TooManyAttemptsError. Refused while this process's own attempts hold points, it waits
   * for one of them to end and tries again: forty correct sign-ins at once from one address queue behind each
   * other instead of being refused, while wrong passwords keep their points and so end in a refusal.
   */
  async take(key: string): Promise<void> {
    const state = this.stateOf(key);
    state.taking++;
    try {
      for (;;) {
        const endingsSeen = state.endings;
        const refusal = await this.inTurn(state, async () => {
          const res = await this.tryConsume(key);
          if (!res) state.holders++;
          return res;
        });
        if (!refusal) return;
        if (state.holders === 0 && state.endings === endingsSeen) throw new TooManyAttemptsError(retryAfter(refusal));
        if (state.endings === endingsSeen) await new Promise<void>((resolve) => state.waiters.push(resolve));
      }
    } finally {
      state.taking--;
      this.forgetIfIdle(key, state);
    }
  }

  /** The attempt failed: its point stays until the window ends. */
  keep(key: string): void {
    this.end(key);
  }

  /** The attempt did not fail: its point goes back. */
  async giveBack(key: string): Promise<void> {
    try {
      await this.refund(key, 1);
    } finally {
      this.end(key);
    }
  }

  /** Takes `points` off the count, never below zero. */
  private async refund(key: string, points: number): Promise<void> {
    const res = await this.limiter.reward(key, points);
    // The window may have ended while the attempt was in flight: the reward then opened a new one below zero,
    // which would be credit for failures to come. Put it back to zero.
    if (res.consumedPoints < 0) await this.limiter.penalty(key, -res.consumedPoints);
  }

  private async tryConsume(key: string): Promise<RateLimiterRes | undefined> {
    try {
      await this.limiter.consume(key);
      return undefined;
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      // A refused consume still added its point; without this the count would drift above the real one.
      await this.limiter.reward(key);
      return err;
    }
  }

  private end(key: string): void {
    const state = this.local.get(key);
    if (!state) return;
    state.holders = Math.max(0, state.holders - 1);
    state.endings++;
    for (const wake of state.waiters.splice(0)) wake();
    this.forgetIfIdle(key, state);
  }

  /** One take-or-undo step per key at a time here, so a refused consume's brief extra point never refuses a neighbour. */
  private async inTurn<T>(state: LocalState, step: () => Promise<T>): Promise<T> {
    const before = state.turn;
    let done!: () => void;
    state.turn = new Promise<void>((resolve) => (done = resolve));
    try {
      await before;
      return await step();
    } finally {
      done();
    }
  }

  private stateOf(key: string): LocalState {
    let state = this.local.get(key);
    if (!state) {
      state = { holders: 0, endings: 0, waiters: [], turn: Promise.resolve(), taking: 0 };
      this.local.set(key, state);
    }
    return state;
  }

  private forgetIfIdle(key: string, state: LocalState): void {
    if (state.holders === 0 && state.taking === 0 && this.local.get(key) === state) this.local.delete(key);
  }
}
