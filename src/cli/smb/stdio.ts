import { createWriteStream, fstatSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { isatty } from 'node:tty';
import type { UploadSource } from '../../smb/index.js';

/**
 * Whether `fd` is a regular file or a device such as /dev/null (not a terminal): there, reads and writes
 * go straight to the descriptor through libuv's thread pool, in the transfer's own large buffers, and can
 * never meet EAGAIN. Pipes, sockets and terminals keep Node's own stdin/stdout streams, which cope with
 * non-blocking descriptors that others may share.
 */
function isPlain(fd: number): boolean {
  try {
    const s = fstatSync(fd);
    return s.isFile() || (s.isCharacterDevice() && !isatty(fd));
  } catch {
    return false;
  }
}

/** Where `get … -` writes, and how to flush it at the end without closing the process's stdout. */
export function stdoutSink(): { writable: Writable; done(): Promise<void> } {
  if (!isPlain(1)) return { writable: process.stdout, done: async () => undefined };
  const out = createWriteStream('', { fd: 1, autoClose: false });
  return {
    writable: out,
    done: async () => {
      out.end();
      await finished(out);
    },
  };
}

/** What `put - …` reads: the descriptor itself (from its current position) when it is a plain file. */
export function stdinSource(): UploadSource {
  return isPlain(0) ? { fd: 0 } : process.stdin;
}
