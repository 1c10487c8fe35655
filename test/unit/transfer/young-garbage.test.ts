import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { canScavenge, noteBodyBytes, SCAVENGE_EVERY_BYTES } from '../../../src/files/young-garbage.js';

/** Minor (young-generation) collections seen while `work` runs. */
async function scavengesDuring(work: () => void): Promise<number> {
  const seen: PerformanceEntry[] = [];
  const obs = new PerformanceObserver((list) => seen.push(...list.getEntries()));
  obs.observe({ entryTypes: ['gc'] });
  work();
  // GC entries are delivered asynchronously.
  await new Promise((resolve) => setTimeout(resolve, 50));
  obs.disconnect();
  return seen.filter((e) => (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR).length;
}

describe('scavenging request-body garbage', () => {
  it('can reach V8\'s gc() in a process started without --expose-gc', () => {
    expect(canScavenge).toBe(true);
  });

  it('scavenges once per SCAVENGE_EVERY_BYTES of body, not per chunk', async () => {
    const chunk = 64 << 10;
    const perScavenge = SCAVENGE_EVERY_BYTES / chunk;
    const n = await scavengesDuring(() => {
      for (let i = 0; i < perScavenge * 3; i++) noteBodyBytes(chunk);
    });
    // Exactly three from us; V8 may add one of its own.
    expect(n).toBeGreaterThanOrEqual(3);
    expect(n).toBeLessThanOrEqual(4);
    expect(await scavengesDuring(() => noteBodyBytes(chunk))).toBeLessThanOrEqual(1);
  });
});
