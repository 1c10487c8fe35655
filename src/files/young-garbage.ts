/**
 * Node's HTTP server hands a request body over in fresh buffers of up to 64 KiB, malloc'd outside the JS
 * heap. The JS objects that own them are tiny, so the young generation fills slowly and V8 frees them only
 * when external-memory pressure forces a collection: during a fast upload that is tens of MB of dead
 * buffers at any time, full collections every ~45 ms, and a malloc heap that never shrinks back. A
 * scavenge every 4 MiB frees them while they are young, for ~0.3 ms each. Measured on a 512 MiB PUT,
 * with SmbFile.pipeFrom copying into recycled buffers so the body's own buffers die young: app peak RSS
 * 150–181 → 106–112 MB and app CPU 1.1–1.4 → 0.6–0.8 s. Every 16 MiB is too late (full collections
 * come back: 1.5–1.7 CPU-s), every 1–2 MiB costs more than it saves (0.8–1.0 CPU-s).
 *
 * The web uploads no longer need it: they free the body's buffers themselves as soon as they are written
 * (upload.ts, chunksOf), which with 20 uploads at once costs far less than these scavenges, each of which
 * promoted whatever was in flight. It stays for a pump whose source's buffers may be someone else's.
 *
 * V8 keeps its gc() behind --expose-gc; setting the flag and asking a new context for it is the one way
 * to reach it from a process started without that flag.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options: { type: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

/** Request-body bytes between two scavenges. */
export const SCAVENGE_EVERY_BYTES = 4 << 20;

function exposeGc(): Gc | undefined {
  const existing = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === 'function') return existing as Gc;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as Gc) : undefined;
  } catch {
    return undefined;
  }
}

const gc = exposeGc();
let sinceScavenge = 0;

/** Counts `bytes` of request body just consumed; scavenges once SCAVENGE_EVERY_BYTES have passed. */
export function noteBodyBytes(bytes: number): void {
  sinceScavenge += bytes;
  if (sinceScavenge < SCAVENGE_EVERY_BYTES) return;
  sinceScavenge = 0;
  gc?.({ type: 'minor' });
}

/** Whether scavenges can be asked for (false only if V8 refused to expose gc). */
export const canScavenge = gc !== undefined;
