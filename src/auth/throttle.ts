import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config/index.js';
import { FailureBudget } from './failure-budget.js';

export interface ThrottleSettings {
  /** Failed sign-ins per username per window, attempts in flight included. Keep it well below the domain's lockout threshold. */
  maxFailuresPerUser: number;
  /** Failed sign-ins per client IP per window, attempts in flight included. Successful sign-ins never count. */
  maxFailuresPerIp: number;
  windowMinutes: number;
}

export interface ThrottleOptions {
  /**
   * A connected `redis` v5 client (`createClient()`): counts are then shared by every instance.
   * Without it, counts live in this process.
   */
  redis?: object;
  /** Keeps separate apps (or tests) on one Redis apart. */
  keyPrefix?: string;
}

export function throttleSettings(config: Config): ThrottleSettings {
  const { maxFailuresPerUser, maxFailuresPerIp, windowMinutes } = config.auth;
  return { maxFailuresPerUser, maxFailuresPerIp, windowMinutes };
}

/** How a reserved sign-in ended, which decides whether its points stay. */
export interface SignInReservation {
  /** The directory accepted the password: points back. Earlier failures stay counted (see SignInThrottle). */
  passwordAccepted(): Promise<void>;
  /** A wrong password, or one that may have reached the directory without an answer: the points stay. */
  failed(): Promise<void>;
  /** The password never reached the directory (no DC answered): points back, nothing else changes. */
  passwordNotSent(): Promise<void>;
}

/**
 * Sign-in throttling. Every sign-in reserves a failure point for its username and for its client IP before the
 * password goes to the directory, and gives them back unless it fails: parallel wrong passwords can never send
 * more than maxFailuresPerUser binds for one account to the DC in a window, so Portcullis cannot lock an AD
 * account; and a computer lab behind one address only ever spends its per-IP budget on failures.
 *
 * A correct password does not wipe the username's earlier failures, although AD resets its own count then: wrong
 * passwords still in flight at that moment land after AD's reset, and wiping would let as many again follow them.
 */
export class SignInThrottle {
  private readonly perUser: FailureBudget;
  private readonly perIp: FailureBudget;

  constructor(settings: ThrottleSettings, options: ThrottleOptions = {}) {
    const duration = Math.max(1, Math.round(settings.windowMinutes * 60));
    const prefix = options.keyPrefix ?? 'portcullis:signin';
    const make = (name: string, points: number): RateLimiterAbstract => {
      const base = { points, duration, keyPrefix: `${prefix}:${name}` };
      if (!options.redis) return new RateLimiterMemory(base);
      // If Redis is down, counting in memory beats refusing every sign-in or counting nothing.
      return new RateLimiterRedis({ ...base, storeClient: options.redis, useRedisPackage: true, insuranceLimiter: new RateLimiterMemory(base) });
    };
    this.perUser = new FailureBudget(make('user', settings.maxFailuresPerUser));
    this.perIp = new FailureBudget(make('ip', settings.maxFailuresPerIp));
  }

  /**
   * Reserves a point for `usernameKey` and one for `ip`, or throws TooManyAttemptsError (429). Call it before the
   * password goes anywhere, and end the reservation with exactly one of its methods.
   */
  async reserve(usernameKey: string, ip: string): Promise<SignInReservation> {
    // Always the IP first, then the username. A sign-in waiting for a username point may hold an IP point, but
    // every holder of a username point is already past both and talking to the directory, so waits always end.
    await this.perIp.take(ip);
    try {
      await this.perUser.take(usernameKey);
    } catch (err) {
      await this.perIp.giveBack(ip);
      throw err;
    }
    let ended = false;
    const once = (outcome: () => Promise<void>) => async (): Promise<void> => {
      if (ended) return;
      ended = true;
      await outcome();
    };
    return {
      passwordAccepted: once(() => this.giveBack(usernameKey, ip)),
      failed: once(async () => {
        this.perIp.keep(ip);
        this.perUser.keep(usernameKey);
      }),
      passwordNotSent: once(() => this.giveBack(usernameKey, ip)),
    };
  }

  private async giveBack(usernameKey: string, ip: string): Promise<void> {
    await Promise.all([this.perIp.giveBack(ip), this.perUser.giveBack(usernameKey)]);
  }
}
