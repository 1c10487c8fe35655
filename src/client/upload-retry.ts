// When the uploader tries a resumable chunk again after the server turned it away (503 busy, 502/504 from a load
// balancer that lost an instance, 423 or upload_busy while an earlier try is still being written). Before, it
// tried every second for ever: during a long outage the page never said anything was wrong. Now the waits grow
// (1, 2, 4 … 30 s), a Retry-After from the server is honoured (it knows how long it will be busy), and after
// MAX_BUSY_RETRIES the file is marked failed with a Retry button. Pure, so the policy is unit-tested on its own.

export interface RetryPolicy {
  /** Tries after the first one before giving up. */
  maxRetries: number;
  /** The first wait; each next one doubles… */
  baseMs: number;
  /** …up to this. */
  maxMs: number;
  /** A Retry-After longer than this is cut to it (a page should not sit silent for an hour). */
  maxRetryAfterMs: number;
}

export const BUSY_RETRY: RetryPolicy = { maxRetries: 8, baseMs: 1000, maxMs: 30_000, maxRetryAfterMs: 120_000 };

/** A Retry-After header (delay in seconds, or an HTTP date) in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/u.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * How long to wait before retry number `retry` (0 for the first retry) of a turned-away chunk; undefined: stop
 * trying. The server's Retry-After wins when it sent one; otherwise the wait doubles from `baseMs` up to `maxMs`.
 */
export function busyRetryDelay(retry: number, retryAfter: string | null, now: number, policy: RetryPolicy = BUSY_RETRY): number | undefined {
  if (retry >= policy.maxRetries) return undefined;
  const asked = parseRetryAfter(retryAfter, now);
  if (asked !== undefined) return Math.min(asked, policy.maxRetryAfterMs);
  return Math.min(policy.maxMs, policy.baseMs * 2 ** retry);
}
