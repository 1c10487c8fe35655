/**
 * The file operations as the routes and jobs call them: each runs on the user's pooled connection(s) for its
 * drive(s) for as long as it takes, and reports through an OpProgress (see delete-op.ts, transfer-op.ts).
 */
import { TreeDeleter } from './delete-op.js';
import type { OpProgress } from './op-progress.js';
import type { DriveFiles } from './service.js';
import { findConflicts, Transfer, type Resolution, type TransferPlan } from './transfer-op.js';

export interface TransferRequest {
  kind: 'copy' | 'move';
  from: DriveFiles;
  /** Items as segments inside the source drive. */
  items: string[][];
  to: DriveFiles;
  /** Destination folder as segments inside the destination drive. */
  folder: string[];
  resolution(name: string): Resolution | undefined;
}

const rel = (segments: string[]): string => segments.join('/');

/** Deletes each item (recursively) on `drive`. */
export function deleteItems(drive: DriveFiles, items: string[][], p: OpProgress): Promise<void> {
  return drive.run([], (d, base) => new TreeDeleter(d, base, p).deleteAll(items.map(rel)), { idempotent: false });
}

function withPlan<T>(req: TransferRequest, fn: (plan: TransferPlan) => Promise<T>, idempotent: boolean): Promise<T> {
  return req.from.run(
    [],
    (sd, sbase) =>
      req.to.run(
        [],
        (dd, dbase) =>
          fn({
            kind: req.kind,
            from: { d: sd, base: sbase },
            to: { d: dd, base: dbase },
            items: req.items.map(rel),
            folder: rel(req.folder),
            resolution: req.resolution,
          }),
        { idempotent },
      ),
    { idempotent },
  );
}

/** Copies or moves the items into the folder (see Transfer). */
export function transferItems(req: TransferRequest, p: OpProgress): Promise<void> {
  return withPlan(req, (plan) => new Transfer(plan, p).run(), false);
}

/** The top-level names that already exist in the destination and have no resolution (nothing is changed). */
export function transferConflicts(req: TransferRequest): Promise<{ name: string; type: 'file' | 'folder' }[]> {
  return withPlan(req, findConflicts, true);
}

/**
 * Whether `folder` on `to` is `item` on `from` or inside it: the same server and share, and the same path or a
 * path below it (compared case-insensitively, as SMB names are).
 */
export function isInside(from: DriveFiles, item: string[], to: DriveFiles, folder: string[]): boolean {
  const a = from.drive;
  const b = to.drive;
  if (a.host.toLowerCase() !== b.host.toLowerCase() || a.port !== b.port || a.share.toLowerCase() !== b.share.toLowerCase()) return false;
  const src = [...a.basePath, ...item].map((s) => s.toLowerCase());
  const dst = [...b.basePath, ...folder].map((s) => s.toLowerCase());
  return src.length <= dst.length && src.every((s, i) => s === dst[i]);
}
