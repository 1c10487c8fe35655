// The uploader's policy for chunks the server turns away (503 busy, 502/504 from a balancer): bounded, growing,
// and the server's Retry-After honoured.
import { describe, expect, it } from 'vitest';
import { BUSY_RETRY, busyRetryDelay, parseRetryAfter } from '../../../src/client/upload-retry.js';

const now = Date.parse('2026-12-02T08:00:00Z');

describe('busyRetryDelay', () => {
  it('doubles from 1 s up to 30 s, then gives up after maxRetries (no longer retrying for ever)', () => {
    const waits = Array.from({ length: BUSY_RETRY.maxRetries + 2 }, (_, i) => busyRetryDelay(i, null, now));
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, undefined, undefined]);
  });

  it("honours the server's Retry-After, in seconds or as a date, cut to 2 minutes", () => {
    expect(busyRetryDelay(0, '7', now)).toBe(7000);
    expect(busyRetryDelay(5, '0', now)).toBe(0);
    expect(busyRetryDelay(2, 'Wed, 02 Dec 2026 08:00:12 GMT', now)).toBe(12_000);
    expect(busyRetryDelay(0, '3600', now)).toBe(120_000);
    // Unreadable: as if absent.
    expect(busyRetryDelay(1, 'soon', now)).toBe(2000);
    // The bound holds whatever the server says.
    expect(busyRetryDelay(BUSY_RETRY.maxRetries, '1', now)).toBeUndefined();
  });

  it('reads Retry-After', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter(' 3 ', now)).toBe(3000);
    expect(parseRetryAfter('Wed, 02 Dec 2026 07:59:00 GMT', now)).toBe(0);
  });
});
