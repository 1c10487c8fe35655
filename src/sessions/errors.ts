import { said, UnauthorizedError, UnavailableError, type AppErrorOptions } from '../errors/index.js';

export type CredentialRejection =
  | 'logon_failure'
  | 'password_expired'
  | 'password_must_change'
  | 'account_locked'
  | 'account_disabled'
  | 'account_expired'
  | 'account_restricted';

/**
 * The file server refused the credential kept in the session (password changed or expired, account
 * locked …). Not something a retry fixes: the web layer signs the user out and shows `message`.
 */
export class CredentialsRejectedError extends UnauthorizedError {
  constructor(
    readonly reason: CredentialRejection,
    options: AppErrorOptions = {},
  ) {
    super(...said(`errors.rejected.${reason}`, undefined, { code: 'credentials_rejected', ...options }));
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
      ...(retryAfterSeconds === undefined
        ? said('errors.smbBusy.plain', undefined, { code: 'smb_busy', ...rest })
        : said('errors.smbBusy.seconds', { count: String(retryAfterSeconds) }, { code: 'smb_busy', ...rest })),
    );
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
