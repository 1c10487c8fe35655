import { UnauthorizedError, UnavailableError, type AppErrorOptions } from '../errors/index.js';

export type CredentialRejection =
  | 'logon_failure'
  | 'password_expired'
  | 'password_must_change'
  | 'account_locked'
  | 'account_disabled'
  | 'account_expired'
  | 'account_restricted';

const MESSAGES: Record<CredentialRejection, string> = {
  logon_failure: 'The file server no longer accepts your password. If you changed it, please sign in again with the new one.',
  password_expired: 'Your password has expired. Change it, then sign in again.',
  password_must_change: 'You must change your password before you can use the file server. Change it, then sign in again.',
  account_locked: 'Your account is locked. Try again later, or ask the help desk.',
  account_disabled: 'Your account has been disabled. Ask the help desk.',
  account_expired: 'Your account has expired. Ask the help desk.',
  account_restricted: 'Your account may not use the file server at the moment. Ask the help desk.',
};

/**
 * The file server refused the credential kept in the session (password changed or expired, account
 * locked …). Not something a retry fixes: the web layer signs the user out and shows `message`.
 */
export class CredentialsRejectedError extends UnauthorizedError {
  constructor(
    readonly reason: CredentialRejection,
    options: AppErrorOptions = {},
  ) {
    super(MESSAGES[reason], { code: 'credentials_rejected', ...options });
  }
}

/**
 * Every connection slot to that server is in use, or too many connections are being set up, and the queue is
 * full or the wait was too long. `retryAfterSeconds` (when known) goes out as Retry-After and in the message.
 */
export class SmbBusyError extends UnavailableError {
  readonly retryAfterSeconds: number | undefined;

  constructor(options: AppErrorOptions & { retryAfterSeconds?: number } = {}) {
    const { retryAfterSeconds, ...rest } = options;
    super(
      retryAfterSeconds === undefined
        ? 'The file server is busy, try again shortly.'
        : `The file server is busy, please try again in ${retryAfterSeconds === 1 ? 'a second' : `${retryAfterSeconds} seconds`}.`,
      { code: 'smb_busy', ...rest },
    );
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
