import { inspect } from 'node:util';
import winston from 'winston';
import type { LogLevel } from './config/index.js';

export type Logger = winston.Logger;

export interface LoggerOptions {
  level: LogLevel;
  format: 'json' | 'pretty';
  /** Append to this file instead of writing to stdout (LOG_FILE). */
  file?: string | undefined;
  /** Replaces stdout (and the file), e.g. to capture lines in tests. */
  transports?: winston.transport[];
}

// Matched against key names anywhere in a log entry, however deep, so a whole request or
// config object can be logged without thinking about what is inside it.
const SECRET_KEY = /pass(word|wd|phrase)?$|secret|token|cookie|authori[sz]ation|credential|api[-_]?key|session[-_]?id|ntowf|private[-_]?key/i;
export const REDACTED = '[redacted]';

/** Whether a field, header, cookie or query parameter of this name holds something never to write down. */
export const isSecretName = (name: string): boolean => SECRET_KEY.test(name) || /csrf|xsrf|^sid$|^key$/i.test(name);
const MAX_DEPTH = 8;

function serialiseError(err: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { name: err.name, message: err.message, stack: err.stack };
  for (const [k, v] of Object.entries(err)) out[k] = v;
  if (err.cause !== undefined) out.cause = err.cause;
  return out;
}

function redactValue(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[circular]';
  if (depth > MAX_DEPTH) return '[too deep]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1, seen));
    if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
    if (value instanceof Date) return value;
    const source = value instanceof Error ? serialiseError(value) : (value as Record<string, unknown>);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(source)) {
      out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null && v !== '' ? REDACTED : redactValue(v, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** Returns a copy of `value` with secret-named keys replaced; the caller's objects are not modified. */
export function redact(value: unknown): unknown {
  return redactValue(value, 0, new WeakSet());
}

// Winston keeps level and the formatted message under symbols, so only string keys are rewritten, in place.
const redactFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'message') continue;
    info[key] = SECRET_KEY.test(key) && info[key] !== undefined ? REDACTED : redact(info[key]);
  }
  return info;
});

// Only string keys: winston's symbol keys hold the caller's original, unredacted arguments.
const pretty = winston.format.printf((info) => {
  const rest: Record<string, unknown> = {};
  const stacks: string[] = typeof info.stack === 'string' ? [info.stack] : [];
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'message' || key === 'timestamp' || key === 'stack') continue;
    const value = info[key];
    if (typeof value === 'object' && value !== null && typeof (value as { stack?: unknown }).stack === 'string') {
      const { stack, ...fields } = value as { stack: string };
      stacks.push(stack);
      rest[key] = fields;
    } else {
      rest[key] = value;
    }
  }
  const meta = Object.keys(rest).length > 0 ? ` ${inspect(rest, { breakLength: Infinity, compact: true, depth: 4, colors: false })}` : '';
  const trace = stacks.map((s) => `\n${s}`).join('');
  return `${String(info.timestamp)} ${info.level} ${String(info.message)}${meta}${trace}`;
});

export function createLogger(options: LoggerOptions): Logger {
  const format =
    options.format === 'json'
      ? winston.format.combine(winston.format.errors({ stack: true }), redactFormat(), winston.format.timestamp(), winston.format.json())
      : winston.format.combine(
          winston.format.errors({ stack: true }),
          redactFormat(),
          winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
          winston.format.colorize(),
          pretty,
        );
  return winston.createLogger({
    level: options.level,
    format,
    transports:
      options.transports ??
      (options.file ? [new winston.transports.File({ filename: options.file })] : [new winston.transports.Console({ stderrLevels: [] })]),
  });
}

export type AuditAction = 'sign-in' | 'sign-out' | 'upload' | 'download' | 'mkdir' | 'rename' | 'move' | 'copy' | 'delete' | (string & {});

export interface AuditEntry {
  action: AuditAction;
  /** Who: the signed-in username. */
  user: string | undefined;
  /** Where: the drive id and the path inside it (for rename/move/copy, `to` is the destination). */
  drive?: string | undefined;
  path?: string | undefined;
  to?: string | undefined;
  /** 'ok', or what went wrong (an error code such as 'forbidden', 'exists'). */
  result: string;
  [extra: string]: unknown;
}

/**
 * One audit line per sign-in, sign-out and file mutation: who, what, where, result. Same shape as the
 * sign-in lines (`audit: '<action>'`), so one query (`audit` present) finds them all.
 */
export function audit(logger: Pick<Logger, 'info'>, entry: AuditEntry): void {
  const { action, user, result, ...rest } = entry;
  const where = entry.drive ? ` ${entry.drive}:${entry.path ?? '/'}` : '';
  logger.info(`audit ${action}${where} by ${user ?? 'anonymous'}: ${result}`, { audit: action, user, result, ...rest });
}
