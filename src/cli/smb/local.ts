import { CliError, EXIT } from './errors.js';

/** A local file-system failure, named after the path the user gave (not our temporary name). */
export function localFailure(err: unknown, path: string): unknown {
  const code = typeof err === 'object' && err !== null && 'code' in err ? (err as { code: unknown }).code : undefined;
  if (typeof code !== 'string') return err;
  if (code === 'ENOENT') return new CliError(`not found: ${path} (ENOENT)`, EXIT.notFound);
  if (code === 'EACCES' || code === 'EPERM') return new CliError(`access denied: ${path} (${code})`, EXIT.accessDenied);
  if (code === 'EISDIR') return new CliError(`is a folder: ${path} (EISDIR)`);
  if (code === 'ENOSPC') return new CliError(`disk full: ${path} (ENOSPC)`);
  return new CliError(`${path}: ${code}`);
}

/**
 * Runs `fn` with a signal that Ctrl-C (or SIGTERM) aborts, so a transfer can remove its partial output
 * before the process exits. Without this, the default SIGINT handler would kill us mid-write.
 */
export async function interruptible<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  try {
    return await fn(controller.signal);
  } finally {
    process.off('SIGINT', abort);
    process.off('SIGTERM', abort);
  }
}
