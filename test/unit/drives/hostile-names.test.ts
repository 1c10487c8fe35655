// The shared hostile corpus (test/fixtures/hostile-names.ts) against the two pure gatekeepers: parseDrivePath
// (every route's path) and nameProblem (every upload's name). Integration and Chromium tests drive the same
// corpus through the real app; this file pins down that the expectations in the corpus are what the code says.
import { describe, expect, it } from 'vitest';
import { parseDrivePath } from '../../../src/drives/index.js';
import { BadRequestError } from '../../../src/errors/index.js';
import { nameProblem, tempName } from '../../../src/files/names.js';
import { HOSTILE_COUNT, HOSTILE_NAMES, HOSTILE_PATHS, RULES } from '../../fixtures/hostile-names.js';

function parseRefusal(raw: string): BadRequestError {
  try {
    parseDrivePath(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(BadRequestError);
    return err as BadRequestError;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
}

const label = (s: string): string => JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…(${s.length})` : s);

describe('the hostile corpus', () => {
  it('holds at least 300 entries in every category the issue lists', () => {
    expect(HOSTILE_COUNT).toBeGreaterThanOrEqual(300);
    const categories = new Set([...HOSTILE_NAMES, ...HOSTILE_PATHS].map((e) => e.category));
    expect([...categories].sort()).toEqual(['control', 'length', 'markup', 'punctuation', 'stream', 'traversal', 'unicode', 'windows']);
    // Every name once: a duplicate would make the integration test's uploads collide.
    expect(new Set(HOSTILE_NAMES.map((e) => e.name)).size).toBe(HOSTILE_NAMES.length);
    // The server compares names case-insensitively: legal names must not collide that way either.
    const legal = HOSTILE_NAMES.filter((e) => e.outcome === 'legal').map((e) => e.name.toLowerCase());
    expect(new Set(legal).size).toBe(legal.length);
  });

  it('the temporary of every legal name fits the 255 UTF-8 bytes a Linux file server holds', () => {
    for (const entry of HOSTILE_NAMES) {
      if (entry.outcome !== 'legal') continue;
      const temp = tempName(entry.name);
      expect(Buffer.byteLength(temp, 'utf8'), label(entry.name)).toBeLessThanOrEqual(255);
      expect(temp).not.toMatch(/\p{Cs}/u);
    }
  });

  describe.each(HOSTILE_NAMES.map((e) => [label(e.name), e] as const))('name %s', (_label, entry) => {
    it(entry.outcome === 'legal' ? 'is legal and parses back exactly' : `is refused (${entry.outcome}, ${entry.rule})`, () => {
      const asUrl = encodeURIComponent(entry.name);
      if (entry.outcome === 'legal') {
        expect(nameProblem(entry.name)).toBeUndefined();
        expect(parseDrivePath(asUrl)).toEqual([entry.name]);
        return;
      }
      expect(nameProblem(entry.name)).toMatch(RULES[entry.rule]);
      if (entry.outcome === 'refused') {
        expect(parseRefusal(asUrl).message).toMatch(RULES[entry.rule]);
      } else {
        // Readable when the server already has it: Portcullis only refuses to create it.
        expect(parseDrivePath(asUrl)).toEqual([entry.name]);
      }
    });
  });

  it.each(HOSTILE_PATHS.map((e) => [label(e.raw), e] as const))('path %s', (_label, entry) => {
    if (entry.outcome === 'refused') {
      expect(parseRefusal(entry.raw).message).toMatch(RULES[entry.rule]);
      return;
    }
    for (const segment of parseDrivePath(entry.raw)) {
      expect(segment).not.toMatch(/^[. ]+$/u);
      expect(segment).not.toMatch(/[\\/:\0]/u);
    }
  });
});
