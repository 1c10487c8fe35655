import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/format/bytes.js';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KB'],
    [7728, '7.5 KB'],
    [127_481, '124 KB'],
    [64 * 1024 ** 2, '64 MB'],
    [300 * 1024 ** 2, '300 MB'],
    [5 * 1024 ** 3, '5.0 GB'],
    [2 ** 60, '1024 PB'],
  ])('%d bytes → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('formatBytes in a language', () => {
  it.each([
    [0, 'de', '0 B'],
    [1536, 'de', '1,5 KB'],
    [1.5 * 1024 ** 2, 'de', '1,5 MB'],
    [127_481, 'de', '124 KB'],
    [2 ** 60, 'de', '1024 PB'],
    [1536, 'en', '1.5 KB'],
  ])('%d bytes in %s → %s', (bytes, lang, text) => {
    expect(formatBytes(bytes, lang)).toBe(text);
  });

  it('English is what it was before the language argument, for sizes across the range', () => {
    const before = (bytes: number): string => {
      if (bytes < 1024) return `${bytes} B`;
      const units = ['KB', 'MB', 'GB', 'TB', 'PB'];
      let value = bytes / 1024;
      let unit = 0;
      while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit++;
      }
      return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
    };
    for (let bytes = 0; bytes < 2 ** 52; bytes = Math.floor(bytes * 1.37) + 7) expect(formatBytes(bytes), String(bytes)).toBe(before(bytes));
  });
});
