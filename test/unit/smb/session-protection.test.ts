import { describe, expect, it } from 'vitest';
import { refuseGuestSession, sessionProtection, type ProtectionFacts } from '../../../src/smb/session-protection.js';
import { Dialect, SessionFlag } from '../../../src/smb/messages/constants.js';
import { NtStatus } from '../../../src/smb/messages/ntstatus.js';
import { SmbGuestSessionError, SmbIntegrityError, SmbLogonFailureError, SmbUnsignedSessionError } from '../../../src/smb/errors.js';

const facts = (f: Partial<ProtectionFacts>): ProtectionFacts => ({ host: 'fs1', dialect: Dialect.SMB3_1_1, encrypt: false, finalSigned: true, allowUnsigned: false, ...f });
const SMB3 = [Dialect.SMB3_0, Dialect.SMB3_0_2, Dialect.SMB3_1_1];
const SMB2 = [Dialect.SMB2_0_2, Dialect.SMB2_1];

describe('refuseGuestSession', () => {
  it('refuses a guest, an anonymous, and a guest-and-anonymous session as a logon failure', () => {
    for (const flags of [SessionFlag.IS_GUEST, SessionFlag.IS_NULL, SessionFlag.IS_GUEST | SessionFlag.IS_NULL, SessionFlag.IS_GUEST | SessionFlag.ENCRYPT_DATA]) {
      let err: unknown;
      try {
        refuseGuestSession(flags);
      } catch (e) {
        err = e;
      }
      expect(err, `flags ${flags}`).toBeInstanceOf(SmbGuestSessionError);
      expect(err).toBeInstanceOf(SmbLogonFailureError);
      expect((err as SmbGuestSessionError).status).toBe(NtStatus.LOGON_FAILURE);
    }
    expect(() => refuseGuestSession(SessionFlag.IS_NULL)).toThrow(/anonymous/);
    expect(() => refuseGuestSession(SessionFlag.IS_GUEST)).toThrow(/guest/);
  });

  it('lets a user session through, encrypted or not', () => {
    expect(() => refuseGuestSession(0)).not.toThrow();
    expect(() => refuseGuestSession(SessionFlag.ENCRYPT_DATA)).not.toThrow();
  });
});

describe('sessionProtection', () => {
  it('signs every dialect whose final SESSION_SETUP response was signed, and encrypts instead when asked', () => {
    for (const dialect of [...SMB2, ...SMB3]) {
      expect(sessionProtection(facts({ dialect }))).toBe('sign');
      expect(sessionProtection(facts({ dialect, allowUnsigned: true }))).toBe('sign');
    }
    for (const dialect of SMB3) expect(sessionProtection(facts({ dialect, encrypt: true }))).toBe('encrypt');
  });

  it('refuses an unsigned final response on 3.x, whatever the allow-list or encryption says', () => {
    for (const dialect of SMB3) {
      for (const extra of [{}, { allowUnsigned: true }, { encrypt: true }]) {
        const f = facts({ dialect, finalSigned: false, ...extra });
        expect(() => sessionProtection(f)).toThrow(SmbIntegrityError);
        expect(() => sessionProtection(f)).not.toThrow(SmbUnsignedSessionError);
      }
    }
    expect(() => sessionProtection(facts({ finalSigned: false }))).toThrow(/3\.1\.1 forbids/);
  });

  it('on 2.0.2 and 2.1 runs unsigned only for an allowed server, and otherwise names the server in a typed error', () => {
    for (const dialect of SMB2) {
      expect(() => sessionProtection(facts({ dialect, finalSigned: false }))).toThrow(SmbUnsignedSessionError);
      expect(() => sessionProtection(facts({ dialect, finalSigned: false }))).toThrow(/^fs1 would not sign/);
      expect(sessionProtection(facts({ dialect, finalSigned: false, allowUnsigned: true }))).toBe('unsigned');
    }
  });
});
