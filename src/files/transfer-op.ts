/**
 * Copy and move, for one or several items into one destination folder, on one drive or between two.
 *
 * - Same share (one drive, or two drives on one share of one server): a move is a rename on the server; a file
 *   copy is a server-side copy (FSCTL_SRV_COPYCHUNK), so its bytes never pass through the app.
 * - Another share of the same server: files are copied by the server too (COPYCHUNK between the two shares of
 *   the session), if it will; otherwise, and between servers, they are streamed: read from one connection and
 *   written to the other. A move deletes each original once its copy is complete.
 * - Every file is written under a hidden temporary name and renamed into place only when whole, so a failure or
 *   a cancel never leaves a short file under the final name.
 * - Name clashes at the top level follow the caller's resolution (skip, replace, keep both); replacing a folder
 *   merges into it, replacing the files inside it.
 * - Each item is reported as it is done or fails; cancelling stops between items (and within a large file's
 *   copy), and nothing done is undone.
 */
import { Readable } from 'node:stream';
import { SmbExistsError, SmbNotEmptyError, SmbNotFoundError, SmbNotSupportedError, type DirEntry } from '../smb/index.js';
import type { DriveSession } from './drive-session.js';
import { numberedName, tempName } from './names.js';
import { CancelledError, OpError, opErrorOf } from './op-errors.js';
import { failureOf, forEachLimited, type OpAction, type OpProgress } from './op-progress.js';
import { said } from '../errors/index.js';
import { countTree, type TreeTotal } from './tree-count.js';
import { join } from './upload.js';

export type Resolution = 'skip' | 'replace' | 'keep-both';
export const RESOLUTIONS: readonly Resolution[] = ['skip', 'replace', 'keep-both'];

/** Files copied at once inside a folder: server-side copies of small files are round-trip bound. */
export const COPY_CONCURRENCY = 8;
const KEEP_BOTH_TRIES = 1000;

const leaf = (rel: string): string => rel.slice(rel.lastIndexOf('/') + 1);

/** One side of a transfer: a drive's face on the connection and its base folder inside the share. */
export interface Side {
  d: DriveSession;
  base: string;
}

export interface TransferPlan {
  kind: 'copy' | 'move';
  from: Side;
  to: Side;
  /** Paths inside the source drive. */
  items: string[];
  /** Destination folder inside the destination drive. */
  folder: string;
  resolution(name: string): Resolution | undefined;
}

async function statOrUndefined(d: DriveSession, path: string): Promise<DirEntry | undefined> {
  try {
    return await d.stat(path);
  } catch (err) {
    if (err instanceof SmbNotFoundError) return undefined;
    throw err;
  }
}

/** The chunks of `src`, counted into `onBytes` as they pass. */
async function* counted(src: Readable, onBytes: (n: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of src) {
    const b = chunk as Buffer;
    onBytes(b.length);
    yield b;
  }
}

export class Transfer {
  private readonly sameShare: boolean;
  private readonly p: OpProgress;

  constructor(
    private readonly plan: TransferPlan,
    p: OpProgress,
  ) {
    this.p = p;
    this.sameShare = plan.from.d.sameShareAs(plan.to.d);
  }

  private src(rel: string): string {
    return join(this.plan.from.base, rel);
  }
  private dst(rel: string): string {
    return join(this.plan.to.base, rel);
  }

  /** Both paths name the same item on the same share (case-insensitively, as SMB compares names). */
  private sameItem(srcRel: string, dstRel: string): boolean {
    return this.sameShare && this.src(srcRel).toLowerCase() === this.dst(dstRel).toLowerCase();
  }

  async run(): Promise<void> {
    const { plan, p } = this;
    // A rename moves a whole tree at once: counting it first would cost more than the move.
    if (!(plan.kind === 'move' && this.sameShare)) {
      const total: TreeTotal = { items: 0, bytes: 0 };
      for (const rel of plan.items) await countTree(plan.from.d, this.src(rel), total, p.signal);
      p.setTotal(total);
    } else {
      p.setTotal({ items: plan.items.length, bytes: 0 });
    }
    for (const rel of plan.items) {
      if (p.signal.aborted) break;
      try {
        await this.topLevel(rel);
      } catch (err) {
        if (err instanceof CancelledError || p.signal.aborted) break;
        this.fail(rel, err);
      }
    }
    p.setCurrent(null);
    if (p.signal.aborted) throw new CancelledError();
  }

  private fail(rel: string, err: unknown): void {
    this.failuresSeen++;
    const e = opErrorOf(err, leaf(rel));
    this.p.failed(failureOf(rel, e));
  }

  private async record(from: string, to: string | null, action: OpAction): Promise<void> {
    this.p.itemDone({ from, to, action });
    await this.p.afterItem();
  }

  private async topLevel(rel: string): Promise<void> {
    const { plan, p } = this;
    const name = leaf(rel);
    p.setCurrent(rel);
    const source = await plan.from.d.stat(this.src(rel));
    let target = join(plan.folder, name);
    const existing = await statOrUndefined(plan.to.d, this.dst(target));
    let action: OpAction = plan.kind === 'copy' ? 'copied' : 'moved';
    let merge = false;
    if (existing !== undefined) {
      const same = this.sameItem(rel, target);
      if (same && plan.kind === 'move') return this.record(rel, target, 'skipped');
      const r = plan.resolution(name);
      if (r === undefined) throw new OpError('exists', ...said('errors.op.existsInDestination', { item: name }));
      if (r === 'skip' || (r === 'replace' && same)) return this.record(rel, null, 'skipped');
      if (r === 'keep-both') {
        target = await this.freeName(plan.folder, name);
        action = 'kept-both';
      } else {
        if (existing.type !== source.type) {
          throw new OpError('exists', ...said(existing.type === 'dir' ? 'errors.op.folderNotByFile' : 'errors.op.fileNotByFolder', { item: name }));
        }
        action = 'replaced';
        merge = true;
      }
    }
    await this.place(rel, source, target, action, merge);
  }

  /** `name (2)`, `name (3)` … : the first that does not exist in the destination folder. */
  private async freeName(folder: string, name: string): Promise<string> {
    for (let n = 2; n < KEEP_BOTH_TRIES; n++) {
      const candidate = join(folder, numberedName(name, n));
      if ((await statOrUndefined(this.plan.to.d, this.dst(candidate))) === undefined) return candidate;
    }
    throw new OpError('exists', ...said('errors.op.tooManyCopies', { item: name }));
  }

  /** Puts one item (file or folder) at `target`. `merge`: the target exists and is replaced / merged into. */
  private async place(rel: string, source: DirEntry, target: string, action: OpAction, merge: boolean): Promise<void> {
    const { plan } = this;
    if (plan.kind === 'move' && this.sameShare && !(merge && source.type === 'dir')) {
      // One rename moves a file, or a whole folder that is not merged into another.
      this.p.setCurrent(rel);
      await plan.from.d.rename(this.src(rel), this.dst(target), { replace: merge });
      return this.record(rel, target, action);
    }
    if (source.type === 'file') {
      await this.copyFile(rel, target, Number(source.size), merge);
      if (plan.kind === 'move') await this.removeOriginal(rel, target);
      return this.record(rel, target, action);
    }
    await this.copyFolder(rel, target, merge, action);
  }

  /** A move's original, once its copy is complete: a failure here is reported, and the copy stays. */
  private async removeOriginal(rel: string, target: string): Promise<void> {
    try {
      await this.plan.from.d.deleteOne(this.src(rel));
    } catch (err) {
      // The copy is whole and stays: reported as copied, and the original's failure beside it.
      this.p.itemDone({ from: rel, to: target, action: 'copied' });
      const e = opErrorOf(err, leaf(rel));
      throw new OpError(e.opCode, `“${leaf(rel)}” was copied to “${target}”, but the original could not be deleted: ${e.message}`, { cause: err });
    }
  }

  /** A folder and everything in it, batch by batch. Into an existing folder when merging (files inside replaced). */
  private async copyFolder(rel: string, target: string, merge: boolean, action: OpAction): Promise<void> {
    const { plan, p } = this;
    p.setCurrent(rel);
    try {
      await plan.to.d.mkdir(this.dst(target));
    } catch (err) {
      if (!(merge && err instanceof SmbExistsError)) throw err;
      const st = await plan.to.d.stat(this.dst(target));
      if (st.type !== 'dir') throw new OpError('exists', ...said('errors.op.fileNotByFolder', { item: leaf(target) }));
    }
    const before = this.failuresSeen;
    const failed = new Set<string>();
    for (;;) {
      let moved = 0;
      const child = async (e: DirEntry): Promise<void> => {
        const childRel = join(rel, e.name);
        const childTarget = join(target, e.name);
        const seen = this.failuresSeen;
        try {
          if (e.type === 'dir') await this.childFolder(childRel, childTarget, merge);
          else await this.placeChildFile(childRel, e, childTarget, merge && (await statOrUndefined(plan.to.d, this.dst(childTarget))) !== undefined);
        } catch (err) {
          if (err instanceof CancelledError || p.signal.aborted) throw new CancelledError();
          this.fail(childRel, err);
        }
        if (this.failuresSeen === seen) moved++;
        else failed.add(e.name);
      };
      for await (const batch of plan.from.d.entries(this.src(rel))) {
        if (p.signal.aborted) break;
        const todo = batch.filter((e) => !failed.has(e.name));
        await forEachLimited(
          todo.filter((e) => e.type === 'file'),
          COPY_CONCURRENCY,
          p.signal,
          child,
        );
        for (const e of todo) {
          if (p.signal.aborted) break;
          if (e.type === 'dir') await child(e);
        }
      }
      if (p.signal.aborted) throw new CancelledError();
      if (plan.kind === 'copy') break;
      // A move: once everything in it went, the original folder goes too; otherwise it stays, with what could
      // not be moved (already reported). Deleting while listing may let the listing skip an entry: read again.
      if (failed.size > 0) return;
      try {
        await plan.from.d.deleteOne(this.src(rel));
        break;
      } catch (err) {
        if (!(err instanceof SmbNotEmptyError) || moved === 0) throw err;
      }
    }
    if (this.failuresSeen !== before && plan.kind === 'move') return;
    await this.record(rel, target, action);
  }

  /** A folder inside a folder being copied or moved. */
  private async childFolder(rel: string, target: string, merge: boolean): Promise<void> {
    const { plan } = this;
    const exists = merge && (await statOrUndefined(plan.to.d, this.dst(target))) !== undefined;
    const action: OpAction = plan.kind === 'copy' ? 'copied' : 'moved';
    if (plan.kind === 'move' && this.sameShare && !exists) {
      this.p.setCurrent(rel);
      await plan.from.d.rename(this.src(rel), this.dst(target));
      return this.record(rel, target, action);
    }
    await this.copyFolder(rel, target, exists, exists ? 'replaced' : action);
  }

  /** Whether to try a server-side copy between two shares (cleared once the server says it can't). */
  private crossShareCopy = true;

  /**
   * A server-side copy into another share; false (and none tried again) when the two shares are on different
   * servers or sessions, or the server does not copy between its shares: the caller streams instead.
   */
  private async tryServerCopyTo(rel: string, temp: string, onBytes: (n: number) => void): Promise<boolean> {
    try {
      await this.plan.from.d.serverCopyTo(this.plan.to.d, this.src(rel), this.dst(temp), { signal: this.p.signal, onBytes });
      return true;
    } catch (err) {
      if (!(err instanceof SmbNotSupportedError)) throw err;
      this.crossShareCopy = false;
      await this.plan.to.d.removeQuietly(this.dst(temp));
      return false;
    }
  }

  /** Failures reported so far, to tell whether a folder's subtree went through whole. */
  private failuresSeen = 0;

  private async placeChildFile(rel: string, e: DirEntry, target: string, replace: boolean): Promise<void> {
    const { plan } = this;
    const action: OpAction = replace ? 'replaced' : plan.kind === 'copy' ? 'copied' : 'moved';
    this.p.setCurrent(rel);
    if (plan.kind === 'move' && this.sameShare) {
      await plan.from.d.rename(this.src(rel), this.dst(target), { replace });
      return this.record(rel, target, action);
    }
    await this.copyFile(rel, target, Number(e.size), replace);
    if (plan.kind === 'move') await this.removeOriginal(rel, target);
    await this.record(rel, target, action);
  }

  /**
   * One file to `target` through a temporary beside it, renamed into place when whole (over the target when
   * `replace`). On the same share the server copies it; otherwise it is streamed and its length checked.
   */
  private async copyFile(rel: string, target: string, size: number, replace: boolean): Promise<void> {
    const { plan, p } = this;
    p.setCurrent(rel);
    p.signal.throwIfAborted();
    const slash = target.lastIndexOf('/');
    const temp = join(slash < 0 ? '' : target.slice(0, slash), tempName(leaf(target)));
    const onBytes = (n: number): void => p.addBytes(n);
    try {
      if (this.sameShare) {
        await plan.to.d.serverCopy(this.src(rel), this.dst(temp), { signal: p.signal, onBytes });
      } else if (this.crossShareCopy && (await this.tryServerCopyTo(rel, temp, onBytes))) {
        // Another share of the same server: the server copied it.
      } else {
        const source = plan.from.d.readStream(this.src(rel));
        let written: number;
        try {
          ({ bytes: written } = await plan.to.d.writeNew(this.dst(temp), counted(source, onBytes), { signal: p.signal }));
        } finally {
          source.destroy();
        }
        // The source changed under us, or a read came back short: never put a short copy in place.
        if (written !== size) throw new OpError('failed', ...said('errors.op.changedWhileCopying', { item: leaf(rel), written: String(written), size: String(size) }));
      }
      await plan.to.d.rename(this.dst(temp), this.dst(target), { replace });
    } catch (err) {
      await plan.to.d.removeQuietly(this.dst(temp));
      if (p.signal.aborted) throw new CancelledError();
      throw err;
    }
  }
}

/** Before anything is done: which top-level names already exist in the destination and are not resolved. */
export async function findConflicts(plan: TransferPlan): Promise<{ name: string; type: 'file' | 'folder' }[]> {
  const conflicts: { name: string; type: 'file' | 'folder' }[] = [];
  const sameShare = plan.from.d.sameShareAs(plan.to.d);
  for (const rel of plan.items) {
    const name = leaf(rel);
    if (plan.resolution(name) !== undefined) continue;
    const target = join(plan.folder, name);
    const existing = await statOrUndefined(plan.to.d, join(plan.to.base, target));
    if (existing === undefined) continue;
    // Moving an item to where it already is does nothing, and asks nothing.
    if (plan.kind === 'move' && sameShare && join(plan.from.base, rel).toLowerCase() === join(plan.to.base, target).toLowerCase()) continue;
    conflicts.push({ name, type: existing.type === 'dir' ? 'folder' : 'file' });
  }
  return conflicts;
}
