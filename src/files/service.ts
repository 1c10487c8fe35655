/**
 * The file service: the one way the web layer reaches files. Data flows web → files → sessions (the pool)
 * → smb; a route gets a DriveFiles for the user and drive, and never sees the pool, a share or an NTSTATUS.
 */
import type { DriveRef } from '../drives/index.js';
import type { PoolCredential, SmbPool, UseOptions } from '../sessions/index.js';
import { DriveSession } from './drive-session.js';
import type { FolderRead } from './read-folder.js';
import type { TextHead } from './text-head.js';
import type { SearchHit, SearchLimits, SearchSummary } from './search.js';
import type { NameMatcher } from './search-match.js';
import type { ShareListing, Stats } from '../smb/index.js';
import { NotFoundError, said } from '../errors/index.js';

export type RunOptions = UseOptions;

/** Who is asking: the web session (its pooled connections) and their credential, opened when first needed. */
export interface FileUser {
  sessionId: string;
  credential: () => PoolCredential;
}

/** The path inside the share of `segments` inside the drive (its base folder first). */
export function sharePath(base: string[], segments: string[]): string {
  return [...base, ...segments].join('/');
}

export class FileService {
  constructor(private readonly pool: SmbPool) {}

  forDrive(user: FileUser, drive: DriveRef): DriveFiles {
    return new DriveFiles(this.pool, user, drive);
  }

  /**
   * Housekeeping without a request: runs on a connection the user already has open to the drive's server, or
   * returns undefined when there is none (the app keeps no credential of its own).
   */
  useOpen<T>(username: string, drive: DriveRef, fn: (d: DriveSession) => Promise<T>): Promise<T | undefined> {
    return this.pool.useOpen(username, drive, (share) => fn(new DriveSession(share)));
  }

  /**
   * The shares of the server `ipc` names (its share is IPC$), on the user's pooled connection to that server,
   * with their own credential: what they may see is the server's decision.
   */
  listShares(user: FileUser, ipc: DriveRef, options: { includeHidden?: boolean } = {}): Promise<ShareListing[]> {
    return this.pool.use(user.sessionId, user.credential(), ipc, (share) => share.listShares(options), { idempotent: true });
  }

  /** Like forDrive(…).run, for a share path already known (base folder included). */
  useAt<T>(sessionId: string, credential: PoolCredential, drive: DriveRef, fn: (d: DriveSession) => Promise<T>, opts: RunOptions): Promise<T> {
    return this.pool.use(sessionId, credential, drive, (share) => fn(new DriveSession(share)), opts);
  }
}

/** One user's face of one drive. Paths are segments inside the drive. */
export class DriveFiles {
  constructor(
    private readonly pool: SmbPool,
    private readonly user: FileUser,
    readonly drive: DriveRef,
  ) {}

  /**
   * Runs `fn` on the user's pooled connection with the share path of `segments`. Keep its promise pending until
   * the work is done (a whole download included). `idempotent`: may be retried after a dropped connection; say
   * false as soon as bytes may have gone to the client or the server's state changed.
   */
  run<T>(segments: string[], fn: (d: DriveSession, path: string) => Promise<T>, opts: RunOptions): Promise<T> {
    return this.pool.use(this.user.sessionId, this.user.credential(), this.drive, (share, base) => fn(new DriveSession(share), sharePath(base, segments)), opts);
  }

  stat(segments: string[], options: { readData?: boolean } = {}): Promise<Stats> {
    return this.run(segments, (d, p) => d.stat(p, options), { idempotent: true });
  }

  list(segments: string[], max: number): Promise<FolderRead> {
    return this.run(segments, (d, p) => d.list(p, max), { idempotent: true });
  }

  /**
   * Searches below the folder `segments` (which must be a folder: NotDirectoryError otherwise), holding the
   * user's connection until the walk has stopped and every directory read has settled. Not retried after a
   * dropped connection: hits may already have been sent.
   */
  search(segments: string[], match: NameMatcher, limits: SearchLimits, onStart: () => void, onHit: (hit: SearchHit) => void, signal?: AbortSignal): Promise<SearchSummary> {
    return this.run(
      segments,
      async (d, p) => {
        const st = await d.stat(p);
        if (st.type !== 'dir') throw new NotFoundError(...said('errors.drive.notFolderToSearch', { item: segments.at(-1) ?? '' }));
        onStart();
        return d.search(p, match, limits, onHit, signal);
      },
      { idempotent: false },
    );
  }

  readTextHead(segments: string[]): Promise<TextHead> {
    return this.run(segments, (d, p) => d.readTextHead(p), { idempotent: true });
  }

  mkdir(segments: string[], options: { recursive?: boolean } = {}): Promise<void> {
    return this.run(segments, (d, p) => d.mkdir(p, options), { idempotent: false });
  }

  rename(from: string[], to: string[], options: { replace?: boolean } = {}): Promise<void> {
    return this.run(from, (d, p) => d.rename(p, this.pathOf(to), options), { idempotent: false });
  }

  remove(segments: string[], options: { recursive?: boolean } = {}): Promise<void> {
    return this.run(segments, (d, p) => d.remove(p, options), { idempotent: false });
  }

  copy(from: string[], to: string[]): Promise<void> {
    return this.run(from, (d, p) => d.copy(p, this.pathOf(to)), { idempotent: false });
  }

  move(from: string[], to: string[]): Promise<void> {
    return this.run(from, (d, p) => d.move(p, this.pathOf(to)), { idempotent: false });
  }

  /**
   * Whether the share lets this user change anything at all, from the tree connect's maximal access: false
   * on a read-only share (or one whose write list leaves the user out), so pages can hide what would be refused.
   */
  canWrite(): Promise<boolean> {
    return this.run([], (d) => d.canWrite(), { idempotent: true });
  }

  private pathOf(segments: string[]): string {
    return sharePath(this.drive.basePath, segments);
  }
}
