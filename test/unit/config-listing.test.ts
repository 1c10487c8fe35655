// Issue 10, item 12: LISTING_MAX_ENTRIES, the cap on the entries one folder page reads.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';

describe('LISTING_MAX_ENTRIES', () => {
  it('defaults to 100,000, takes 1–10,000,000, and refuses anything else by name', () => {
    expect(loadConfig({}).listing).toEqual({ maxEntries: 100_000 });
    expect(loadConfig({ LISTING_MAX_ENTRIES: '500' }).listing).toEqual({ maxEntries: 500 });
    for (const bad of ['0', '-1', '10000001', '1e5', 'many']) {
      expect(() => loadConfig({ LISTING_MAX_ENTRIES: bad }), bad).toThrow(/^LISTING_MAX_ENTRIES: expected an integer 1–10000000/);
    }
  });
});
