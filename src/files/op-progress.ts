/**
 * What a long file operation reports as it goes, and how it is stopped. The jobs registry (src/jobs) implements
 * it; the operations only call it. Every item that was done is recorded as it is done (not at the end), so a
 * cancelled or broken operation still says exactly what it did.
 */
import type { MessageKeyOf, Params } from '../i18n/index.js';
import type { OpCode, OpError } from './op-errors.js';

export type OpAction = 'deleted' | 'copied' | 'moved' | 'skipped' | 'replaced' | 'kept-both';

export interface OpResult {
  /** Path inside the source drive ('/'-separated, no leading slash). */
  from: string;
  /** Path inside the destination drive, or null (deleted, skipped). */
  to: string | null;
  action: OpAction;
}

export interface OpFailure {
  path: string;
  code: OpCode;
  /** English, for the API and the logs. */
  message: string;
  /** Where the message is in the catalogue: the jobs API adds `text` in the asker's language from these. */
  messageKey?: MessageKeyOf;
  messageParams?: Params;
}

/** A failure line of a job from the error that caused it: its English message and its catalogue key. */
export const failureOf = (path: string, e: OpError): OpFailure => ({ path, code: e.opCode, message: e.message, messageKey: e.messageKey, messageParams: e.messageParams });

export interface OpProgress {
  /** Aborted when the user cancels; checked between items and inside long copies. */
  readonly signal: AbortSignal;
  /** What the whole operation will touch, once counted. */
  setTotal(total: { items: number; bytes: number }): void;
  /** The item being worked on (path inside its drive). */
  setCurrent(path: string | null): void;
  /** Bytes moved (copied) so far, added as they go. */
  addBytes(n: number): void;
  /** One file or folder done (deleted, copied, moved, skipped …): counts as an item. */
  itemDone(result: OpResult): void;
  /** One file or folder that could not be done, and why (not counted in done.items). */
  failed(failure: OpFailure): void;
  /** Test seam: awaited after each item; resolves at once in production. */
  afterItem(): Promise<void>;
}

/**
 * Runs `fn` on each item with at most `limit` at once; stops taking new items once `signal` is aborted, and
 * (unlike Promise.all) waits for every started one to settle before it returns or throws, so nothing done is
 * left unreported.
 */
export async function forEachLimited<T>(items: readonly T[], limit: number, signal: AbortSignal, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && !signal.aborted) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  const settled = await Promise.allSettled(workers);
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
}
