import {
  SmbAccessDeniedError,
  SmbAccountDisabledError,
  SmbAccountExpiredError,
  SmbAccountLockedError,
  SmbAccountRestrictionError,
  SmbAuthError,
  SmbAuthMethodRefusedError,
  SmbKerberosCredentialMissingError,
  SmbBadShareError,
  SmbDisconnectedError,
  SmbError,
  SmbExistsError,
  SmbGuestSessionError,
  SmbIsDirectoryError,
  SmbNotDirectoryError,
  SmbNotEmptyError,
  SmbNotFoundError,
  SmbPasswordExpiredError,
  SmbPasswordMustChangeError,
  SmbProtocolError,
  SmbTimeoutError,
  SmbUnsignedSessionError,
} from '../../smb/index.js';
import { KdcError, KdcUnreachableError, KrbError } from '../../krb/errors.js';
import { PromptInterrupted } from './prompt.js';
import { UsageError } from './usage.js';

export const EXIT = { ok: 0, other: 1, notFound: 2, accessDenied: 3, logonFailure: 4, cannotConnect: 5, interrupted: 130 } as const;

/** A failure the CLI itself detects (e.g. "is a directory"), reported like a server error. */
export class CliError extends Error {
  readonly code: number;
  constructor(message: string, code: number = EXIT.other) {
    super(message);
    this.code = code;
  }
}

/** Thrown when the user pressed Ctrl-C during a transfer (after the partial output was removed). */
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
}

/** What the failed step was about: names for the message. */
export interface ErrorContext {
  /** "connect" while connecting, signing in and connecting the share; "op" afterwards. */
  phase: 'connect' | 'op';
  /** host:port, for "cannot connect". */
  server: string;
  /** DOMAIN\user, for logon failures. */
  user: string;
  /** The item (UNC or local path) the failing step worked on. */
  subject: string;
}

export interface Reported {
  code: number;
  /** One line, no trailing newline, no stack trace. */
  line: string;
}

const AUTH_REASONS: [new (...args: never[]) => SmbAuthError, string][] = [
  [SmbAccountLockedError, 'account locked out'],
  [SmbAccountDisabledError, 'account disabled'],
  [SmbAccountExpiredError, 'account expired'],
  [SmbPasswordExpiredError, 'password expired'],
  [SmbPasswordMustChangeError, 'password must be changed'],
  [SmbAccountRestrictionError, 'account restriction'],
];

/** Maps any failure to the documented exit code and a one-line message. */
export function report(err: unknown, ctx: ErrorContext): Reported {
  const prefix = 'portcullis smb: ';
  if (err instanceof UsageError) return { code: EXIT.other, line: `${prefix}${err.message} (see: portcullis smb --help)` };
  if (err instanceof PromptInterrupted || err instanceof Interrupted) return { code: EXIT.interrupted, line: `${prefix}interrupted` };
  if (err instanceof CliError) return { code: err.code, line: `${prefix}${err.message}` };
  if (err instanceof KdcUnreachableError) return { code: EXIT.cannotConnect, line: `${prefix}cannot connect to a KDC: ${oneLine(err.message)}` };
  // The KDC refused the sign-in (wrong password, unknown or disabled account …): a logon failure, as with NTLM.
  if (err instanceof KdcError) return { code: EXIT.logonFailure, line: `${prefix}Kerberos logon failure: ${ctx.user}: ${oneLine(err.message)}` };
  if (err instanceof KrbError) return { code: EXIT.other, line: `${prefix}Kerberos: ${oneLine(err.message)}` };
  if (err instanceof SmbError) {
    const status = ` (${err.statusName})`;
    // The server did not refuse the logon: it offered only a guest (or anonymous) session, which we refuse.
    // Exit 3 (access denied), as issue 10 asks, keeps it apart from a logon the server itself refused (4).
    if (err instanceof SmbGuestSessionError) {
      return { code: EXIT.accessDenied, line: `${prefix}logon failure: the server offered only a guest session (wrong password?), refused: ${ctx.user}${status}` };
    }
    // The password was never checked: the server (NTLM switched off) refused how we sign in. Exit 4 all the same,
    // since scripts read 4 as "could not sign in", but the line says it is not the password.
    if (err instanceof SmbAuthMethodRefusedError) {
      return { code: EXIT.logonFailure, line: `${prefix}the file server refused this sign-in method (${err instanceof SmbKerberosCredentialMissingError ? 'Kerberos' : 'NTLM'}): ${ctx.user}${status}` };
    }
    if (err instanceof SmbAuthError) {
      const reason = AUTH_REASONS.find(([cls]) => err instanceof cls)?.[1];
      return { code: EXIT.logonFailure, line: `${prefix}logon failure: ${reason === undefined ? '' : `${reason}: `}${ctx.user}${status}` };
    }
    if (err instanceof SmbUnsignedSessionError) {
      return {
        code: EXIT.other,
        line: `${prefix}refused: ${ctx.server} will not sign its SMB 2.x session; only for a legacy server you trust, set SMB_ALLOW_UNSIGNED_HOSTS to its name${status}`,
      };
    }
    if (ctx.phase === 'connect' && (err instanceof SmbDisconnectedError || err instanceof SmbTimeoutError || err instanceof SmbProtocolError)) {
      return { code: EXIT.cannotConnect, line: `${prefix}cannot connect: ${ctx.server} (${connectReason(err)})` };
    }
    if (err instanceof SmbBadShareError) return { code: EXIT.notFound, line: `${prefix}not found: no such share: ${ctx.subject}${status}` };
    if (err instanceof SmbNotFoundError) return { code: EXIT.notFound, line: `${prefix}not found: ${ctx.subject}${status}` };
    if (err instanceof SmbAccessDeniedError) return { code: EXIT.accessDenied, line: `${prefix}access denied: ${ctx.subject}${status}` };
    const what =
      err instanceof SmbExistsError ? 'already exists'
      : err instanceof SmbNotEmptyError ? 'folder not empty'
      : err instanceof SmbIsDirectoryError ? 'is a folder'
      : err instanceof SmbNotDirectoryError ? 'not a folder'
      : err instanceof SmbDisconnectedError ? 'connection lost'
      : err instanceof SmbTimeoutError ? 'timed out'
      : 'failed';
    return { code: EXIT.other, line: `${prefix}${what}: ${ctx.subject}${status}` };
  }
  const errno = errnoOf(err);
  if (errno !== undefined) {
    const path = pathOf(err) ?? ctx.subject;
    if (errno === 'ENOENT') return { code: EXIT.notFound, line: `${prefix}not found: ${path} (ENOENT)` };
    if (errno === 'EACCES' || errno === 'EPERM') return { code: EXIT.accessDenied, line: `${prefix}access denied: ${path} (${errno})` };
    return { code: EXIT.other, line: `${prefix}${path}: ${oneLine(err instanceof Error ? err.message : String(err))}` };
  }
  return { code: EXIT.other, line: `${prefix}${oneLine(err instanceof Error ? err.message : String(err))}` };
}

/** "ECONNREFUSED", "ENOTFOUND", "timed out after 10000 ms" … rather than the whole chain. */
function connectReason(err: SmbError): string {
  const code = errnoOf(err.cause);
  if (code !== undefined) return code;
  if (err instanceof SmbTimeoutError) return oneLine(err.message);
  return `${err.statusName}: ${oneLine(err.message)}`;
}

function errnoOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code = (err as { code: unknown }).code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

function pathOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('path' in err)) return undefined;
  const path = (err as { path: unknown }).path;
  return typeof path === 'string' ? path : undefined;
}

export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
