// The search name matcher: case- and accent-insensitive substring, `*` and `?` wildcards over the whole name,
// and the server-side pattern only where the server's matching provably agrees with ours.
import { describe, expect, it } from 'vitest';
import { foldName, nameMatcher, serverPatternOf } from '../../../src/files/search-match.js';

describe('foldName', () => {
  it('drops accents (precomposed or combining) and case', () => {
    expect(foldName('Café Crème')).toBe('cafe creme');
    expect(foldName('Zoe\u0308')).toBe('zoe');
    expect(foldName('ÉTÉ')).toBe('ete');
    expect(foldName('naïve façade')).toBe('naive facade');
  });
});

describe('nameMatcher', () => {
  it('is a substring match without wildcards, whatever the accents and case on either side', () => {
    const m = nameMatcher('cafe');
    for (const n of ['Café menu – été.txt', 'CAFE.txt', 'my cafe', 'Cafe\u0301 (NFD)']) expect(m(n)).toBe(true);
    expect(m('Caffè')).toBe(false);
    const accented = nameMatcher('  ÉTÉ ');
    expect(accented.query).toBe('ÉTÉ');
    expect(accented('Café menu – été.txt')).toBe(true);
    expect(nameMatcher('zoë')('Zoe\u0308 (combining).txt')).toBe(true);
  });

  it('with * or ? matches the whole name', () => {
    const pdf = nameMatcher('*.PDF');
    expect(pdf('Report.pdf')).toBe(true);
    expect(pdf('Report.pdf.txt')).toBe(false);
    const starts = nameMatcher('rep*');
    expect(starts('Report.pdf')).toBe(true);
    expect(starts('My report.pdf')).toBe(false);
    const one = nameMatcher('note-00?.txt');
    expect(one('note-007.txt')).toBe(true);
    expect(one('note-0071.txt')).toBe(false);
    expect(nameMatcher('é?é')('ete')).toBe(true);
  });

  it('treats regex characters literally', () => {
    expect(nameMatcher('a+b (1)')('x a+b (1).txt')).toBe(true);
    expect(nameMatcher('a.c')('abc')).toBe(false);
    expect(nameMatcher('[x]*')('[x] notes')).toBe(true);
  });

  it('matches nothing for an empty query', () => {
    expect(nameMatcher('   ')('anything')).toBe(false);
  });
});

describe('serverPatternOf', () => {
  it('lets the server filter only queries without letters or non-ASCII', () => {
    expect(serverPatternOf('2024')).toBe('*2024*');
    expect(serverPatternOf('-0?7.*')).toBe('-0?7.*');
    expect(serverPatternOf('note')).toBeUndefined();
    expect(serverPatternOf('é')).toBeUndefined();
    expect(serverPatternOf('1<2')).toBeUndefined();
    expect(nameMatcher('report').serverPattern).toBeUndefined();
  });
});
