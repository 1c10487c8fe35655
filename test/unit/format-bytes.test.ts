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
