import type { RedisClientType } from 'redis';
import { ReplayCache, type ReplayGuard } from '../krb/index.js';

const PREFIX = 'portcullis:negotiate-replay:';

/**
 * Behind a balancer, a captured `Authorization: Negotiate` header replayed to another instance would meet a
 * process that never saw it. So an authenticator is also claimed in Redis (SET NX, living as long as the skew
 * window), and whichever instance sees it second refuses it. This process's own cache answers a repeat to the
 * same instance without a round trip. Redis failing means the header is not accepted (the error propagates):
 * a replay must never pass because the shared memory was unreachable.
 */
export class SharedReplayGuard implements ReplayGuard {
  private readonly local = new ReplayCache();

  constructor(private readonly redis: RedisClientType) {}

  async add(key: string, until: number, now: number): Promise<boolean> {
    if (!this.local.add(key, until, now)) return false;
    const claimed = await this.redis.set(PREFIX + key, '1', { expiration: { type: 'PX', value: Math.max(1, Math.ceil(until - now)) }, condition: 'NX' });
    return claimed === 'OK';
  }
}
