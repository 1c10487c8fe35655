/**
 * Which resumable uploads each web session has not finished, so that sign-out can remove their temporaries.
 *
 * Behind a load balancer without sticky sessions an upload may start on one instance and the user sign out on
 * another. With Redis the list lives there, one hash per session that expires once its temporaries are stale, so
 * whichever instance signs the session out finds every upload of it. Without Redis (one instance) it lives in
 * this process.
 */
import type { DriveRef } from '../drives/index.js';

export interface PendingUpload {
  username: string;
  drive: DriveRef;
  /** The folder's path inside the share (drive base included). */
  dir: string;
  temp: string;
}

export interface UploadRegistry {
  add(sessionId: string, upload: PendingUpload): Promise<void>;
  /** The upload was finished or cancelled. */
  remove(sessionId: string, upload: Pick<PendingUpload, 'drive' | 'dir' | 'temp'>): Promise<void>;
  /** Every unfinished upload of the session, forgetting them. */
  take(sessionId: string): Promise<PendingUpload[]>;
}

/** Bounds the in-process registry; past it the oldest sessions are forgotten (the timer still sweeps their folders). */
const MAX_SESSIONS = 10_000;

const uploadKey = (u: Pick<PendingUpload, 'drive' | 'dir' | 'temp'>): string => [u.drive.id, u.dir, u.temp].join('\0');

export class MemoryUploadRegistry implements UploadRegistry {
  private readonly sessions = new Map<string, Map<string, PendingUpload>>();

  add(sessionId: string, upload: PendingUpload): Promise<void> {
    let uploads = this.sessions.get(sessionId);
    if (uploads === undefined) {
      if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value ?? '');
      uploads = new Map();
      this.sessions.set(sessionId, uploads);
    }
    uploads.set(uploadKey(upload), upload);
    return Promise.resolve();
  }

  remove(sessionId: string, upload: Pick<PendingUpload, 'drive' | 'dir' | 'temp'>): Promise<void> {
    const uploads = this.sessions.get(sessionId);
    uploads?.delete(uploadKey(upload));
    if (uploads?.size === 0) this.sessions.delete(sessionId);
    return Promise.resolve();
  }

  take(sessionId: string): Promise<PendingUpload[]> {
    const uploads = this.sessions.get(sessionId);
    this.sessions.delete(sessionId);
    return Promise.resolve([...(uploads?.values() ?? [])]);
  }
}

/** The few commands of a node-redis v5 client this needs (kept structural, so files/ never loads redis itself). */
export interface RedisHashCommands {
  hSet(key: string, field: string, value: string): Promise<unknown>;
  hDel(key: string, field: string): Promise<unknown>;
  hGetAll(key: string): Promise<Record<string, string>>;
  expire(key: string, seconds: number): Promise<unknown>;
  del(key: string): Promise<unknown>;
}

export class RedisUploadRegistry implements UploadRegistry {
  constructor(
    private readonly redis: RedisHashCommands,
    /** As long as a temporary may still be resumed; after that the timer sweeps it anyway. */
    private readonly ttlSeconds: number,
    private readonly prefix = 'portcullis:uploads:',
  ) {}

  async add(sessionId: string, upload: PendingUpload): Promise<void> {
    const key = this.prefix + sessionId;
    await this.redis.hSet(key, uploadKey(upload), JSON.stringify(upload));
    await this.redis.expire(key, this.ttlSeconds);
  }

  async remove(sessionId: string, upload: Pick<PendingUpload, 'drive' | 'dir' | 'temp'>): Promise<void> {
    await this.redis.hDel(this.prefix + sessionId, uploadKey(upload));
  }

  async take(sessionId: string): Promise<PendingUpload[]> {
    const key = this.prefix + sessionId;
    const all = await this.redis.hGetAll(key);
    await this.redis.del(key);
    return Object.values(all).flatMap((json) => {
      try {
        return [JSON.parse(json) as PendingUpload];
      } catch {
        return [];
      }
    });
  }
}
