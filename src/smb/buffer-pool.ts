/**
 * Transfer buffers (MiBs each), kept for the next transfer instead of freed. Freeing them is what costs:
 * after glibc's malloc frees the first one it raises its mmap threshold, so the next ones come from the
 * main heap, where the HTTP server's 64 KiB body buffers fragment it and it never shrinks again. The
 * web app's RSS crept up ~10 MB per 512 MiB transfer that way; reused, it stays at the first one's size.
 *
 * Only buffers nobody can still touch come back: a transfer returns its buffers when it succeeded (every
 * READ answered and written out, every WRITE answered). After a failure a cancelled request may still
 * sit in a socket's write queue, so those are left to the GC.
 */
const MAX_IDLE_BYTES = 32 << 20;

const idle = new Map<number, Buffer[]>();
let idleBytes = 0;

/** A buffer of exactly `size` bytes, not zeroed: a kept one if there is one. */
export function takeBuffer(size: number): Buffer {
  const kept = idle.get(size)?.pop();
  if (kept !== undefined) {
    idleBytes -= size;
    return kept;
  }
  return Buffer.allocUnsafeSlow(size);
}

/** Keeps `buffers` (whole ones from takeBuffer) for later, up to MAX_IDLE_BYTES in all. */
export function giveBack(buffers: Iterable<Buffer>): void {
  for (const b of buffers) {
    if (idleBytes + b.length > MAX_IDLE_BYTES) return;
    let list = idle.get(b.length);
    if (list === undefined) idle.set(b.length, (list = []));
    list.push(b);
    idleBytes += b.length;
  }
}

/** Bytes kept for reuse (tests). */
export function idleBufferBytes(): number {
  return idleBytes;
}
