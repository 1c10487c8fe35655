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

// Everything that ends a line for some reader of logs (CR, LF, VT, FF, NEL, U+2028/2029, and the other C0
// and C1 controls terminals act on) and the bidi controls that reorder what a reader sees. Names of files
// and users reach log lines, so none of these may appear raw: escaped, a name can never start a forged line.
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_LINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `text` with every character of UNSAFE_IN_LINE written as an escape (`\n`, `\u0085` …). The escapes are valid
 * in JSON strings too, and JSON text has these characters only inside strings, so it stays valid JSON.
 */
export function escapeForLog(text: string): string {
  return text.replace(UNSAFE_IN_LINE, (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const MESSAGE = Symbol.for('message');

/** The last step of both formats: the finished line, whatever went into it, is one line. */
const oneLine = winston.format((info) => {
  const line: unknown = (info as Record<symbol, unknown>)[MESSAGE];
  if (typeof line === 'string') (info as Record<symbol, unknown>)[MESSAGE] = escapeForLog(line);
  return info;
});

/**
 * A stack trace for the pretty format, below its entry: the error's message (which may carry a file name) is
 * escaped onto one line, and every line of the trace is indented, so that whatever an error says, only the
 * entry's first line starts at the left margin.
 */
function traceLines(stack: string, message: unknown): string {
  const text = typeof message === 'string' && message !== '' ? stack.replace(message, () => escapeForLog(message)) : stack;
  return text
    .split('\n')
    .map((l) => `\n${/^\s/.test(l) ? '' : '    '}${escapeForLog(l)}`)
    .join('');
}

// Only string keys: winston's symbol keys hold the caller's original, unredacted arguments.
const pretty = winston.format.printf((info) => {
  const rest: Record<string, unknown> = {};
  const traces: string[] = typeof info.stack === 'string' ? [traceLines(info.stack, info.message)] : [];
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'message' || key === 'timestamp' || key === 'stack') continue;
    const value = info[key];
    if (typeof value === 'object' && value !== null && typeof (value as { stack?: unknown }).stack === 'string') {
      const { stack, ...fields } = value as { stack: string; message?: unknown };
      traces.push(traceLines(stack, fields.message));
      rest[key] = fields;
    } else {
      rest[key] = value;
    }
  }
  const meta = Object.keys(rest).length > 0 ? ` ${escapeForLog(inspect(rest, { breakLength: Infinity, compact: true, depth: 4, colors: false }))}` : '';
  // The level is escaped by nobody: colorize wraps it in terminal colour codes on purpose.
  return `${String(info.timestamp)} ${info.level} ${escapeForLog(String(info.message))}${meta}${traces.join('')}`;
});

export function createLogger(options: LoggerOptions): Logger {
  const format =
    options.format === 'json'
      ? winston.format.combine(winston.format.errors({ stack: true }), redactFormat(), winston.format.timestamp(), winston.format.json(), oneLine())
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
