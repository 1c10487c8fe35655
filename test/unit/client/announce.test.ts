// The upload's live-region steps (src/client/announce.ts): said at 25, 50 and 75 %, once each, never at 0 or 100
// (the start and the end have sentences of their own), and a jump over several steps says the last one crossed.
import { describe, expect, it } from 'vitest';
import { progressStep } from '../../../src/client/announce.js';

describe('progressStep', () => {
  it('says each quarter once as progress climbs', () => {
    const said: number[] = [];
    let before = 0;
    for (let pct = 0; pct <= 100; pct += 3) {
      const step = progressStep(before, pct);
      if (step !== undefined) said.push(step);
      before = pct;
    }
    expect(said).toEqual([25, 50, 75]);
  });

  it('says nothing at the start, at the end, or without progress', () => {
    expect(progressStep(0, 0)).toBeUndefined();
    expect(progressStep(0, 24)).toBeUndefined();
    expect(progressStep(80, 100)).toBeUndefined();
    expect(progressStep(50, 50)).toBeUndefined();
    expect(progressStep(60, 40)).toBeUndefined();
  });

  it('a jump over several steps says the highest crossed', () => {
    expect(progressStep(10, 80)).toBe(75);
    expect(progressStep(0, 100)).toBe(75);
    expect(progressStep(24, 25)).toBe(25);
  });
});
