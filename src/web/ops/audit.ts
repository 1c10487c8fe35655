/**
 * One structured line per mutation (the issue's rule: who, what, from, to, result), in the shape the JSON API
 * writes too, so an admin greps `"audit":true` and sees the no-JS forms' work beside the API's.
 */
import { AppError } from '../../errors/index.js';
import type { Logger } from '../../log.js';

export type AuditAction = 'mkdir' | 'rename' | 'delete' | 'copy' | 'move';

export interface AuditEntry {
  user: string;
  action: AuditAction;
  drive: string;
  from: string | null;
  to: string | null;
  /** 'ok', or the contract's error code ('exists', 'denied', 'in-use' …). */
  result: string;
}

export function audit(logger: Logger, entry: AuditEntry): void {
  logger.info('audit', { audit: true, ...entry });
}

/** The contract's error codes (ops-contract) from the app's own error codes. */
const CODES: Record<string, string> = {
  exists: 'exists',
  not_found: 'not-found',
  forbidden: 'denied',
  locked: 'in-use',
  not_empty: 'not-empty',
  bad_name: 'bad-name',
  bad_request: 'bad-name',
  unavailable: 'failed',
};

export function resultCode(err: unknown): string {
  if (err instanceof AppError) return CODES[err.code] ?? err.code.replace(/_/g, '-');
  return 'failed';
}
