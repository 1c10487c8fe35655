// Issue 14, languages: which shipped language a browser's Accept-Language gets.
import { describe, expect, it } from 'vitest';
import { LANGUAGES, negotiateLanguage } from '../../../src/i18n/index.js';

const pick = (header: string | undefined): string => negotiateLanguage(header, LANGUAGES, 'en');

describe('Accept-Language negotiation', () => {
  it('no header, an empty one, or nothing we ship → English', () => {
    expect(pick(undefined)).toBe('en');
    expect(pick('')).toBe('en');
    expect(pick('fr-FR, fr;q=0.9, ja;q=0.8')).toBe('en');
    expect(pick('*')).toBe('en');
  });

  it('a region falls back to its language: de-AT, de-CH and DE-de → German; en-GB → English', () => {
    expect(pick('de-AT')).toBe('de');
    expect(pick('de-CH,fr;q=0.5')).toBe('de');
    expect(pick('DE-de')).toBe('de');
    expect(pick('en-GB,de;q=0.8')).toBe('en');
  });

  it('honours q-values, not the order written, and keeps the order among equal ones', () => {
    expect(pick('en;q=0.5, de;q=0.9')).toBe('de');
    expect(pick('fr;q=1, en;q=0.2, de;q=0.7')).toBe('de');
    expect(pick('de, en')).toBe('de');
    expect(pick('en, de')).toBe('en');
    expect(pick('de;q=0.8, en;q=0.8')).toBe('de');
    expect(pick('de ; q=0.9 , en ; q=0.4')).toBe('de');
  });

  it('q=0 means "not this one"; a malformed q counts as q=0', () => {
    expect(pick('de;q=0, en;q=0.1')).toBe('en');
    expect(pick('de;q=0')).toBe('en');
    expect(pick('de;q=abc, en;q=0.1')).toBe('en');
  });

  it('a wildcard after a real choice does not override it', () => {
    expect(pick('fr, *;q=0.5, de;q=0.4')).toBe('en');
    expect(pick('de;q=0.6, *;q=0.5')).toBe('de');
  });
});
