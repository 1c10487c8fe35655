import {
  AppError,
  AuthMethodRefusedError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  InsufficientStorageError,
  InternalError,
  LockedError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnavailableError,
  type AppErrorOptions,
} from './app-error.js';
import { said } from './said.js';

/**
 * THE place where foreign errors become HTTP errors. src/smb throws classes named NotFound,
 * AccessDenied … with an NTSTATUS `status`; they are recognised by name and number rather than
 * imported, so the SMB client stays free of web concerns and this file free of SMB imports.
 */

type Make = (item: string | undefined, cause: unknown) => AppError;

/** The English message and where it is in the catalogue (errors.file.<key>.named / .unnamed, with {item}). */
const named = (item: string | undefined, key: FileErrorKey, known: (name: string) => string, unknown: string): { message: string; options: AppErrorOptions } =>
  item
    ? { message: known(`“${item}”`), options: { messageKey: `errors.file.${key}.named`, messageParams: { item } } }
    : { message: unknown, options: { messageKey: `errors.file.${key}.unnamed` } };
type FileErrorKey = 'notFound' | 'denied' | 'exists' | 'notEmpty' | 'locked' | 'full' | 'badName';

const notFound: Make = (item, cause) => {
  const m = named(item, 'notFound', (i) => `${i} was not found. It may have been moved or deleted.`, 'That item was not found.');
  return new NotFoundError(m.message, { ...m.options, cause });
};
const denied: Make = (item, cause) => {
  const m = named(item, 'denied', (i) => `You do not have permission to open ${i}.`, 'You do not have permission to do that.');
  return new ForbiddenError(m.message, { ...m.options, cause });
};
const exists: Make = (item, cause) => {
  const m = named(item, 'exists', (i) => `${i} already exists.`, 'An item with that name already exists.');
  return new ConflictError(m.message, { ...m.options, cause, code: 'exists' });
};
const notEmpty: Make = (item, cause) => {
  const m = named(item, 'notEmpty', (i) => `${i} is a folder that is not empty.`, 'That folder is not empty.');
  return new ConflictError(m.message, { ...m.options, cause, code: 'not_empty' });
};
const locked: Make = (item, cause) => {
  const m = named(item, 'locked', (i) => `${i} is in use by someone else. Try again when they have closed it.`, 'That item is in use by someone else. Try again when they have closed it.');
  return new LockedError(m.message, { ...m.options, cause });
};
// Nothing was saved, so say so with the item; the user can make room (or ask for more) and try again.
const full: Make = (item, cause) => {
  const m = named(item, 'full', (i) => `The drive is full, so ${i} could not be saved. Free some space on it, then try again.`, 'The drive is full. Free some space on it, then try again.');
  return new InsufficientStorageError(m.message, { ...m.options, cause });
};
const unavailable: Make = (_item, cause) => new UnavailableError(undefined, { cause });
// Our own rules (path-safety, upload names) refuse most bad names first; what still reaches the server and is
// refused is server-specific, most often a name over the 255 bytes of UTF-8 a Linux file server holds.
const badName: Make = (item, cause) => {
  const m = named(item, 'badName', (i) => `${i} is not a valid name on the file server (it may be longer than the 255 bytes it allows).`, 'That is not a valid name on the file server.');
  return new BadRequestError(m.message, { ...m.options, cause, code: 'bad_name' });
};
const methodRefused: Make = (_item, cause) => new AuthMethodRefusedError(undefined, { cause });
const signInAgain: Make = (_item, cause) =>
  new UnauthorizedError('Your sign-in is no longer accepted by the file server. Please sign in again.', { cause, messageKey: 'errors.signInAgain' });

// Single sign-on (src/krb's S4U errors): the account may not be used without its password, which the user can do
// something about (sign in with the password, or ask); a service not allowed to delegate is the admins' to fix.
const notDelegatable: Make = (_item, cause) =>
  new ForbiddenError(...said('errors.sso.notDelegatable', undefined, { cause, code: 'not_delegatable' }));
const delegationNotAllowed: Make = (_item, cause) =>
  new AuthMethodRefusedError(...said('errors.sso.delegationNotAllowed', undefined, { cause, code: 'delegation_not_allowed' }));

/** SMB error class names (src/smb/errors), with or without an Smb prefix or Error suffix. */
const BY_NAME: Record<string, Make> = {
  NotFound: notFound,
  AccessDenied: denied,
  Exists: exists,
  NotEmpty: notEmpty,
  SharingViolation: locked,
  DiskFull: full,
  Disconnected: unavailable,
  Timeout: unavailable,
  InvalidName: badName,
  LogonFailure: signInAgain,
  PasswordExpired: signInAgain,
  PasswordMustChange: signInAgain,
  BadShare: notFound,
  SessionExpired: unavailable,
  AuthMethodRefused: methodRefused,
  KerberosCredentialMissing: methodRefused,
  UserNotDelegatable: notDelegatable,
  DelegationTargetNotAllowed: delegationNotAllowed,
  KdcUnreachable: unavailable,
};

/**
 * NTSTATUS names (an SmbError's `statusName`), for SMB errors whose class is generic. Names, not numbers:
 * NTSTATUS values stay inside src/smb (test/unit/architecture.test.ts).
 */
const BY_STATUS_NAME: Record<string, Make> = {
  STATUS_NO_SUCH_FILE: notFound,
  STATUS_OBJECT_NAME_NOT_FOUND: notFound,
  STATUS_OBJECT_PATH_NOT_FOUND: notFound,
  STATUS_BAD_NETWORK_NAME: notFound, // the share
  STATUS_ACCESS_DENIED: denied,
  STATUS_OBJECT_NAME_COLLISION: exists,
  STATUS_DIRECTORY_NOT_EMPTY: notEmpty,
  STATUS_SHARING_VIOLATION: locked,
  STATUS_FILE_LOCK_CONFLICT: locked,
  STATUS_DISK_FULL: full,
  STATUS_QUOTA_EXCEEDED: full,
  STATUS_LOCK_NOT_GRANTED: locked,
  STATUS_OBJECT_NAME_INVALID: badName,
  STATUS_LOGON_FAILURE: signInAgain,
  STATUS_PASSWORD_EXPIRED: signInAgain,
  STATUS_PASSWORD_MUST_CHANGE: signInAgain,
  STATUS_USER_SESSION_DELETED: unavailable,
  STATUS_NETWORK_NAME_DELETED: unavailable,
  STATUS_CONNECTION_DISCONNECTED: unavailable,
  STATUS_IO_TIMEOUT: unavailable,
  STATUS_NTLM_BLOCKED: methodRefused,
};

/** Node socket errors: the server is down or unreachable, which users should hear as "try again". */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

interface ErrorLike {
  name?: unknown;
  status?: unknown;
  statusName?: unknown;
  statusCode?: unknown;
  code?: unknown;
  type?: unknown;
  expose?: unknown;
  message?: unknown;
}

const shortName = (name: string): string => name.replace(/^Smb/, '').replace(/Error$/, '');

/**
 * Maps anything thrown to an AppError. `item` is the user-visible name of the thing involved
 * (a file name, never an internal path), used to word the message.
 */
export function toHttpError(err: unknown, item?: string): AppError {
  if (err instanceof AppError) return err;
  if (typeof err !== 'object' || err === null) return new InternalError(String(err), { cause: err });
  const e = err as ErrorLike;

  const byName = typeof e.name === 'string' ? BY_NAME[shortName(e.name)] : undefined;
  if (byName) return byName(item, err);
  const ctorName = err.constructor?.name;
  const byCtor = ctorName ? BY_NAME[shortName(ctorName)] : undefined;
  if (byCtor) return byCtor(item, err);

  const byStatus = typeof e.statusName === 'string' ? BY_STATUS_NAME[e.statusName] : undefined;
  if (byStatus) return byStatus(item, err);

  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return unavailable(item, err);

  // Errors from Express's own stack (body parsers, http-errors) carry a status and say if their message is safe.
  const httpStatus = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (httpStatus !== undefined && httpStatus >= 400 && httpStatus < 500) {
    const message = e.expose === true && typeof e.message === 'string' ? e.message : undefined;
    switch (httpStatus) {
      case 404:
        return new NotFoundError(message, { cause: err });
      case 413:
        return new PayloadTooLargeError(message, { cause: err });
      case 403:
        return new ForbiddenError(message, { cause: err });
      default:
        return new AppError(httpStatus, message ?? 'The request was not understood.', 'bad_request', { cause: err });
    }
  }

  const message = typeof e.message === 'string' ? e.message : 'Internal error';
  return new InternalError(message, { cause: err });
}
