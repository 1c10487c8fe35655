import { NtStatus, ntStatusName } from './messages/ntstatus.js';

/** Every failure coming out of src/smb is an SmbError; callers switch on the subclass, logs read statusName. */
export class SmbError extends Error {
  readonly status: number;
  readonly statusName: string;
  /** The command that failed, when known, so a message can say what was being attempted. */
  readonly command: string | undefined;

  constructor(status: number, message?: string, options?: { cause?: unknown; command?: string }) {
    const name = ntStatusName(status);
    super(message ?? name, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = status >>> 0;
    this.statusName = name;
    this.command = options?.command;
    this.name = new.target.name;
  }
}

export class SmbNotFoundError extends SmbError {}
export class SmbAccessDeniedError extends SmbError {}
export class SmbExistsError extends SmbError {}
export class SmbNotEmptyError extends SmbError {}
export class SmbSharingViolationError extends SmbError {}
/** A byte-range lock held by another open is in the way (a kind of sharing conflict, told apart for users). */
export class SmbLockedError extends SmbSharingViolationError {}
export class SmbIsDirectoryError extends SmbError {}
export class SmbNotDirectoryError extends SmbError {}
export class SmbDiskFullError extends SmbError {}
export class SmbInvalidNameError extends SmbError {}
export class SmbNotSupportedError extends SmbError {}
export class SmbBadShareError extends SmbError {}
/** The session or tree vanished server-side; reconnecting fixes it. */
export class SmbSessionExpiredError extends SmbError {}
export class SmbCancelledError extends SmbError {}

/** Authentication outcomes are distinct so the UI can tell the user what to do. */
export class SmbAuthError extends SmbError {}
export class SmbLogonFailureError extends SmbAuthError {}
export class SmbPasswordExpiredError extends SmbAuthError {}
export class SmbPasswordMustChangeError extends SmbAuthError {}
export class SmbAccountLockedError extends SmbAuthError {}
export class SmbAccountDisabledError extends SmbAuthError {}
export class SmbAccountExpiredError extends SmbAuthError {}
export class SmbAccountRestrictionError extends SmbAuthError {}
/**
 * The server let the credentials in only as a guest or anonymous session (`map to guest = Bad Password`
 * turns a wrong password into one). Refused: it would show the guest's files under the user's name.
 */
export class SmbGuestSessionError extends SmbLogonFailureError {}

/**
 * The server refused the *way* we authenticated, not the credentials: NTLM switched off on the file server or its
 * domain (STATUS_NTLM_BLOCKED, measured from Samba 4.17 with `ntlm auth = disabled` at the NTLM AUTHENTICATE step).
 * Deliberately not an SmbAuthError: the password was never judged, so signing the user out or counting a logon
 * failure would be wrong; retrying the same method is pointless until the server's policy or ours changes.
 */
export class SmbAuthMethodRefusedError extends SmbError {}

/**
 * SMB_AUTH=kerberos, but this session holds no TGT to ask for a service ticket with (signed in before Kerberos was
 * on, or the KDC refused at sign-in): our own policy refuses the only method the session could use. The same
 * outcome for the user as the server refusing NTLM, so the same class; the password was never judged here either.
 */
export class SmbKerberosCredentialMissingError extends SmbAuthMethodRefusedError {
  constructor(message = 'SMB authentication is set to Kerberos but this session holds no Kerberos credential') {
    super(NtStatus.LOGON_TYPE_NOT_GRANTED, message);
  }
}

/** The connection is gone (closed, reset, refused); every pending request fails with this at once. */
export class SmbDisconnectedError extends SmbError {
  constructor(message = 'SMB connection closed', options?: { cause?: unknown; command?: string }) {
    super(NtStatus.CONNECTION_DISCONNECTED, message, options);
  }
}

export class SmbTimeoutError extends SmbError {
  constructor(message = 'SMB request timed out', options?: { cause?: unknown; command?: string }) {
    super(NtStatus.IO_TIMEOUT, message, options);
  }
}

/** A signature or AEAD tag did not verify, or a response that must be protected was not. */
export class SmbIntegrityError extends SmbError {
  constructor(message = 'SMB message failed integrity check', options?: { cause?: unknown; command?: string }) {
    super(NtStatus.INVALID_SIGNATURE, message, options);
  }
}

/**
 * An SMB 2.x server would not sign the session (its final SESSION_SETUP response came back unsigned), and
 * the caller did not allow unsigned sessions with this server. SMB 3.x servers always sign, so this names a
 * legacy server.
 */
export class SmbUnsignedSessionError extends SmbIntegrityError {}

/** The server broke the protocol (bad framing, malformed body, impossible values). */
export class SmbProtocolError extends SmbError {
  constructor(message: string, options?: { cause?: unknown; command?: string }) {
    super(NtStatus.INVALID_NETWORK_RESPONSE, message, options);
  }
}

type ErrorOptions = { cause?: unknown; command?: string };
type ErrorFactory = (status: number, message: string, options?: ErrorOptions) => SmbError;

const plain =
  (cls: new (status: number, message?: string, options?: ErrorOptions) => SmbError): ErrorFactory =>
  (status, message, options) =>
    new cls(status, message, options);

const byStatus = new Map<number, ErrorFactory>([
  [NtStatus.NO_SUCH_FILE, plain(SmbNotFoundError)],
  [NtStatus.OBJECT_NAME_NOT_FOUND, plain(SmbNotFoundError)],
  [NtStatus.OBJECT_PATH_NOT_FOUND, plain(SmbNotFoundError)],
  [NtStatus.NOT_FOUND, plain(SmbNotFoundError)],
  [NtStatus.DELETE_PENDING, plain(SmbNotFoundError)],
  [NtStatus.FILE_DELETED, plain(SmbNotFoundError)],
  [NtStatus.ACCESS_DENIED, plain(SmbAccessDeniedError)],
  [NtStatus.NETWORK_ACCESS_DENIED, plain(SmbAccessDeniedError)],
  [NtStatus.PRIVILEGE_NOT_HELD, plain(SmbAccessDeniedError)],
  [NtStatus.MEDIA_WRITE_PROTECTED, plain(SmbAccessDeniedError)],
  [NtStatus.CANNOT_DELETE, plain(SmbAccessDeniedError)],
  [NtStatus.OBJECT_NAME_COLLISION, plain(SmbExistsError)],
  [NtStatus.OBJECT_NAME_EXISTS, plain(SmbExistsError)],
  [NtStatus.DIRECTORY_NOT_EMPTY, plain(SmbNotEmptyError)],
  [NtStatus.SHARING_VIOLATION, plain(SmbSharingViolationError)],
  [NtStatus.FILE_LOCK_CONFLICT, plain(SmbLockedError)],
  [NtStatus.LOCK_NOT_GRANTED, plain(SmbLockedError)],
  [NtStatus.FILE_IS_A_DIRECTORY, plain(SmbIsDirectoryError)],
  [NtStatus.NOT_A_DIRECTORY, plain(SmbNotDirectoryError)],
  [NtStatus.DISK_FULL, plain(SmbDiskFullError)],
  [NtStatus.QUOTA_EXCEEDED, plain(SmbDiskFullError)],
  [NtStatus.OBJECT_NAME_INVALID, plain(SmbInvalidNameError)],
  [NtStatus.OBJECT_PATH_INVALID, plain(SmbInvalidNameError)],
  [NtStatus.OBJECT_PATH_SYNTAX_BAD, plain(SmbInvalidNameError)],
  [NtStatus.NOT_SUPPORTED, plain(SmbNotSupportedError)],
  [NtStatus.NOT_IMPLEMENTED, plain(SmbNotSupportedError)],
  [NtStatus.INVALID_DEVICE_REQUEST, plain(SmbNotSupportedError)],
  [NtStatus.BAD_NETWORK_NAME, plain(SmbBadShareError)],
  [NtStatus.BAD_NETWORK_PATH, plain(SmbBadShareError)],
  [NtStatus.USER_SESSION_DELETED, plain(SmbSessionExpiredError)],
  [NtStatus.NETWORK_SESSION_EXPIRED, plain(SmbSessionExpiredError)],
  [NtStatus.NETWORK_NAME_DELETED, plain(SmbSessionExpiredError)],
  [NtStatus.CANCELLED, plain(SmbCancelledError)],
  [NtStatus.LOGON_FAILURE, plain(SmbLogonFailureError)],
  [NtStatus.WRONG_PASSWORD, plain(SmbLogonFailureError)],
  [NtStatus.NO_SUCH_USER, plain(SmbLogonFailureError)],
  [NtStatus.PASSWORD_EXPIRED, plain(SmbPasswordExpiredError)],
  [NtStatus.PASSWORD_MUST_CHANGE, plain(SmbPasswordMustChangeError)],
  [NtStatus.ACCOUNT_LOCKED_OUT, plain(SmbAccountLockedError)],
  [NtStatus.ACCOUNT_DISABLED, plain(SmbAccountDisabledError)],
  [NtStatus.ACCOUNT_EXPIRED, plain(SmbAccountExpiredError)],
  [NtStatus.ACCOUNT_RESTRICTION, plain(SmbAccountRestrictionError)],
  [NtStatus.INVALID_LOGON_HOURS, plain(SmbAccountRestrictionError)],
  [NtStatus.INVALID_WORKSTATION, plain(SmbAccountRestrictionError)],
  [NtStatus.LOGON_TYPE_NOT_GRANTED, plain(SmbAccountRestrictionError)],
  [NtStatus.NTLM_BLOCKED, plain(SmbAuthMethodRefusedError)],
  [NtStatus.CONNECTION_DISCONNECTED, (_s, m, o) => new SmbDisconnectedError(m, o)],
  [NtStatus.CONNECTION_RESET, (_s, m, o) => new SmbDisconnectedError(m, o)],
  [NtStatus.IO_TIMEOUT, (_s, m, o) => new SmbTimeoutError(m, o)],
  [NtStatus.INVALID_SIGNATURE, (_s, m, o) => new SmbIntegrityError(m, o)],
]);

/** Maps a failing NTSTATUS to the most specific error class; the generic SmbError otherwise. */
export function errorFromStatus(status: number, command?: string, subject?: string): SmbError {
  const name = ntStatusName(status);
  const message = subject === undefined ? name : `${name}: ${subject}`;
  const options = command === undefined ? undefined : { command };
  const make = byStatus.get(status >>> 0);
  return make === undefined ? new SmbError(status, message, options) : make(status, message, options);
}
