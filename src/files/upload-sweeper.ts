/**
 * Housekeeping for upload temporaries, on a timer rather than only on the next upload into a folder.
 *
 * The app keeps no credential of its own (a user's key lives in their cookie; the pool holds it only while their
 * connection is open), so it can only sweep where it has been and while it can get in: this instance remembers
 * the folders where it created temporaries, and every interval sweeps each one through a connection already open
 * for the user who uploaded there. A folder is forgotten once no temporary is left in it (or it is gone).
 * The registry is per process: another instance sweeps the folders it wrote to itself.
 *
 * It also keeps, in an UploadRegistry, which session each resumable upload's temporary belongs to, so that
 * sign-out, which kills the session's tickets, removes their temporaries too: in Redis when instances share it,
 * since an upload started on one instance may be signed out of on another.
 */
import type { DriveRef } from '../drives/index.js';
import type { PoolCredential } from '../sessions/index.js';
import { SmbAccessDeniedError, SmbNotFoundError } from '../smb/index.js';
import type { FileService } from './service.js';
import { join } from './upload.js';
import { MemoryUploadRegistry, type UploadRegistry } from './upload-registry.js';

export interface SweeperSettings {
  intervalMs: number;
  /** Temporaries untouched for this long are removed. */
  maxAgeMs: number;
}

interface Folder {
  username: string;
  drive: DriveRef;
  /** The folder's path inside the share (drive base included). */
  dir: string;
}

/** Bounds the registry; past it the oldest folders are forgotten (the next upload there still sweeps). */
const MAX_FOLDERS = 10_000;

const folderKey = (username: string, drive: DriveRef, dir: string): string =>
  [username.toLowerCase(), drive.host.toLowerCase(), drive.port, drive.share.toLowerCase(), dir].join('\0');

export class UploadSweeper {
  private readonly folders = new Map<string, Folder>();
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly files: FileService,
    private readonly settings: SweeperSettings,
    private readonly logger?: { debug(message: string, meta?: Record<string, unknown>): unknown },
    /** Per web session: the temporaries of its unfinished resumable uploads. */
    private readonly registry: UploadRegistry = new MemoryUploadRegistry(),
  ) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.stopped = false;
    this.timer = setInterval(() => void this.sweep(), this.settings.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a sweep under way to finish the folder it is on. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.pass;
  }

  /** A temporary was created in `dir` for `username`. */
  noteFolder(username: string, drive: DriveRef, dir: string): void {
    const key = folderKey(username, drive, dir);
    this.folders.delete(key);
    this.folders.set(key, { username, drive, dir });
    if (this.folders.size > MAX_FOLDERS) this.folders.delete(this.folders.keys().next().value ?? '');
  }

  /**
   * A resumable upload's temporary, owned by web session `sessionId` until finished or cancelled. Never throws: if
   * the registry can't be reached, the timer still sweeps the temporary once it is stale.
   */
  async noteUpload(sessionId: string, username: string, drive: DriveRef, dir: string, temp: string): Promise<void> {
    this.noteFolder(username, drive, dir);
    await this.registry.add(sessionId, { username, drive, dir, temp }).catch((err: unknown) => this.logger?.debug('could not note an upload for sign-out', { err }));
  }

  /** The upload was finished or cancelled: its temporary is gone. Never throws. */
  async forgetUpload(sessionId: string, drive: DriveRef, dir: string, temp: string): Promise<void> {
    await this.registry.remove(sessionId, { drive, dir, temp }).catch((err: unknown) => this.logger?.debug('could not forget a finished upload', { err }));
  }

  /**
   * At sign-out: the session's tickets die with it, so the temporaries of its unfinished uploads can never be
   * finished. Removes those of every instance (with a shared registry); failures (no usable credential, server
   * down) are left to the timer. Never throws.
   */
  async endSession(sessionId: string, credential: () => PoolCredential): Promise<void> {
    try {
      const uploads = await this.registry.take(sessionId);
      if (uploads.length === 0) return;
      const cred = credential();
      for (const u of uploads) {
        await this.files.useAt(sessionId, cred, u.drive, (d) => d.removeQuietly(join(u.dir, u.temp)), { idempotent: true }).catch(() => undefined);
      }
    } catch (err) {
      this.logger?.debug('could not remove the upload temporaries of a session at sign-out', { err });
    }
  }

  /** One pass over the folders (a pass still running is awaited instead of starting another). */
  sweep(now = Date.now()): Promise<void> {
    this.pass ??= this.sweepFolders(now).finally(() => (this.pass = undefined));
    return this.pass;
  }

  private async sweepFolders(now: number): Promise<void> {
    for (const [key, f] of [...this.folders]) {
      if (this.stopped) return;
      try {
        const result = await this.files.useOpen(f.username, f.drive, (d) => d.removeStaleTemporaries(f.dir, this.settings.maxAgeMs, now));
        if (result === undefined) continue; // nobody of that user is connected now: try again next time
        if (result.removed > 0) this.logger?.debug('removed stale upload temporaries', { drive: f.drive.id, removed: result.removed });
        if (result.left === 0) this.folders.delete(key);
      } catch (err) {
        if (err instanceof SmbNotFoundError || err instanceof SmbAccessDeniedError) this.folders.delete(key);
        else this.logger?.debug('sweeping upload temporaries failed; will retry', { drive: f.drive.id, err });
      }
    }
  }
}
