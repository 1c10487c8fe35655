import { Dialect, SessionFlag } from './messages/constants.js';
import { NtStatus } from './messages/ntstatus.js';
import { SmbGuestSessionError, SmbIntegrityError, SmbUnsignedSessionError } from './errors.js';

/**
 * We only ever authenticate as a user, so a guest or anonymous (null) session means the server did not
 * accept the credentials (`map to guest = Bad Password`) or someone rewrote its answer. Such a session has
 * no key to sign with and shows the guest's files, so it is a logon failure, never a fallback.
 */
export function refuseGuestSession(sessionFlags: number): void {
  if ((sessionFlags & SessionFlag.IS_NULL) !== 0) {
    throw new SmbGuestSessionError(NtStatus.LOGON_FAILURE, 'the server accepted the credentials only as an anonymous session');
  }
  if ((sessionFlags & SessionFlag.IS_GUEST) !== 0) {
    throw new SmbGuestSessionError(NtStatus.LOGON_FAILURE, 'the server accepted the credentials only as a guest session');
  }
}

/** How every message of a session after SESSION_SETUP is protected. */
export type Protection = 'encrypt' | 'sign' | 'unsigned';

export interface ProtectionFacts {
  host: string;
  dialect: number;
  /** The server set ENCRYPT_DATA, or the caller asked for encryption (a cipher was negotiated). */
  encrypt: boolean;
  /** The final SESSION_SETUP response carried a signature, already verified with the new key. */
  finalSigned: boolean;
  /** The caller named this server as a legacy one whose SMB 2.x sessions may run unsigned. */
  allowUnsigned: boolean;
}

/**
 * We always offer SIGNING_REQUIRED, so a server that honours it signs the final SESSION_SETUP response
 * ([MS-SMB2] 3.3.5.5.3) and every later response to a signed request (3.3.4.1.1). An unsigned final
 * response therefore means a server that will not sign, or a man in the middle who stripped the
 * signature: 3.1.1 forbids it outright (3.2.5.3.1), 3.x servers all sign, and only on 2.0.2/2.1 may a
 * named legacy server run unsigned. Encryption (3.x) protects integrity too, so it replaces signing.
 */
export function sessionProtection(facts: ProtectionFacts): Protection {
  if (!facts.finalSigned) {
    if (facts.dialect === Dialect.SMB3_1_1) throw new SmbIntegrityError('the final SESSION_SETUP response is unsigned, which SMB 3.1.1 forbids');
    if (facts.dialect >= Dialect.SMB3_0) throw new SmbIntegrityError('the final SESSION_SETUP response is unsigned although we required signing');
    if (!facts.allowUnsigned) {
      throw new SmbUnsignedSessionError(`${facts.host} would not sign the SMB 2.x session, and unsigned sessions are allowed only with named legacy servers`);
    }
    return 'unsigned';
  }
  return facts.encrypt ? 'encrypt' : 'sign';
}
