import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open, rename, rm, stat, utimes } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { SmbNotFoundError, type SmbShare } from '../../smb/index.js';
import { CliError, Interrupted } from './errors.js';
import { interruptible, localFailure } from './local.js';
import { stdinSource, stdoutSink } from './stdio.js';
import { baseOf, sharePath, unc, type SmbTarget } from './target.js';
import { UsageError } from './usage.js';

export interface TransferContext {
  share: SmbShare;
  target: SmbTarget;
  setSubject(subject: string): void;
}

/** A short random tag for temporary names. */
const tag = (): string => randomBytes(6).toString('hex');

/** Keeps temporary names within the 255-character limit whatever the final name's length. */
function clip(name: string, max = 120): string {
  const chars = [...name];
  return chars.length <= max ? name : chars.slice(0, max).join('');
}

function wasAborted(signal: AbortSignal, err: unknown): boolean {
  return signal.aborted || (err instanceof Error && err.name === 'AbortError');
}

/**
 * Downloads to LOCALFILE (default: the remote base name in the cwd; a folder receives the file) or to
 * stdout for "-". A file is written under a temporary name beside it and renamed only when complete.
 */
export async function get(ctx: TransferContext, local: string | undefined): Promise<void> {
  const { share, target } = ctx;
  const base = baseOf(target.segments);
  if (base === undefined) throw new UsageError('get needs a file path after the share');
  const path = sharePath(target.segments);
  ctx.setSubject(unc(target));
  const info = await share.stat(path);
  if (info.type === 'dir') throw new CliError(`is a folder: ${unc(target)}`);

  if (local === '-') {
    await interruptible(async (signal) => {
      try {
        // pipeTo, like a download to a file: recycled READ buffers written as they are, in offset order.
        const sink = stdoutSink();
        await share.pipeTo(path, sink.writable, { signal });
        await sink.done();
      } catch (err) {
        if (wasAborted(signal, err)) throw new Interrupted();
        throw err;
      }
    });
    return;
  }

  let dest = local ?? base;
  let inPlace = false;
  try {
    const existing = await stat(dest);
    if (existing.isDirectory()) dest = join(dest, base);
    // /dev/null, a FIFO, a terminal: written in place. A temporary file renamed over it would replace the
    // device itself (as root, /dev/null would become a plain file for the whole machine).
    else inPlace = !existing.isFile();
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ENOENT') throw localFailure(err, dest);
  }
  if (inPlace) {
    const device = dest;
    await interruptible(async (signal) => {
      const out = createWriteStream(device, { flags: 'w' });
      let outError: Error | undefined;
      out.on('error', (e: Error) => (outError ??= e));
      try {
        await share.pipeTo(path, out, { signal });
        out.end();
        await finished(out);
      } catch (err) {
        if (!out.closed) {
          out.destroy();
          await finished(out).catch(() => undefined);
        }
        if (wasAborted(signal, err)) throw new Interrupted();
        throw localOrRemote(outError ?? err, device);
      }
    });
    return;
  }
  const tmp = join(dirname(dest), `.${clip(basename(dest))}.${tag()}.part`);
  await interruptible(async (signal) => {
    let out: WriteStream | undefined;
    let outError: Error | undefined;
    try {
      // 'wx': never clobber anything, not even a stale temporary file. pipeTo recycles its READ buffers,
      // so memory stays flat for any file size; an early open error is kept so it is what we report.
      out = createWriteStream(tmp, { flags: 'wx' });
      out.on('error', (e: Error) => (outError ??= e));
      await share.pipeTo(path, out, { signal });
      out.end();
      await finished(out);
      await utimes(tmp, info.atime, info.mtime).catch(() => undefined);
      await rename(tmp, dest);
    } catch (err) {
      if (out !== undefined && !out.closed) {
        out.destroy();
        await finished(out).catch(() => undefined);
      }
      await rm(tmp, { force: true });
      if (wasAborted(signal, err)) throw new Interrupted();
      throw localOrRemote(outError ?? err, dest);
    }
  });
}

/**
 * Uploads LOCALFILE (or stdin for "-") to the target; an existing folder receives the file under its
 * local name. The data goes to a hidden temporary name beside the final one and is renamed over it
 * (with replace) only when every byte is written, so a failure never leaves a partial file under the
 * final name.
 */
export async function put(ctx: TransferContext, local: string): Promise<void> {
  const { share, target } = ctx;
  const fromStdin = local === '-';
  const localName = fromStdin ? undefined : basename(local);
  if (!fromStdin) {
    const s = await stat(local).catch((err: unknown) => {
      throw localFailure(err, local);
    });
    if (s.isDirectory()) throw new CliError(`is a folder: ${local} (put sends one file)`);
  }

  let segments = target.segments;
  if (segments.length > 0) {
    ctx.setSubject(unc(target));
    const existing = await share.stat(sharePath(segments)).catch((err: unknown) => {
      if (err instanceof SmbNotFoundError) return undefined;
      throw err;
    });
    if (existing?.type === 'dir') segments = [...segments, needName(localName)];
  } else {
    segments = [needName(localName)];
  }
  const finalName = segments[segments.length - 1] as string;
  const finalPath = sharePath(segments);
  const tmpPath = sharePath([...segments.slice(0, -1), `.${clip(finalName)}.portcullis-${tag()}.tmp`]);
  ctx.setSubject(unc(target, segments));

  await interruptible(async (signal) => {
    try {
      if (fromStdin) {
        await share.pipeFrom(tmpPath, stdinSource(), { flags: 'wx', signal });
      } else {
        // pipeFrom reads the file itself into recycled buffers sent without a copy: flat memory, no garbage.
        const fh = await open(local, 'r');
        try {
          await share.pipeFrom(tmpPath, { fd: fh.fd, start: 0 }, { flags: 'wx', signal });
        } finally {
          await fh.close();
        }
      }
      await share.rename(tmpPath, finalPath, { replace: true });
    } catch (err) {
      await share.rm(tmpPath, { force: true }).catch(() => undefined);
      if (wasAborted(signal, err)) throw new Interrupted();
      if (!fromStdin) throw localOrRemote(err, local);
      throw err;
    }
  });
}

function needName(localName: string | undefined): string {
  if (localName === undefined) throw new UsageError('put - needs a file name on the share (//HOST/SHARE/PATH/NAME)');
  return localName;
}

/** Errors from reading the local file carry an errno; SMB errors pass through. */
function localOrRemote(err: unknown, local: string): unknown {
  return typeof err === 'object' && err !== null && 'syscall' in err ? localFailure(err, local) : err;
}
