// A full drive or quota is the user's to fix, not an internal error: 507 with a message that names the item.
import { describe, expect, it } from 'vitest';
import { InsufficientStorageError, toHttpError } from '../../../src/errors/index.js';
import { errorFromStatus } from '../../../src/smb/errors.js';
import { NtStatus } from '../../../src/smb/messages/ntstatus.js';

describe('the drive is full', () => {
  it.each([
    ['DISK_FULL', NtStatus.DISK_FULL],
    ['QUOTA_EXCEEDED', NtStatus.QUOTA_EXCEEDED],
  ])('%s from the file server is a 507 saying so, naming the item when known', (_name, status) => {
    const named = toHttpError(errorFromStatus(status, 'WRITE'), 'report.pdf');
    expect(named).toBeInstanceOf(InsufficientStorageError);
    expect(named).toMatchObject({ status: 507, code: 'drive_full', expose: true, message: 'The drive is full, so “report.pdf” could not be saved. Free some space on it, then try again.' });
    expect(toHttpError(errorFromStatus(status))).toMatchObject({ status: 507, message: 'The drive is full. Free some space on it, then try again.' });
  });
});
