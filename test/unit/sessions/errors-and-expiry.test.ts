import type { SessionData } from 'express-session';
import { describe, expect, it } from 'vitest';
import { AppError, UnauthorizedError, UnavailableError, toHttpError } from '../../../src/errors/index.js';
import { CredentialsRejectedError, SmbBusyError, expiryOf, type CredentialRejection } from '../../../src/sessions/index.js';

describe('pool errors belong to the one AppError hierarchy', () => {
  it.each<CredentialRejection>(['logon_failure', 'password_expired', 'password_must_change', 'account_locked', 'account_disabled', 'account_expired', 'account_restricted'])(
    'CredentialsRejectedError(%s) is a 401 with its own message',
    (reason) => {
      const err = new CredentialsRejectedError(reason);
      expect(err).toBeInstanceOf(UnauthorizedError);
      expect(err).toBeInstanceOf(AppError);
      expect(toHttpError(err)).toBe(err);
      expect(err).toMatchObject({ status: 401, code: 'credentials_rejected', reason, expose: true, name: 'CredentialsRejectedError' });
      expect(err.message).toMatch(/\.$/u);
    },
  );

  it('SmbBusyError is a 503 saying the server is busy', () => {
    const err = new SmbBusyError();
    expect(err).toBeInstanceOf(UnavailableError);
    expect(toHttpError(err)).toMatchObject({ status: 503, code: 'smb_busy', message: 'The file server is busy, try again shortly.' });
  });
});

describe('expiryOf', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  const sess = (expires: unknown) => ({ cookie: { expires } }) as unknown as SessionData;

  it('takes the cookie expiry, as a Date or as the ISO string JSON leaves', () => {
    expect(expiryOf(sess(new Date(now + 5000)), 60_000, now)).toBe(now + 5000);
    expect(expiryOf(sess(new Date(now + 5000).toISOString()), 60_000, now)).toBe(now + 5000);
  });

  it('falls back to now + default for browser-session cookies and nonsense', () => {
    for (const e of [null, undefined, false, 'not a date']) expect(expiryOf(sess(e), 60_000, now)).toBe(now + 60_000);
    expect(expiryOf({} as SessionData, 1000, now)).toBe(now + 1000);
  });
});
