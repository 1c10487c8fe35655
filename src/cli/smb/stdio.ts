import { closeSync, constants, createWriteStream, fstatSync, openSync } from 'node:fs';
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

function isPipe(fd: number): boolean {
  try {
    return fstatSync(fd).isFIFO();
  } catch {
    return false;
  }
}

/**
 * stdout as a pipe of our own: /proc/self/fd/1 opened anew is the same pipe under a new open file
 * description, in blocking mode whatever the shell's descriptor is set to, so libuv's thread pool can write
 * the READ buffers into it while the main thread goes on receiving (process.stdout writes a pipe from the
 * main thread, 64 KiB at a time as the reader frees room, and the SMB reads wait meanwhile: `get -` into a
 * pipe ran at 0.72× the in-process rate). Opening a pipe for writing blocks while it has no reader, so a
 * non-blocking open checks for one first (ENXIO: none, and process.stdout reports the broken pipe as ever).
 * Undefined where this is not possible (not Linux, not a pipe, no reader).
 */
function reopenedStdoutPipe(): number | undefined {
  if (process.platform !== 'linux' || !isPipe(1)) return undefined;
  try {
    closeSync(openSync('/proc/self/fd/1', constants.O_WRONLY | constants.O_NONBLOCK));
    return openSync('/proc/self/fd/1', constants.O_WRONLY);
  } catch {
    return undefined;
  }
}

/** Where `get … -` writes, and how to flush it at the end without closing the process's stdout. */
export function stdoutSink(): { writable: Writable; done(): Promise<void> } {
  const own = isPlain(1) ? undefined : reopenedStdoutPipe();
  if (!isPlain(1) && own === undefined) return { writable: process.stdout, done: async () => undefined };
  const out = own === undefined ? createWriteStream('', { fd: 1, autoClose: false }) : createWriteStream('', { fd: own, autoClose: true });
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
