// A file server that refuses the sign-in method (NTLM switched off) is a typed error and a clear 502, never a 500,
// and never taken for a wrong password (no sign-out, no "logon failure" count).
import { describe, expect, it } from 'vitest';
import { AuthMethodRefusedError, toHttpError } from '../../../src/errors/index.js';
import { errorFromStatus, SmbAuthError, SmbAuthMethodRefusedError, SmbKerberosCredentialMissingError } from '../../../src/smb/errors.js';
import { NtStatus } from '../../../src/smb/messages/ntstatus.js';

describe('the file server refuses the sign-in method', () => {
  it('STATUS_NTLM_BLOCKED is an SmbAuthMethodRefusedError, apart from credential refusals', () => {
    const err = errorFromStatus(NtStatus.NTLM_BLOCKED, 'SESSION_SETUP');
    expect(err).toBeInstanceOf(SmbAuthMethodRefusedError);
    expect(err).not.toBeInstanceOf(SmbAuthError);
    expect(err.statusName).toBe('STATUS_NTLM_BLOCKED');
  });

  it('is a 502 whose message says so, for the page and the JSON shape alike', () => {
    const http = toHttpError(errorFromStatus(NtStatus.NTLM_BLOCKED, 'SESSION_SETUP'), 'Welcome.txt');
    expect(http).toBeInstanceOf(AuthMethodRefusedError);
    expect(http).toMatchObject({ status: 502, code: 'auth_method_refused', expose: true });
    expect(http.message).toMatch(/^The file server refused this sign-in method\./);
  });

  it('SMB_AUTH=kerberos with no TGT in the session is the same refusal, not a protocol error (was a 500)', () => {
    const err = new SmbKerberosCredentialMissingError();
    expect(err).toBeInstanceOf(SmbAuthMethodRefusedError);
    expect(err).not.toBeInstanceOf(SmbAuthError);
    expect(toHttpError(err)).toMatchObject({ status: 502, code: 'auth_method_refused' });
  });
});
