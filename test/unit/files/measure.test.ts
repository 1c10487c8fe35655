// measureFolder's bookkeeping and stopping rules, over an in-memory tree that records what was asked of it
// (the real walk against Samba is in test/integration/files/properties.test.ts).
import { describe, expect, it } from 'vitest';
import { measureFolder } from '../../../src/files/measure.js';
import { SmbAccessDeniedError, type DirEntry } from '../../../src/smb/index.js';

type Tree = { [name: string]: number | Tree };

const entry = (name: string, value: number | Tree): DirEntry => {
  const t = new Date(0);
  return { name, type: typeof value === 'number' ? 'file' : 'dir', size: typeof value === 'number' ? value : 0, mtime: t, ctime: t, birthtime: t, atime: t, hidden: false, readonly: false, attributes: 0 };
};

/** Entries in batches of `batch`; records every folder opened, every batch served and every folder closed. */
function served(tree: Tree, batch = 2, denied: string[] = []) {
  const log: string[] = [];
  const entriesOf = async function* (path: string): AsyncGenerator<DirEntry[]> {
    if (denied.includes(path)) throw new SmbAccessDeniedError(0xc0000022 >>> 0, 'denied');
    let node: Tree = tree;
    for (const part of path.split('/').filter(Boolean)) node = node[part] as Tree;
    log.push(`open ${path}`);
    try {
      const list = Object.entries(node).map(([n, v]) => entry(n, v));
      for (let i = 0; i < list.length; i += batch) {
        log.push(`batch ${path}`);
        yield list.slice(i, i + batch);
      }
    } finally {
      log.push(`close ${path}`);
    }
  };
  return { entriesOf, log };
}

const TREE: Tree = { 'a.txt': 10, 'b.txt': 20, sub: { 'c.txt': 5, deeper: { 'd.txt': 1 } }, '.~portcullis-0123.x.part': 99 };
const UNLIMITED = { maxEntries: 1000, maxMs: 60_000 };

describe('measureFolder', () => {
  it('counts files, folders and bytes all the way down, leaving out upload temporaries', async () => {
    const { entriesOf, log } = served({ top: TREE });
    expect(await measureFolder(entriesOf, 'top', UNLIMITED)).toEqual({ items: 6, files: 4, folders: 2, bytes: 36, complete: true });
    expect(log.filter((l) => l.startsWith('open'))).toEqual(['open top', 'open top/sub', 'open top/sub/deeper']);
    expect(log.filter((l) => l.startsWith('close'))).toHaveLength(3);
  });

  it('stops at the entry cap without asking for the next batch, and closes the folder', async () => {
    const { entriesOf, log } = served({ top: TREE });
    const m = await measureFolder(entriesOf, 'top', { maxEntries: 2, maxMs: 60_000 });
    expect(m).toEqual({ items: 2, files: 2, folders: 0, bytes: 30, complete: false, limit: 'entries' });
    expect(log).toEqual(['open top', 'batch top', 'batch top', 'close top']);
  });

  it('is complete when the tree holds exactly the cap', async () => {
    const { entriesOf } = served({ 'a.txt': 1, 'b.txt': 2 });
    expect(await measureFolder(entriesOf, '', { maxEntries: 2, maxMs: 60_000 })).toMatchObject({ items: 2, complete: true });
  });

  it('stops at the time cap after the batch that crossed it', async () => {
    const { entriesOf, log } = served({ top: TREE });
    let t = 0;
    const clock = (): number => t;
    const timed = async function* (path: string): AsyncGenerator<DirEntry[]> {
      for await (const b of entriesOf(path)) {
        t += 400; // each directory response "takes" 400 ms
        yield b;
      }
    };
    const m = await measureFolder(timed, 'top', { maxEntries: 1000, maxMs: 1000 }, undefined, clock);
    expect(m).toMatchObject({ complete: false, limit: 'time', items: 5 });
    expect(log.at(-1)).toBe('close top/sub');
  });

  it('rejects with the abort reason and asks for nothing more once the signal fires', async () => {
    const { entriesOf, log } = served({ top: TREE });
    const ac = new AbortController();
    const aborting = async function* (path: string): AsyncGenerator<DirEntry[]> {
      for await (const b of entriesOf(path)) {
        ac.abort(new Error('gone'));
        yield b;
      }
    };
    await expect(measureFolder(aborting, 'top', UNLIMITED, ac.signal)).rejects.toThrow('gone');
    expect(log).toEqual(['open top', 'batch top', 'close top']);
  });

  it('counts a subfolder it may not list as unreadable and goes on; the folder itself denied is an error', async () => {
    const { entriesOf } = served({ top: TREE }, 2, ['top/sub']);
    expect(await measureFolder(entriesOf, 'top', UNLIMITED)).toEqual({ items: 3, files: 2, folders: 1, bytes: 30, complete: true, unreadable: 1 });
    await expect(measureFolder(served({ top: TREE }, 2, ['top']).entriesOf, 'top', UNLIMITED)).rejects.toBeInstanceOf(SmbAccessDeniedError);
  });
});
