// Issue 14, languages: the typed errors name their message in the catalogue, and in English that message is
// exactly the error's own text, so English users and the tests that read it see no change.
import { describe, expect, it } from 'vitest';
import * as auth from '../../../src/auth/errors.js';
import { AppError, BadRequestError, ConflictError, said, saidError, ForbiddenError, InsufficientStorageError, LockedError, NotFoundError, PayloadTooLargeError, toHttpError, UnauthorizedError, UnavailableError } from '../../../src/errors/index.js';
import { AuthMethodRefusedError } from '../../../src/errors/app-error.js';
import { CATALOGUES, lookup, translate, translatorFor } from '../../../src/i18n/index.js';
import { CancelledError, failureOf, OpError, opErrorOf } from '../../../src/files/index.js';
import { errorFromStatus } from '../../../src/smb/errors.js';
import { SearchBusyError, SearchSlots } from '../../../src/files/search-slots.js';
import { settingsPatchFromForm } from '../../../src/userdata/settings.js';
import { CredentialsRejectedError, SmbBusyError } from '../../../src/sessions/errors.js';
import { nameProblem, nameProblemOf } from '../../../src/files/names.js';
import { localJob } from '../../../src/web/api/job-view.js';
import { parseDrivePath } from '../../../src/drives/path-safety.js';
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

  it('route errors built with said() carry their key and the English text the routes always sent', () => {
    const german = (e: AppError): string => translate(CATALOGUES.de, 'de', e.messageKey ?? '', e.messageParams);
    const drive = new NotFoundError(...said('errors.drive.noSuch'));
    expect(drive.message).toBe('There is no drive by that name, or it is not yours to open.');
    expect(drive.messageKey).toBe('errors.drive.noSuch');
    expect(german(drive)).toBe('Es gibt kein Laufwerk mit diesem Namen, oder Sie dürfen es nicht öffnen.');
    // Options pass through; the pieces of a built message become one message with placeholders.
    const chunk = new PayloadTooLargeError(...said('errors.upload.moreThanAnnounced', { size: '10', name: 'a.txt' }, { code: 'too_large' }));
    expect(chunk.code).toBe('too_large');
    expect(chunk.message).toBe('That is more than the 10 bytes announced for “a.txt”.');
    expect(german(chunk)).toBe('Das ist mehr als die für „a.txt“ angekündigten 10 Bytes.');
    const incomplete = saidError(409, 'incomplete', 'errors.upload.incomplete', { at: '3', size: '5' });
    expect([incomplete.status, incomplete.code, incomplete.message]).toEqual([409, 'incomplete', 'The upload is incomplete: 3 of 5 bytes arrived.']);
    // Braces that are not a placeholder stay as written.
    expect(new BadRequestError(...said('errors.api.to')).message).toBe('“to” must be {drive, path}.');
    // Plural messages pick their form from the count, as the English sentence did by hand.
    expect(new BadRequestError(...said('errors.search.busyMine', { count: '1' })).message).toBe('You already have 1 search running (in other tabs). Wait for one to finish or stop it, then try again.');
    expect(new BadRequestError(...said('errors.search.busyMine', { count: '2' })).message).toBe('You already have 2 searches running (in other tabs). Wait for one to finish or stop it, then try again.');
  });

  it('the search, zip and settings refusals keep their English text', () => {
    const slots = new SearchSlots({ perUser: 1, total: 5 });
    slots.acquire('alice', 'tab1');
    let busy: unknown;
    try {
      slots.acquire('alice', 'tab2');
    } catch (e) {
      busy = e;
    }
    expect(busy).toBeInstanceOf(SearchBusyError);
    expect(english(busy as AppError)).toBe((busy as AppError).message);
    expect((busy as AppError).message).toBe('You already have 1 search running (in other tabs). Wait for one to finish or stop it, then try again.');
    let bad: unknown;
    try {
      settingsPatchFromForm({ view: 'nonsense' }, []);
    } catch (e) {
      bad = e;
    }
    expect((bad as AppError).message).toBe('“Default view” has a value that is not one of its choices.');
    expect(translate(CATALOGUES.de, 'de', (bad as AppError).messageKey ?? '', (bad as AppError).messageParams)).toBe('„Standardansicht“ hat einen Wert, der nicht zur Auswahl steht.');
  });

  it('the file server\'s refusals of a session and its busy answers say the same in English', () => {
    const reasons = ['logon_failure', 'password_expired', 'password_must_change', 'account_locked', 'account_disabled', 'account_expired', 'account_restricted'] as const;
    for (const reason of reasons) {
      const e = new CredentialsRejectedError(reason);
      expect(e.messageKey, reason).toBe(`errors.rejected.${reason}`);
      expect(e.code).toBe('credentials_rejected');
      expect(english(e)).toBe(e.message);
    }
    expect(new SmbBusyError().message).toBe('The file server is busy, try again shortly.');
    expect(new SmbBusyError({ retryAfterSeconds: 1 }).message).toBe('The file server is busy, please try again in a second.');
    const busy = new SmbBusyError({ retryAfterSeconds: 30 });
    expect([busy.message, busy.code, busy.retryAfterSeconds]).toEqual(['The file server is busy, please try again in 30 seconds.', 'smb_busy', 30]);
    expect(translate(CATALOGUES.de, 'de', busy.messageKey ?? '', busy.messageParams)).toBe('Der Dateiserver ist ausgelastet. Bitte versuchen Sie es in 30 Sekunden erneut.');
  });

  it('the name rules say the same in English as before, and name their catalogue message', () => {
    const cases: Array<[string, string]> = [
      ['', 'A file name cannot be empty.'],
      ['x'.repeat(256), `“${'x'.repeat(80)}…” is longer than 255 characters.`],
      ['a\u0001b', '“a�b” contains a control character, which file names cannot contain.'],
      ['a\ud800', 'A file name contains an invalid character encoding.'],
      ['..', 'A name made only of dots and spaces, such as “.” or “..”, is not allowed.'],
      ['a:b', '“a:b” contains one of \\ / : * ? " < > |, which file names cannot contain.'],
      ['a.', '“a.” ends with a dot or a space, which file names cannot.'],
      ['CON.txt', '“CON.txt” is a name Windows reserves for a device (CON, PRN, AUX, NUL, COM0–9, LPT0–9).'],
      ['.~portcullis-x', '“.~portcullis-x” starts with .~portcullis-, which is reserved for uploads in progress.'],
    ];
    for (const [name, message] of cases) {
      expect(nameProblem(name), name).toBe(message);
      const [text, options] = nameProblemOf(name) ?? ['', {}];
      expect(translate(CATALOGUES.en, 'en', options.messageKey ?? '', options.messageParams)).toBe(text);
    }
    expect(nameProblemOf('', 'folder')?.[0]).toBe('A folder name cannot be empty.');
    const [, reserved] = nameProblemOf('a:b') ?? ['', {}];
    expect(translate(CATALOGUES.de, 'de', reserved.messageKey ?? '', reserved.messageParams)).toBe('„a:b“ enthält eines der Zeichen \\ / : * ? " < > |, die in Dateinamen nicht vorkommen dürfen.');
  });

  it('a job\'s failure lines keep their English message and key inside, and come out of the API as before, in the asker\'s language', () => {
    const failure = failureOf('docs/a.txt', new OpError('exists', ...said('errors.op.existsInDestination', { item: 'a.txt' })));
    expect(failure).toMatchObject({ path: 'docs/a.txt', code: 'exists', message: '“a.txt” already exists in the destination.', messageKey: 'errors.op.existsInDestination' });
    const stopped = { path: '', code: 'failed' as const, message: 'plain English', messageKey: undefined };
    const view = { id: 'j', kind: 'copy' as const, state: 'done' as const, total: null, done: { items: 0, bytes: 0 }, current: null, failures: [failure, stopped], results: [], startedAt: '', finishedAt: null };
    const [de, plain] = localJob(view, translatorFor('de').t).failures;
    // The API's shape is unchanged ({ path, code, message }); the message is in the asker's language.
    expect(de).toEqual({ path: 'docs/a.txt', code: 'exists', message: '„a.txt“ existiert im Ziel bereits.' });
    // A failure without a key (one stored before keys existed) shows its English message.
    expect(plain?.message).toBe('plain English');
    expect(localJob(view, translatorFor('en').t).failures[0]).toEqual({ path: 'docs/a.txt', code: 'exists', message: failure.message });
    const partly = new OpError('not-empty', ...said('errors.op.notDeletedInside', { item: 'x', count: '1' }));
    expect(partly.message).toBe('“x” was not deleted because 1 item in it could not be deleted.');
    expect(new OpError('not-empty', ...said('errors.op.notDeletedInside', { item: 'x', count: '3' })).message).toBe('“x” was not deleted because 3 items in it could not be deleted.');
  });

  it('the path rules say the same in English as before', () => {
    const messageOf = (raw: string): string => {
      try {
        parseDrivePath(raw);
      } catch (e) {
        expect(english(e as AppError)).toBe((e as AppError).message);
        return (e as AppError).message;
      }
      return '';
    };
    expect(messageOf('a%3Ab')).toBe('That path contains one of \\ / : * ? " < > |, which file names cannot contain.');
    expect(messageOf('..')).toBe('That path contains “.” or “..”, which is not allowed.');
    expect(messageOf('x'.repeat(256))).toBe('A name in that path is longer than 255 characters.');
  });
});

describe('numbers inside error messages', () => {
  it('are written the English way in the English message and the language\'s way on pages and in jobs', () => {
    const [english, options] = said('errors.download.zipTooManyEntries', { max: 50_000 });
    expect(english).toBe('That is more than 50,000 files and folders, the most one zip download may hold. Download fewer items or smaller folders.');
    const de = translatorFor('de').tn(options.messageKey ?? 'errors.internal', options.messageParams);
    expect(de).toContain('mehr als 50.000 Dateien');
    const failure = failureOf('a', new OpError('bad-input', ...said('errors.api.tooManyItems', { max: 10_000 })));
    expect(failure.message).toBe('At most 10,000 items at once.');
    expect(localJob({ id: 'j', kind: 'copy', state: 'done', total: null, done: { items: 0, bytes: 0 }, current: null, failures: [failure], results: [], startedAt: '', finishedAt: null }, translatorFor('de').tn).failures[0]?.message).toBe('Höchstens 10.000 Elemente auf einmal.');
  });
});

