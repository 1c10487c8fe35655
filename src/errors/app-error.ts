/**
 * The one error hierarchy of the application. Anything thrown below the web layer either is an
 * AppError or is turned into one by toHttpError(), so routes and the error middleware only ever
 * deal with these.
 */
import type { MessageKeyOf, Params } from '../i18n/index.js';

export interface AppErrorOptions {
  cause?: unknown;
  /** Machine-readable code for the JSON shape; defaults per class. */
  code?: string;
  /**
   * The message in the catalogue (src/i18n), so the error page and JSON speak the user's language. Without it
   * the English `message` is shown as it is.
   */
  messageKey?: MessageKeyOf;
  /** Numbers are written the language's way where shown ("10,000" / "10.000"). */
  messageParams?: Params;
}

export class AppError extends Error {
  /** Safe to show to the user: every subclass except InternalError carries a message written for users. */
  readonly expose: boolean = true;

  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.messageKey = options.messageKey;
    this.messageParams = options.messageParams;
  }

  /** Where the user's message is in the catalogue (see AppErrorOptions). */
  readonly messageKey: MessageKeyOf | undefined;
  readonly messageParams: Params | undefined;
}

/** A class per status; its default message is also in the catalogue as errors.default.<code>. */
const fixed = (status: number, code: string, defaultMessage: string) =>
  class extends AppError {
    constructor(message?: string, options: AppErrorOptions = {}) {
      const withKey = message === undefined && options.messageKey === undefined ? { ...options, messageKey: `errors.default.${code}` as MessageKeyOf } : options;
      super(status, message ?? defaultMessage, options.code ?? code, withKey);
    }
  };

export class BadRequestError extends fixed(400, 'bad_request', 'The request was not understood.') {}
export class UnauthorizedError extends fixed(401, 'unauthorized', 'Please sign in.') {}
export class ForbiddenError extends fixed(403, 'forbidden', 'You do not have permission to do that.') {}
export class NotFoundError extends fixed(404, 'not_found', 'The page you asked for does not exist.') {}
export class ConflictError extends fixed(409, 'conflict', 'That conflicts with something that already exists.') {}
export class PayloadTooLargeError extends fixed(413, 'payload_too_large', 'That is too large to upload.') {}
export class LockedError extends fixed(423, 'locked', 'That item is in use by someone else. Try again when they have closed it.') {}
/** The file server has no room for what is being written (its disk or the user's quota is full). */
export class InsufficientStorageError extends fixed(507, 'drive_full', 'The drive is full. Free some space on it, then try again.') {}
/** A known upstream outage (LDAP or file server): expected, reported once, recovers by itself. */
export class UnavailableError extends fixed(503, 'unavailable', 'The file server is not answering. Try again shortly.') {}

/**
 * The file server refused the sign-in method Portcullis used (NTLM switched off on a Kerberos-only domain). 502: an
 * upstream refused us, which no retry by the user fixes (so not 503, whose Retry-After and outage report would say
 * "wait"), and which is not about the user's rights or password (so not 403 or 401, which would send them to ask for
 * permission or sign in again). Expected once configured wrongly, so a warning in the log rather than a mail per request.
 */
export class AuthMethodRefusedError extends fixed(
  502,
  'auth_method_refused',
  'The file server refused this sign-in method. Your password is fine, but the file server does not accept the way Portcullis signs in to it. Tell the help desk.',
) {}

/** Something we did not expect. Its message is for logs only; users see a generic text and a reference. */
export class InternalError extends AppError {
  override readonly expose = false;

  constructor(message = 'Internal error', options: AppErrorOptions = {}) {
    super(500, message, options.code ?? 'internal', options);
  }
}

export const PUBLIC_INTERNAL_MESSAGE = 'Something went wrong on our side. If it keeps happening, tell the help desk the reference below.';
