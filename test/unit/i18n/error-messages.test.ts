// Issue 14, languages: the typed errors name their message in the catalogue, and in English that message is
// exactly the error's own text, so English users and the tests that read it see no change.
import { describe, expect, it } from 'vitest';
import * as auth from '../../../src/auth/errors.js';
import { AppError, BadRequestError, ConflictError, ForbiddenError, InsufficientStorageError, LockedError, NotFoundError, PayloadTooLargeError, toHttpError, UnauthorizedError, UnavailableError } from '../../../src/errors/index.js';
import { AuthMethodRefusedError } from '../../../src/errors/app-error.js';
import { CATALOGUES, lookup, translate } from '../../../src/i18n/index.js';
import { CancelledError, opErrorOf } from '../../../src/files/index.js';
import { errorFromStatus } from '../../../src/smb/errors.js';
import { NtStatus } from '../../../src/smb/messages/ntstatus.js';

const english = (e: AppError): string => translate(CATALOGUES.en, 'en', e.messageKey ?? '', e.messageParams);

/** An error as src/smb throws it: recognised by class name. */
const smbError = (name: string): Error => Object.assign(new Error('x'), { name });

describe('error messages in the catalogue', () => {
  it('every status class has its default message in the catalogue, identical in English', () => {
    for (const Cls of [BadRequestError, UnauthorizedError, ForbiddenError, NotFoundError, ConflictError, PayloadTooLargeError, LockedError, InsufficientStorageError, UnavailableError, AuthMethodRefusedError]) {
      const e = new Cls();
      expect(e.messageKey, Cls.name).toBe(`errors.default.${e.code}`);
      expect(english(e)).toBe(e.message);
    }
    // A message of the route's own has no key: it is shown as written.
    expect(new NotFoundError('No such drive.').messageKey).toBeUndefined();
  });

  it('file errors from the SMB client, with and without the item, say the same in English', () => {
    const names = ['NotFound', 'AccessDenied', 'Exists', 'NotEmpty', 'SharingViolation', 'DiskFull', 'InvalidName', 'LogonFailure'];
    for (const name of names) {
      for (const item of ['Report “final”.docx', undefined]) {
        const e = toHttpError(smbError(name), item);
        expect(e.messageKey, name).toBeDefined();
        expect(english(e), `${name} ${item}`).toBe(e.message);
      }
    }
    const de = toHttpError(smbError('NotFound'), 'Bericht.pdf');
    expect(translate(CATALOGUES.de, 'de', de.messageKey ?? '', de.messageParams)).toBe('„Bericht.pdf“ wurde nicht gefunden. Es wurde möglicherweise verschoben oder gelöscht.');
  });

  it('file operation errors, with and without the item, say the same in English', () => {
    const statuses = [NtStatus.SHARING_VIOLATION, NtStatus.FILE_LOCK_CONFLICT, NtStatus.OBJECT_NAME_NOT_FOUND, NtStatus.ACCESS_DENIED, NtStatus.OBJECT_NAME_COLLISION, NtStatus.DIRECTORY_NOT_EMPTY, NtStatus.DISK_FULL, NtStatus.OBJECT_NAME_INVALID];
    for (const status of statuses) {
      for (const item of ['report.pdf', undefined]) {
        const e = opErrorOf(errorFromStatus(status, 'CREATE', 'x'), item);
        expect(e.messageKey, `${status} ${item}`).toBeDefined();
        expect(english(e), `${status} ${item}`).toBe(e.message);
      }
    }
    const failed = opErrorOf(new Error('boom'), 'a.txt');
    expect(english(failed)).toBe(failed.message);
    expect(english(new CancelledError())).toBe('The operation was cancelled.');
    // An app error keeps its own catalogue message through opErrorOf.
    const wrapped = opErrorOf(toHttpError(smbError('NotFound'), 'b.txt'));
    expect(wrapped.messageKey).toBe('errors.file.notFound.named');
    const exists = opErrorOf(errorFromStatus(NtStatus.OBJECT_NAME_COLLISION, 'CREATE', 'x'), 'Bericht');
    expect(translate(CATALOGUES.de, 'de', exists.messageKey ?? '', exists.messageParams)).toBe('„Bericht“ existiert bereits.');
  });

  it('sign-in errors say the same in English, waits included', () => {
    const errors: AppError[] = [
      new auth.InvalidCredentialsError(),
      new auth.AccountLockedError(),
      new auth.PasswordExpiredError(),
      new auth.PasswordMustChangeError(),
      new auth.AccountDisabledError(),
      new auth.AccountExpiredError(),
      new auth.SignInNotAllowedNowError(),
      new auth.SignInNotAllowedError(),
      new auth.DirectoryUnavailableError(),
      new auth.CredentialUnreadableError(),
      ...[1, 45, 60, 61, 3600].flatMap((s) => [new auth.TooManyAttemptsError(s), new auth.SignInBusyError(s)]),
    ];
    for (const e of errors) {
      expect(e.messageKey, e.name).toBeDefined();
      expect(lookup(CATALOGUES.en, e.messageKey ?? '')).toBeDefined();
      expect(english(e)).toBe(e.message);
    }
    const wait = new auth.TooManyAttemptsError(120);
    expect(translate(CATALOGUES.de, 'de', wait.messageKey ?? '', wait.messageParams)).toBe('Zu viele Anmeldeversuche. Versuchen Sie es in 2 Minuten erneut.');
  });
});
