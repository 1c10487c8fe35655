import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config/index.js';
import { TooManyAttemptsError } from './errors.js';

export interface ThrottleSettings {
  /** Failed sign-ins per username per window. Keep it well below the domain's lockout threshold. */
  maxFailuresPerUser: number;
  /** Sign-in attempts (successful or not) per client IP per window. */
  maxAttemptsPerIp: number;
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
  const { maxFailuresPerUser, maxAttemptsPerIp, windowMinutes } = config.auth;
  return { maxFailuresPerUser, maxAttemptsPerIp, windowMinutes };
}

const retryAfter = (res: RateLimiterRes): number => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

/**
 * Sign-in throttling. Per username it counts failures only, so a user who mistypes once and then
 * succeeds starts again from zero; per IP it counts every attempt, which is what stops one client
 * from walking through many usernames.
 */
export class SignInThrottle {
  private readonly failures: RateLimiterAbstract;
  private readonly attempts: RateLimiterAbstract;

  constructor(
    private readonly settings: ThrottleSettings,
    options: ThrottleOptions = {},
  ) {
    const duration = Math.max(1, Math.round(settings.windowMinutes * 60));
    const prefix = options.keyPrefix ?? 'portcullis:signin';
    const make = (name: string, points: number): RateLimiterAbstract => {
      const base = { points, duration, keyPrefix: `${prefix}:${name}` };
      if (!options.redis) return new RateLimiterMemory(base);
      // If Redis is down, counting in memory beats refusing every sign-in or counting nothing.
      return new RateLimiterRedis({ ...base, storeClient: options.redis, useRedisPackage: true, insuranceLimiter: new RateLimiterMemory(base) });
    };
    this.failures = make('user', settings.maxFailuresPerUser);
    this.attempts = make('ip', settings.maxAttemptsPerIp);
  }

  /** Counts an attempt from `ip` and throws TooManyAttemptsError when either limit is reached. Call before checking the password. */
  async check(usernameKey: string, ip: string): Promise<void> {
    try {
      await this.attempts.consume(ip);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw new TooManyAttemptsError(retryAfter(err));
      throw err;
    }
    const failures = await this.failures.get(usernameKey);
    if (failures && failures.consumedPoints >= this.settings.maxFailuresPerUser) throw new TooManyAttemptsError(retryAfter(failures));
  }

  async recordFailure(usernameKey: string): Promise<void> {
    try {
      await this.failures.consume(usernameKey);
    } catch (err) {
      // Over the limit already: the next check refuses, nothing more to count.
      if (!(err instanceof RateLimiterRes)) throw err;
    }
  }

  async recordSuccess(usernameKey: string): Promise<void> {
    await this.failures.delete(usernameKey);
  }
}
