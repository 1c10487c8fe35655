// The search walk over an in-memory tree (the SMB side is the integration test's): breadth-first order, each
// limit stopping it and saying which, the server pattern used only where no subfolder is entered; and the
// search slots: per-user and total caps decided atomically, a new search from the same tab replacing the old.
import { describe, expect, it } from 'vitest';
import type { DirEntry } from '../../../src/smb/index.js';
import { nameMatcher } from '../../../src/files/search-match.js';
import { searchTree, type SearchEntriesOf, type SearchHit, type SearchLimits } from '../../../src/files/search.js';
import { SearchBusyError, SearchSlots } from '../../../src/files/search-slots.js';

type Tree = { [name: string]: Tree | string };
const entry = (name: string, dir: boolean): DirEntry => ({
  name, type: dir ? 'dir' : 'file', size: dir ? 0 : 1, mtime: new Date(0), ctime: new Date(0), birthtime: new Date(0), atime: new Date(0), hidden: false, readonly: false, attributes: dir ? 0x10 : 0x20,
});
function fakeTree(tree: Tree, log: { path: string; pattern: string | undefined }[] = []): SearchEntriesOf {
  return async function* (path, options) {
    log.push({ path, pattern: options.pattern });
    let node: Tree | string | undefined = tree;
    for (const seg of path.split('/').filter(Boolean)) node = typeof node === 'object' ? node[seg] : undefined;
    if (typeof node !== 'object') throw new Error(`no folder ${path}`);
    await Promise.resolve();
    yield Object.entries(node).map(([n, v]) => entry(n, typeof v === 'object'));
  };
}
const TREE: Tree = {
  'Report 2024.pdf': 'x',
  A: { 'notes.txt': 'x', B: { 'report old.txt': 'x', C: { 'Réport final.docx': 'x', '2024 plan.txt': 'x' } } },
  D: { 'other.txt': 'x' },
};
const ALL: SearchLimits = { maxMs: 60_000, maxDepth: 100, maxVisited: 1_000_000, maxResults: 1000 };
async function run(query: string, limits: Partial<SearchLimits> = {}, log?: { path: string; pattern: string | undefined }[]) {
  const hits: SearchHit[] = [];
  const summary = await searchTree(fakeTree(TREE, log), '', nameMatcher(query), { ...ALL, ...limits }, (h) => hits.push(h));
  return { hits: hits.map((h) => [...h.folder, h.name].join('/')), summary };
}

describe('searchTree', () => {
  it('finds matches at every level, accents and case folded, shallow ones first', async () => {
    const { hits, summary } = await run('report');
    expect(hits).toEqual(['Report 2024.pdf', 'A/B/report old.txt', 'A/B/C/Réport final.docx']);
    expect(summary).toMatchObject({ results: 3, complete: true, folders: 5, visited: 10 });
    expect(summary.limit).toBeUndefined();
  });

  it('stops at the result limit, knowing there is more', async () => {
    const { hits, summary } = await run('report', { maxResults: 2 });
    expect(hits).toHaveLength(2);
    expect(summary).toMatchObject({ complete: false, limit: 'results' });
    expect((await run('report', { maxResults: 3 })).summary.complete).toBe(true);
  });

  it('stops at the depth limit, and lets the server filter the last level when it can', async () => {
    const log: { path: string; pattern: string | undefined }[] = [];
    const { hits, summary } = await run('2024', { maxDepth: 2 }, log);
    expect(hits).toEqual(['Report 2024.pdf']);
    expect(summary).toMatchObject({ complete: false, limit: 'depth' });
    expect(log.find((l) => l.path === '')?.pattern).toBeUndefined();
    expect(log.filter((l) => l.path !== '').map((l) => l.pattern)).toEqual(['*2024*', '*2024*']);
    // With letters the server cannot fold accents, so every level is read whole.
    const letters: typeof log = [];
    await run('report', { maxDepth: 2 }, letters);
    expect(letters.every((l) => l.pattern === undefined)).toBe(true);
  });

  it('stops at the visited-entries limit and at the time limit', async () => {
    expect((await run('report', { maxVisited: 4 })).summary).toMatchObject({ visited: 4, complete: false, limit: 'entries' });
    const slow: SearchEntriesOf = async function* (_path, { signal }) {
      await new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('cancelled')), { once: true }));
      yield [];
    };
    const summary = await searchTree(slow, '', nameMatcher('x'), { ...ALL, maxMs: 20 }, () => undefined);
    expect(summary).toMatchObject({ complete: false, limit: 'time' });
  });

  it('rejects with the reason when the caller aborts, after every read has settled', async () => {
    let open = 0;
    const reads: SearchEntriesOf = async function* (_path, { signal }) {
      open++;
      try {
        await new Promise((_resolve, reject) => signal.addEventListener('abort', () => setTimeout(() => reject(new Error('cancelled')), 5), { once: true }));
        yield [];
      } finally {
        open--;
      }
    };
    const ac = new AbortController();
    const done = searchTree(reads, '', nameMatcher('x'), ALL, () => undefined, ac.signal);
    ac.abort(new Error('gone'));
    await expect(done).rejects.toThrow('gone');
    expect(open).toBe(0);
  });
});

describe('SearchSlots', () => {
  it('lets exactly perUser searches of one user and total overall through, however many arrive at once', async () => {
    const slots = new SearchSlots({ perUser: 2, total: 3 });
    const tries = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => Promise.resolve().then(() => slots.acquire('alice', `t${i}`))));
    expect(tries.filter((t) => t.status === 'fulfilled')).toHaveLength(2);
    expect(tries.filter((t) => t.status === 'rejected').every((t) => t.reason instanceof SearchBusyError && t.reason.status === 429)).toBe(true);
    const bob = await Promise.allSettled([1, 2, 3].map((i) => Promise.resolve().then(() => slots.acquire('Bob', `b${i}`))));
    expect(bob.filter((t) => t.status === 'fulfilled')).toHaveLength(1);
    expect(slots.stats.running).toBe(3);
  });

  it('a new search from the same tab cancels the old one and takes its slot; release is idempotent', () => {
    const slots = new SearchSlots({ perUser: 1, total: 10 });
    const first = slots.acquire('alice', 'tab1');
    const second = slots.acquire('ALICE', 'tab1');
    expect(first.signal.aborted).toBe(true);
    expect(second.signal.aborted).toBe(false);
    first.release();
    expect(slots.stats.running).toBe(1);
    expect(() => slots.acquire('alice', 'tab2')).toThrow(SearchBusyError);
    second.release();
    second.release();
    expect(slots.stats.running).toBe(0);
    slots.acquire('alice', 'tab2');
  });
});
