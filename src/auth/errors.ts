import { AppError, type AppErrorOptions, InternalError, UnauthorizedError, UnavailableError } from '../errors/index.js';

/**
 * Sign-in failures as users should read them. The wording never says whether an account exists:
 * a wrong password and an unknown user share one class and one message.
 */

export const INVALID_CREDENTIALS_MESSAGE = 'The username or password is incorrect.';

export class InvalidCredentialsError extends AppError {
  constructor(options: AppErrorOptions = {}) {
    super(401, INVALID_CREDENTIALS_MESSAGE, options.code ?? 'invalid_credentials', { messageKey: 'errors.auth.invalidCredentials', ...options });
  }
}

export class AccountLockedError extends AppError {
  constructor(options: AppErrorOptions = {}) {
    super(401, 'Your account is locked after too many failed sign-ins. Wait a few minutes and try again, or contact the help desk.', options.code ?? 'account_locked', { messageKey: 'errors.auth.accountLocked', ...options });
  }
}

export class PasswordExpiredError extends AppError {
  constructor(options: AppErrorOptions = {}) {
    super(401, 'Your password has expired. Change it, then sign in again.', options.code ?? 'password_expired', { messageKey: 'errors.auth.passwordExpired', ...options });
  }
}

export class PasswordMustChangeError extends AppError {
  constructor(options: AppErrorOptions = {}) {
    super(401, 'You must change your password before you can sign in. Change it, then sign in again.', options.code ?? 'password_must_change', { messageKey: 'errors.auth.passwordMustChange', ...options });
  }
}

export class AccountDisabledError extends AppError {
  constructor(options: AppErrorOptions = {}) {
    super(401, 'Your account is disabled. Contact the help desk.', options.code ?? 'account_disabled', { messageKey: 'errors.auth.accountDisabled', ...options });
  }
}

export class AccountExpiredError extends AppError {
  constructor(options: AppErrorOptions = {}) {
    super(401, 'Your account has expired. Contact the help desk.', options.code ?? 'account_expired', { messageKey: 'errors.auth.accountExpired', ...options });
  }
}

/** AD logon-hours (530) and workstation (531) restrictions: the account is fine, just not here or not now. */
export class SignInNotAllowedNowError extends AppError {
  constructor(options: AppErrorOptions = {}) {
    super(401, 'Your account is not allowed to sign in at this time or from here. Contact the help desk if you think it should be.', options.code ?? 'sign_in_not_allowed_now', { messageKey: 'errors.auth.signInNotAllowedNow', ...options });
  }
}

/** Not in any of the configured groups. Deliberately says nothing about which groups would do. */
export class SignInNotAllowedError extends AppError {
  constructor(options: AppErrorOptions = {}) {
    super(403, 'Your account is not allowed to use this service.', options.code ?? 'sign_in_not_allowed', { messageKey: 'errors.auth.signInNotAllowed', ...options });
  }
}

export class TooManyAttemptsError extends AppError {
  constructor(
    /** For the Retry-After header. */
    readonly retryAfterSeconds: number,
    options: AppErrorOptions = {},
  ) {
    super(429, `Too many sign-in attempts. Try again in ${describeWait(retryAfterSeconds)}.`, options.code ?? 'too_many_attempts', { ...waitKey('errors.auth.tooManyAttempts', retryAfterSeconds), ...options });
  }
}

/**
 * More sign-ins at once than the directory can take within the configured wait (SIGNIN_CONCURRENCY,
 * SIGNIN_QUEUE_WAIT_SECONDS). Not an outage: the DC is answering, just busy, so no "service degraded" report.
 */
export class SignInBusyError extends AppError {
  constructor(
    /** For the Retry-After header. */
    readonly retryAfterSeconds: number,
    options: AppErrorOptions = {},
  ) {
    super(503, `Many people are signing in right now. Please try again in ${describeWait(retryAfterSeconds)}.`, options.code ?? 'sign_in_busy', { ...waitKey('errors.auth.signInBusy', retryAfterSeconds), ...options });
  }
}

/** The catalogue's form of a message with a wait, as describeWait words it: <base>Seconds or <base>Minutes with {count}. */
function waitKey(base: 'errors.auth.tooManyAttempts' | 'errors.auth.signInBusy', seconds: number): AppErrorOptions {
  if (seconds < 60) return { messageKey: `${base}Seconds`, messageParams: { count: String(seconds) } };
  return { messageKey: `${base}Minutes`, messageParams: { count: String(Math.ceil(seconds / 60)) } };
}

function describeWait(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** Every configured DC failed to answer (refused, timed out, TLS failure). Extends the generic outage error so reporting treats it as one. */
export class DirectoryUnavailableError extends UnavailableError {
  constructor(options: AppErrorOptions = {}) {
    super('The sign-in service is not answering, try again shortly.', { code: 'directory_unavailable', messageKey: 'errors.auth.directoryUnavailable', ...options });
  }
}

/**
 * The service account could not bind, or the directory answered something we cannot use. The
 * user sees the generic internal-error page; the message is for the admin's log and mail.
 */
export class DirectoryConfigError extends InternalError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, { code: 'directory_config', ...options });
  }
}

/** A sealed credential that does not open with the key from the cookie: tampered, mixed up or from another user. */
export class CredentialUnreadableError extends UnauthorizedError {
  constructor(options: AppErrorOptions = {}) {
    super('Your sign-in has expired. Please sign in again.', { code: 'credential_unreadable', messageKey: 'errors.auth.credentialUnreadable', ...options });
  }
}

/**
 * The hex `data XXX` of an AD bind failure (LDAP result 49), e.g.
 * "80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext error, data 52e, v3839".
 */
export function adBindSubCode(diagnosticMessage: string): string | undefined {
  const match = /\bdata ([0-9a-f]{1,8})\b/i.exec(diagnosticMessage);
  return match?.[1]?.toLowerCase();
}

/** AD sub-code → typed error. Unknown codes and "no such user" (525) read exactly like a wrong password. */
export function errorForBindSubCode(subCode: string | undefined, cause?: unknown): AppError {
  const options = { cause };
  switch (subCode) {
    case '775':
      return new AccountLockedError(options);
    case '532':
      return new PasswordExpiredError(options);
    case '773':
      return new PasswordMustChangeError(options);
    case '533':
      return new AccountDisabledError(options);
    case '701':
      return new AccountExpiredError(options);
    case '530':
    case '531':
      return new SignInNotAllowedNowError(options);
    default:
      return new InvalidCredentialsError(options);
  }
}
