// Each kind of failure keeps its own code, status and sentence naming the item (README, "File operations API").
import { describe, expect, it } from 'vitest';
import { NotFoundError, UnavailableError } from '../../../src/errors/index.js';
import { CancelledError, OpError, opErrorOf } from '../../../src/files/index.js';
import { errorFromStatus } from '../../../src/smb/errors.js';
import { NtStatus } from '../../../src/smb/messages/ntstatus.js';

const of = (status: number) => opErrorOf(errorFromStatus(status, 'CREATE', 'x'), 'report.pdf');

describe('opErrorOf', () => {
  it.each([
    [NtStatus.SHARING_VIOLATION, 'in-use', 409, '“report.pdf” is in use'],
    [NtStatus.FILE_LOCK_CONFLICT, 'locked', 409, '“report.pdf” is locked'],
    [NtStatus.LOCK_NOT_GRANTED, 'locked', 409, '“report.pdf” is locked'],
    [NtStatus.OBJECT_NAME_NOT_FOUND, 'not-found', 404, '“report.pdf” was not found'],
    [NtStatus.ACCESS_DENIED, 'denied', 403, "You don't have permission to change “report.pdf”"],
    [NtStatus.OBJECT_NAME_COLLISION, 'exists', 409, '“report.pdf” already exists'],
    [NtStatus.DIRECTORY_NOT_EMPTY, 'not-empty', 409, '“report.pdf” is a folder that is not empty'],
    [NtStatus.DISK_FULL, 'drive-full', 507, 'not enough space'],
    [NtStatus.OBJECT_NAME_INVALID, 'name-too-long', 400, 'too long a name'],
  ])('NTSTATUS 0x%s → %s', (status, code, httpStatus, words) => {
    const e = of(status);
    expect(e).toBeInstanceOf(OpError);
    expect(e.opCode).toBe(code);
    expect(e.code).toBe(code);
    expect(e.status).toBe(httpStatus);
    expect(e.message).toContain(words);
  });

  it('keeps what is not about the item in the app’s own words, and cancels as cancelled', () => {
    expect(opErrorOf(new UnavailableError()).opCode).toBe('failed');
    expect(opErrorOf(new UnavailableError()).message).toMatch(/not answering/u);
    expect(opErrorOf(new NotFoundError('There is no drive by that name.')).opCode).toBe('not-found');
    expect(opErrorOf(new CancelledError()).opCode).toBe('cancelled');
    const abort = new Error('aborted');
    abort.name = 'AbortError';
    expect(opErrorOf(abort).opCode).toBe('cancelled');
    expect(opErrorOf(new Error('boom'), 'a.txt')).toMatchObject({ opCode: 'failed', message: '“a.txt” could not be changed because of an error on the file server.' });
  });
});
