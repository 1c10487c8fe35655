import { describe, expect, it } from 'vitest';
import {
  AccountDisabledError,
  AccountExpiredError,
  AccountLockedError,
  adBindSubCode,
  DirectoryConfigError,
  DirectoryUnavailableError,
  errorForBindSubCode,
  INVALID_CREDENTIALS_MESSAGE,
  InvalidCredentialsError,
  PasswordExpiredError,
  PasswordMustChangeError,
  SignInNotAllowedError,
  SignInNotAllowedNowError,
  TooManyAttemptsError,
} from '../../../src/auth/errors.js';
import { AppError, toHttpError, UnavailableError } from '../../../src/errors/index.js';

describe('adBindSubCode', () => {
  it.each([
    // Windows Server 2016+ and Samba (which imitates it) word result-49 diagnostics like this.
    ['80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext error, data 52e, v3839', '52e'],
    ['80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 775, v4563', '775'],
    ['80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 532, v1db1', '532'],
    ['80090308: LdapErr: DSID-0C09041C, comment: AcceptSecurityContext error, data 773, v4f7c', '773'],
    ['80090308: LdapErr: DSID-0C09041C, comment: AcceptSecurityContext error, data 533, v4f7c', '533'],
    ['80090308: LdapErr: DSID-0C09041C, comment: AcceptSecurityContext error, data 701, v4f7c', '701'],
    ['80090308: LdapErr: DSID-0C090400, comment: AcceptSecurityContext error, data 525, v1db1', '525'],
    ['80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 530, v1db1', '530'],
    ['8009030C: LdapErr: DSID-0C0904DC, comment: AcceptSecurityContext error, data 52E, v2580', '52e'],
    ['Invalid Credentials', undefined],
    ['', undefined],
  ])('%j → %s', (message, expected) => {
    expect(adBindSubCode(message)).toBe(expected);
  });
});

describe('errorForBindSubCode', () => {
  it.each([
    ['52e', InvalidCredentialsError],
    ['525', InvalidCredentialsError],
    [undefined, InvalidCredentialsError],
    ['ffff', InvalidCredentialsError],
    ['775', AccountLockedError],
    ['532', PasswordExpiredError],
    ['773', PasswordMustChangeError],
    ['533', AccountDisabledError],
    ['701', AccountExpiredError],
    ['530', SignInNotAllowedNowError],
    ['531', SignInNotAllowedNowError],
  ])('%s → %o', (code, type) => {
    const err = errorForBindSubCode(code);
    expect(err).toBeInstanceOf(type);
    expect(err).toBeInstanceOf(AppError);
    expect(err.status).toBe(401);
    expect(err.expose).toBe(true);
  });

  it('gives wrong password and unknown user one indistinguishable error', () => {
    const wrong = errorForBindSubCode('52e');
    const unknown = errorForBindSubCode('525');
    expect(wrong.message).toBe(INVALID_CREDENTIALS_MESSAGE);
    expect([unknown.message, unknown.code, unknown.status, unknown.name]).toEqual([wrong.message, wrong.code, wrong.status, wrong.name]);
  });

  it('gives every account state its own message', () => {
    const messages = ['52e', '775', '532', '773', '533', '701', '530'].map((c) => errorForBindSubCode(c).message);
    expect(new Set(messages).size).toBe(messages.length);
  });
});

describe('other sign-in errors', () => {
  it('maps through toHttpError unchanged', () => {
    for (const err of [new DirectoryUnavailableError(), new SignInNotAllowedError(), new TooManyAttemptsError(30), new DirectoryConfigError('x')]) {
      expect(toHttpError(err)).toBe(err);
    }
  });

  it('says the directory is down as an outage (503)', () => {
    const err = new DirectoryUnavailableError();
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.status).toBe(503);
    expect(err.message).toBe('The sign-in service is not answering, try again shortly.');
  });

  it('keeps the service-account failure away from users', () => {
    const err = new DirectoryConfigError('The LDAP service account (CN=svc) could not bind: data 52e');
    expect(err.status).toBe(500);
    expect(err.expose).toBe(false);
  });

  it('reveals nothing about the allowed groups', () => {
    expect(new SignInNotAllowedError().message).toBe('Your account is not allowed to use this service.');
  });

  it('words the retry time', () => {
    expect(new TooManyAttemptsError(1).message).toContain('1 second');
    expect(new TooManyAttemptsError(59).message).toContain('59 seconds');
    expect(new TooManyAttemptsError(900).message).toContain('15 minutes');
    expect(new TooManyAttemptsError(900)).toMatchObject({ status: 429, retryAfterSeconds: 900 });
  });
});
