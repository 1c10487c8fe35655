// The operations UI's sentences and path parsing (src/client/ops), without a browser.
import { describe, expect, it } from 'vitest';
import type { Job, Measure } from '../../../src/client/ops/api.js';
import { deleteSummary } from '../../../src/client/ops/dialogs.js';
import { placeOfHref } from '../../../src/client/ops/index.js';
import { jobOutcome } from '../../../src/client/ops/jobs.js';
import { measureText } from '../../../src/client/ops/properties.js';
import type { Item } from '../../../src/client/ops/selection.js';

const item = (name: string, isDir: boolean, bytes = 0): Item => ({ name, isDir, bytes, row: {} as HTMLElement });
const measure = (files: number, bytes: number, complete = true): Measure => ({ items: files + 1, files, folders: 1, bytes, complete });

describe('delete summary', () => {
  const items = [item('a.txt', false, 100 << 20), item('b.txt', false, 100 << 20), item('Photos', true)];

  it('says what will go, folders counted: "3 items, 1 folder with 214 files, 1.2 GB"', () => {
    const m = new Map([['Photos', measure(214, 1.2 * 1024 ** 3 - (200 << 20))]]);
    expect(deleteSummary(items, m)).toBe('3 items, 1 folder with 214 files, 1.2 GB');
  });

  it('says counting… until the folders are counted, and says so when they could not be', () => {
    expect(deleteSummary(items, new Map())).toBe('3 items, 1 folder (counting…), 200 MB in files, folder contents not counted');
    expect(deleteSummary(items, new Map([['Photos', null]]))).toBe('3 items, 1 folder, 200 MB in files, folder contents not counted');
  });

  it('says "more than" when a count stopped at its limit, and needs no folder part for files alone', () => {
    expect(deleteSummary([item('Big', true)], new Map([['Big', measure(5000, 2048, false)]]))).toBe('1 item, 1 folder with more than 5,000 files, 2.0 KB');
    expect(deleteSummary([item('r.pdf', false, 588)], new Map())).toBe('1 item, 588 B');
  });
});

describe('job outcome', () => {
  const job = (over: Partial<Job>): Job => ({
    id: '1',
    kind: 'copy',
    state: 'done',
    total: { items: 3, bytes: 0 },
    done: { items: 3, bytes: 0 },
    current: null,
    failures: [],
    results: [],
    startedAt: '2026-12-02T04:00:00Z',
    finishedAt: '2026-12-02T04:00:01Z',
    ...over,
  });

  it('counts each action and the failures', () => {
    const results = [
      { from: 'a', to: 'x/a', action: 'copied' },
      { from: 'b', to: 'x/b (2)', action: 'kept-both' },
      { from: 'c', to: null, action: 'skipped' },
    ];
    expect(jobOutcome(job({ results }))).toBe('Copied: 1 copied, 1 kept as a second copy, 1 skipped.');
    expect(jobOutcome(job({ kind: 'delete', results: [{ from: 'a', to: null, action: 'deleted' }], failures: [{ path: 'b', code: 'in-use', message: 'in use' }] }))).toBe('Deleted: 1 deleted; 1 item failed.');
    expect(jobOutcome(job({ state: 'cancelled', kind: 'move', results: [{ from: 'a', to: 'x/a', action: 'moved' }] }))).toBe('Cancelled: 1 moved. What was done stays done.');
  });
});

describe('helpers', () => {
  it('reads a breadcrumb link as a drive and path, decoding each segment once', () => {
    expect(placeOfHref('/browse/home/')).toEqual({ drive: 'home', path: [] });
    expect(placeOfHref('/browse/shared/Projects/Kept%20%E2%9C%93/100%25/')).toEqual({ drive: 'shared', path: ['Projects', 'Kept ✓', '100%'] });
    expect(placeOfHref('/zip/home/')).toBeUndefined();
  });

  it('words a folder count', () => {
    expect(measureText({ items: 215, files: 214, folders: 1, bytes: 1024 ** 3, complete: true })).toBe('214 files in 1 folder, 1.0 GB');
    expect(measureText({ items: 9, files: 8, folders: 1, bytes: 10, complete: false, limit: 'time' })).toBe('at least 8 files in 1 folder, 10 B (counting stopped: it took too long)');
  });
});
