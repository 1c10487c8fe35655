import { Writable } from 'node:stream';
import winston from 'winston';
import { describe, expect, it } from 'vitest';
import {
  AppError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  InternalError,
  LockedError,
  NotFoundError,
  PayloadTooLargeError,
  toHttpError,
  UnauthorizedError,
  UnavailableError,
} from '../../../src/errors/index.js';
import { createLogger, REDACTED } from '../../../src/log.js';

// Shaped like src/smb's errors, without importing them: the mapping works by name and NTSTATUS.
// Real SmbErrors carry the status's name too (src/smb/errors.ts); the app maps by class, then by that name.
const STATUS_NAMES: Record<number, string> = { 0xc0000034: 'STATUS_OBJECT_NAME_NOT_FOUND', 0xc0000022: 'STATUS_ACCESS_DENIED', 0xc0000035: 'STATUS_OBJECT_NAME_COLLISION', 0xc0000101: 'STATUS_DIRECTORY_NOT_EMPTY', 0xc0000043: 'STATUS_SHARING_VIOLATION', 0xc000020c: 'STATUS_CONNECTION_DISCONNECTED', 0xc00000b5: 'STATUS_IO_TIMEOUT' };
const smbError = (name: string, status: number): Error => Object.assign(new Error(`${name} on \\\\fs1\\share\\secret.txt`), { name, status, statusName: STATUS_NAMES[status] });

describe('error hierarchy', () => {
  it.each([
    [BadRequestError, 400],
    [UnauthorizedError, 401],
    [ForbiddenError, 403],
    [NotFoundError, 404],
    [ConflictError, 409],
    [PayloadTooLargeError, 413],
    [LockedError, 423],
    [UnavailableError, 503],
    [InternalError, 500],
  ])('%o has status %i', (Class, status) => {
    const err = new Class();
    expect(err).toBeInstanceOf(AppError);
    expect(err.status).toBe(status);
    expect(err.expose).toBe(status !== 500);
    expect(err.name).toBe(Class.name);
  });
});

describe('toHttpError', () => {
  it.each([
    ['NotFound', 0xc0000034, 404],
    ['AccessDenied', 0xc0000022, 403],
    ['Exists', 0xc0000035, 409],
    ['NotEmpty', 0xc0000101, 409],
    ['SharingViolation', 0xc0000043, 423],
    ['Disconnected', 0xc000020c, 503],
    ['Timeout', 0xc00000b5, 503],
    ['SmbAccessDeniedError', 0xc0000022, 403],
    ['SmbError', 0xc0000034, 404],
    ['SmbError', 0xc0000043, 423],
  ])('maps SMB %s (0x%s) to %i without leaking the path', (name, status, http) => {
    const mapped = toHttpError(smbError(name, status));
    expect(mapped.status).toBe(http);
    expect(mapped.message).not.toContain('fs1');
    expect(mapped.cause).toBeInstanceOf(Error);
  });

  it('names the item when given one', () => {
    expect(toHttpError(smbError('NotFound', 0xc0000034), 'report.pdf').message).toBe('“report.pdf” was not found. It may have been moved or deleted.');
  });

  it('maps socket errors to 503 and unknown ones to a 500 that is not exposed', () => {
    expect(toHttpError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })).status).toBe(503);
    const internal = toHttpError(new Error('bug'));
    expect(internal).toBeInstanceOf(InternalError);
    expect(internal.expose).toBe(false);
    expect(toHttpError('a string').status).toBe(500);
  });

  it('keeps Express body-parser errors’ status', () => {
    expect(toHttpError(Object.assign(new Error('request entity too large'), { status: 413, expose: true })).status).toBe(413);
    expect(toHttpError(Object.assign(new Error('bad json'), { status: 400, expose: true })).message).toBe('bad json');
  });

  it('passes AppErrors through', () => {
    const err = new ConflictError('x');
    expect(toHttpError(err)).toBe(err);
  });
});

describe('logger', () => {
  const capture = () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    return { lines, transports: [new winston.transports.Stream({ stream })] };
  };

  it.each(['json', 'pretty'] as const)('redacts secret-named keys at any depth (%s)', (format) => {
    const { lines, transports } = capture();
    const logger = createLogger({ level: 'info', format, transports });
    const meta = {
      user: 'alice',
      password: 'hunter2-pw',
      headers: { Cookie: 'sid=cookie-value', authorization: 'Basic c2VjcmV0' },
      form: [{ csrfToken: 'tok-123', newPassword: 'pw-456' }],
      config: { ldap: { bindPassword: 'ldap-pw' }, session: { secret: 'sess-secret' } },
    };
    logger.info('something', meta);
    const out = lines.join('');
    for (const secret of ['hunter2-pw', 'cookie-value', 'c2VjcmV0', 'tok-123', 'pw-456', 'ldap-pw', 'sess-secret']) expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
    expect(out).toContain('alice');
    // The caller's object is left alone.
    expect(meta.password).toBe('hunter2-pw');
  });

  it('logs errors with their stack in JSON', () => {
    const { lines, transports } = capture();
    createLogger({ level: 'info', format: 'json', transports }).error('failed', { err: new Error('disk on fire') });
    const entry = JSON.parse(lines[0] ?? '{}') as { err: { message: string; stack: string } };
    expect(entry.err.message).toBe('disk on fire');
    expect(entry.err.stack).toContain('errors-and-logs.test.ts');
  });
});
