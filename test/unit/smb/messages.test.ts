import { describe, expect, it } from 'vitest';
import { Command, FileInfoClass, HeaderFlag, RELATED_FILE_ID } from '../../../src/smb/messages/constants.js';
import { HEADER_SIZE, readResponseHeader, splitCompound, writeRequestHeader } from '../../../src/smb/messages/header.js';
import { decodeNegotiateResponse, encodeNegotiateRequest } from '../../../src/smb/messages/negotiate.js';
import { encodeCreateRequest, decodeCreateResponse } from '../../../src/smb/messages/create.js';
import { decodeDirectoryEntries } from '../../../src/smb/messages/query-directory.js';
import { decodeReadResponse, encodeReadRequest, encodeWriteRequestHead } from '../../../src/smb/messages/read-write.js';
import { encodeFileRenameInfo } from '../../../src/smb/messages/set-info.js';
import { encodeCopyChunkInput } from '../../../src/smb/messages/ioctl.js';
import { decodeFileNotifyInformation } from '../../../src/smb/messages/change-notify.js';
import { filetimeToDate, readU64 } from '../../../src/smb/messages/encoding.js';
import { ntStatusName, NtStatus } from '../../../src/smb/messages/ntstatus.js';
import { encodeLockRequest, LockFlag } from '../../../src/smb/messages/lock.js';
import { errorFromStatus, SmbAccessDeniedError, SmbAccountLockedError, SmbExistsError, SmbLogonFailureError, SmbNotEmptyError, SmbNotFoundError, SmbPasswordExpiredError, SmbSharingViolationError, SmbError } from '../../../src/smb/errors.js';
import { splitPath, toSmbPath } from '../../../src/smb/paths.js';

function responseHeader(fields: { command: number; status?: number; messageId: number; flags?: number; next?: number; asyncId?: bigint; credits?: number }): Buffer {
  const b = Buffer.alloc(HEADER_SIZE);
  b.writeUInt32LE(0x424d53fe, 0);
  b.writeUInt16LE(64, 4);
  b.writeUInt32LE(fields.status ?? 0, 8);
  b.writeUInt16LE(fields.command, 12);
  b.writeUInt16LE(fields.credits ?? 1, 14);
  b.writeUInt32LE((fields.flags ?? 0) | HeaderFlag.SERVER_TO_REDIR | (fields.asyncId === undefined ? 0 : HeaderFlag.ASYNC_COMMAND), 16);
  b.writeUInt32LE(fields.next ?? 0, 20);
  b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(fields.messageId)), 24);
  if (fields.asyncId !== undefined) b.writeBigUInt64LE(fields.asyncId, 32);
  else b.writeUInt32LE(7, 36);
  b.writeBigUInt64LE(0x1122334455667788n, 40);
  return b;
}

describe('SMB2 header', () => {
  it('writes the sync form with every field in place', () => {
    const b = Buffer.alloc(64, 0xaa);
    writeRequestHeader(b, 0, { command: Command.READ, creditCharge: 16, creditRequest: 80, flags: HeaderFlag.SIGNED, nextCommand: 0, messageId: 2 ** 40 + 5, treeId: 9, sessionId: 0xdeadbeefn });
    expect(b.subarray(0, 4)).toEqual(Buffer.from([0xfe, 0x53, 0x4d, 0x42]));
    expect(b.readUInt16LE(4)).toBe(64);
    expect(b.readUInt16LE(6)).toBe(16);
    expect(b.readUInt16LE(12)).toBe(8);
    expect(b.readUInt16LE(14)).toBe(80);
    expect(b.readUInt32LE(16)).toBe(8);
    expect(b.readBigUInt64LE(24)).toBe(2n ** 40n + 5n);
    expect(b.readUInt32LE(36)).toBe(9);
    expect(b.readBigUInt64LE(40)).toBe(0xdeadbeefn);
    expect(b.subarray(48)).toEqual(Buffer.alloc(16));
  });

  it('writes the async form for CANCEL of a pending request', () => {
    const b = Buffer.alloc(64);
    writeRequestHeader(b, 0, { command: Command.CANCEL, creditCharge: 0, creditRequest: 0, flags: 0, nextCommand: 0, messageId: 0, treeId: 0, sessionId: 1n, asyncId: 0x55n });
    expect(b.readUInt32LE(16) & HeaderFlag.ASYNC_COMMAND).toBe(HeaderFlag.ASYNC_COMMAND);
    expect(b.readBigUInt64LE(32)).toBe(0x55n);
  });

  it('reads sync and async responses', () => {
    const sync = readResponseHeader(responseHeader({ command: Command.CREATE, status: NtStatus.ACCESS_DENIED, messageId: 12, credits: 33 }));
    expect(sync).toMatchObject({ command: 5, status: 0xc0000022, messageId: 12, creditResponse: 33, treeId: 7, asyncId: undefined, sessionId: 0x1122334455667788n });
    const pending = readResponseHeader(responseHeader({ command: Command.READ, status: NtStatus.PENDING, messageId: 3, asyncId: 99n }));
    expect(pending.asyncId).toBe(99n);
    expect(readResponseHeader(responseHeader({ command: Command.OPLOCK_BREAK, messageId: -1 })).messageId).toBe(-1);
  });

  it('splits a compound response on NextCommand', () => {
    const a = Buffer.concat([responseHeader({ command: Command.CREATE, messageId: 1, next: 72 }), Buffer.alloc(8)]);
    const b = Buffer.concat([responseHeader({ command: Command.CLOSE, messageId: 2 }), Buffer.alloc(4)]);
    const parts = splitCompound(Buffer.concat([a, b]));
    expect(parts.map((p) => p.length)).toEqual([72, 68]);
    expect(readResponseHeader(parts[1] as Buffer).command).toBe(Command.CLOSE);
    const bad = Buffer.from(a);
    bad.writeUInt32LE(4000, 20);
    expect(() => splitCompound(bad)).toThrow(RangeError);
  });
});

describe('NEGOTIATE', () => {
  it('lists dialects and aligned 3.1.1 contexts', () => {
    const body = encodeNegotiateRequest({
      dialects: [0x0202, 0x0210, 0x0300, 0x0302, 0x0311],
      securityMode: 1,
      capabilities: 0x44,
      clientGuid: Buffer.alloc(16, 1),
      salt: Buffer.alloc(32, 2),
      ciphers: ['AES-128-GCM', 'AES-256-GCM', 'AES-128-CCM', 'AES-256-CCM'],
      signingAlgorithms: ['AES-GMAC', 'AES-CMAC', 'HMAC-SHA256'],
    });
    expect(body.readUInt16LE(0)).toBe(36);
    expect(body.readUInt16LE(2)).toBe(5);
    expect([0, 1, 2, 3, 4].map((i) => body.readUInt16LE(36 + 2 * i))).toEqual([0x0202, 0x0210, 0x0300, 0x0302, 0x0311]);
    const ctxOffset = body.readUInt32LE(28) - 64;
    expect(ctxOffset % 8).toBe(0);
    expect(body.readUInt16LE(32)).toBe(3);
    expect(body.readUInt16LE(ctxOffset)).toBe(1); // PREAUTH first
    expect(body.readUInt16LE(ctxOffset + 8 + 4)).toBe(1); // SHA-512
    const enc = ctxOffset + 8 + 38 + 2; // preauth data is 38 bytes, padded to 40
    expect(body.readUInt16LE(enc)).toBe(2);
    expect(body.readUInt16LE(enc + 8)).toBe(4);
    expect([0, 1, 2, 3].map((i) => body.readUInt16LE(enc + 10 + 2 * i))).toEqual([2, 4, 1, 3]);
  });

  it('decodes the response and its contexts', () => {
    const body = Buffer.alloc(64 + 8 + 40 + 8 + 4 + 4 + 8 + 4);
    body.writeUInt16LE(65, 0);
    body.writeUInt16LE(3, 2);
    body.writeUInt16LE(0x0311, 4);
    body.writeUInt16LE(3, 6);
    body.writeUInt32LE(0x2f, 24);
    body.writeUInt32LE(8 << 20, 28);
    body.writeUInt32LE(8 << 20, 32);
    body.writeUInt32LE(8 << 20, 36);
    body.writeUInt16LE(128, 56);
    body.writeUInt16LE(0, 58);
    body.writeUInt32LE(128, 60);
    let at = 64;
    body.writeUInt16LE(1, at); body.writeUInt16LE(38, at + 2); body.writeUInt16LE(1, at + 8); body.writeUInt16LE(32, at + 10); body.writeUInt16LE(1, at + 12);
    at += 48;
    body.writeUInt16LE(2, at); body.writeUInt16LE(4, at + 2); body.writeUInt16LE(1, at + 8); body.writeUInt16LE(4, at + 10);
    at += 16;
    body.writeUInt16LE(8, at); body.writeUInt16LE(4, at + 2); body.writeUInt16LE(1, at + 8); body.writeUInt16LE(2, at + 10);
    const msg = Buffer.concat([responseHeader({ command: 0, messageId: 0 }), body]);
    const r = decodeNegotiateResponse(msg);
    expect(r).toMatchObject({ dialect: 0x0311, signingRequired: true, maxReadSize: 8 << 20, preauthHashAlgorithm: 1, cipher: 'AES-256-GCM', signingAlgorithm: 'AES-GMAC' });
  });
});

describe('CREATE / READ / WRITE / SET_INFO / IOCTL', () => {
  it('encodes names as UTF-16LE at offset 0x78, with a byte even for the root', () => {
    const body = encodeCreateRequest({ path: 'dir\\😀é', desiredAccess: 0x80, shareAccess: 7, disposition: 1, options: 0 });
    expect(body.readUInt16LE(0)).toBe(57);
    expect(body.readUInt16LE(44)).toBe(0x78);
    const len = body.readUInt16LE(46);
    expect(body.toString('utf16le', 56, 56 + len)).toBe('dir\\😀é');
    expect(encodeCreateRequest({ path: '', desiredAccess: 0, shareAccess: 7, disposition: 1, options: 1 }).length).toBe(57);
    const withCtx = encodeCreateRequest({ path: 'a', desiredAccess: 0, shareAccess: 7, disposition: 1, options: 0, contexts: [{ name: 'MxAc', data: Buffer.alloc(0) }] });
    expect((withCtx.readUInt32LE(48) - 64) % 8).toBe(0);
  });

  it('decodes a CREATE response', () => {
    const body = Buffer.alloc(89);
    body.writeUInt16LE(89, 0);
    body.writeUInt32LE(2, 4);
    body.writeBigUInt64LE(132_000_000_000_000_000n, 24);
    body.writeBigUInt64LE(4096n, 40);
    body.writeBigUInt64LE(5n * 2n ** 32n, 48);
    body.writeUInt32LE(0x20, 56);
    Buffer.alloc(16, 0x33).copy(body, 64);
    const r = decodeCreateResponse(Buffer.concat([responseHeader({ command: 5, messageId: 1 }), body]));
    expect(r.createAction).toBe(2);
    expect(r.endOfFile).toBe(5 * 2 ** 32);
    expect(r.fileAttributes).toBe(0x20);
    expect(r.fileId).toEqual(Buffer.alloc(16, 0x33));
    expect(r.lastWriteTime.toISOString()).toBe('2019-04-17T18:40:00.000Z');
  });

  it('uses 64-bit offsets for READ and WRITE', () => {
    const read = encodeReadRequest({ fileId: RELATED_FILE_ID, offset: 5 * 2 ** 32 + 7, length: 8 << 20 });
    expect(read.length).toBe(49);
    expect(read.readBigUInt64LE(8)).toBe(5n * 2n ** 32n + 7n);
    expect(read.readUInt32LE(4)).toBe(8 << 20);
    const write = encodeWriteRequestHead(RELATED_FILE_ID, 2n ** 40n, 1234);
    expect(write.readUInt16LE(2)).toBe(0x70);
    expect(write.readBigUInt64LE(8)).toBe(2n ** 40n);
  });

  it('returns READ data as a view without copying', () => {
    const body = Buffer.alloc(16 + 5);
    body.writeUInt16LE(17, 0);
    body.writeUInt8(0x50, 2);
    body.writeUInt32LE(5, 4);
    body.write('hello', 16);
    const msg = Buffer.concat([responseHeader({ command: 8, messageId: 1 }), body]);
    const { data } = decodeReadResponse(msg);
    expect(data.toString()).toBe('hello');
    expect(data.buffer).toBe(msg.buffer);
    msg.writeUInt32LE(500, 64 + 4);
    expect(() => decodeReadResponse(msg)).toThrow(RangeError);
  });

  it('encodes FileRenameInformation with the replace flag', () => {
    const r = encodeFileRenameInfo('a\\b.txt', true);
    expect(r[0]).toBe(1);
    expect(r.readUInt32LE(16)).toBe(14);
    expect(r.toString('utf16le', 20)).toBe('a\\b.txt');
    expect(encodeFileRenameInfo('x', false)[0]).toBe(0);
  });

  it('encodes COPYCHUNK input', () => {
    const key = Buffer.alloc(24, 9);
    const b = encodeCopyChunkInput(key, [{ sourceOffset: 0, targetOffset: 2 ** 33, length: 1 << 20 }]);
    expect(b.length).toBe(56);
    expect(b.readUInt32LE(24)).toBe(1);
    expect(b.readBigUInt64LE(40)).toBe(2n ** 33n);
    expect(b.readUInt32LE(48)).toBe(1 << 20);
  });
});

describe('directory and notify entries', () => {
  function entry(name: string, attrs: number, size: number, last: boolean): Buffer {
    const n = Buffer.from(name, 'utf16le');
    const len = 104 + n.length;
    const padded = last ? len : (len + 7) & ~7;
    const b = Buffer.alloc(padded);
    b.writeUInt32LE(last ? 0 : padded, 0);
    b.writeBigUInt64LE(BigInt(size), 40);
    b.writeUInt32LE(attrs, 56);
    b.writeUInt32LE(n.length, 60);
    n.copy(b, 104);
    return b;
  }

  it('parses FileIdBothDirectoryInformation chains with exact Unicode names', () => {
    const buf = Buffer.concat([entry('.', 0x10, 0, false), entry('e\u0301😀', 0x20, 3 * 2 ** 32, false), entry('.hidden', 0x22, 0, true)]);
    const list = decodeDirectoryEntries(buf, FileInfoClass.FileIdBothDirectoryInformation);
    expect(list.map((e) => e.name)).toEqual(['.', 'e\u0301😀', '.hidden']);
    expect(list[1]?.endOfFile).toBe(3 * 2 ** 32);
  });

  it('parses FILE_NOTIFY_INFORMATION', () => {
    const n = Buffer.from('sub\\x.txt', 'utf16le');
    const b = Buffer.alloc(12 + n.length);
    b.writeUInt32LE(1, 4);
    b.writeUInt32LE(n.length, 8);
    n.copy(b, 12);
    expect(decodeFileNotifyInformation(b)).toEqual([{ action: 1, name: 'sub\\x.txt' }]);
  });
});

describe('encoding helpers', () => {
  it('FILETIME and u64', () => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(116_444_736_000_000_000n);
    expect(filetimeToDate(b, 0).getTime()).toBe(0);
    b.writeBigUInt64LE(2n ** 60n);
    expect(readU64(b, 0)).toBe(2n ** 60n);
  });
});

describe('NTSTATUS → typed errors', () => {
  it.each([
    [NtStatus.OBJECT_NAME_NOT_FOUND, SmbNotFoundError],
    [NtStatus.OBJECT_PATH_NOT_FOUND, SmbNotFoundError],
    [NtStatus.ACCESS_DENIED, SmbAccessDeniedError],
    [NtStatus.OBJECT_NAME_COLLISION, SmbExistsError],
    [NtStatus.DIRECTORY_NOT_EMPTY, SmbNotEmptyError],
    [NtStatus.SHARING_VIOLATION, SmbSharingViolationError],
    [NtStatus.LOGON_FAILURE, SmbLogonFailureError],
    [NtStatus.PASSWORD_EXPIRED, SmbPasswordExpiredError],
    [NtStatus.ACCOUNT_LOCKED_OUT, SmbAccountLockedError],
  ])('0x%s', (status, cls) => {
    const err = errorFromStatus(status, 'CREATE', 'a\\b');
    expect(err).toBeInstanceOf(cls);
    expect(err).toBeInstanceOf(SmbError);
    expect(err.status).toBe(status);
    expect(err.statusName).toBe(ntStatusName(status));
    expect(err.message).toContain('a\\b');
  });

  it('names unknown codes by their hex value', () => {
    expect(ntStatusName(0xc0001234)).toBe('0xC0001234');
    expect(errorFromStatus(0xc0001234).constructor).toBe(SmbError);
  });
});

describe('paths', () => {
  it('accepts / and \\, drops empty segments, refuses . and ..', () => {
    expect(toSmbPath('/a//b\\c/')).toBe('a\\b\\c');
    expect(toSmbPath('')).toBe('');
    expect(splitPath('.hidden/..dots')).toEqual(['.hidden', '..dots']);
    expect(() => toSmbPath('a/../b')).toThrow();
    expect(() => toSmbPath('./a')).toThrow();
  });
});

describe('LOCK request ([MS-SMB2] 2.2.26)', () => {
  it('has StructureSize 48, the count, the file id, and 24 bytes per element with 64-bit offset and length', () => {
    const fileId = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const body = encodeLockRequest(fileId, [
      { offset: 0, length: 2 ** 40, flags: LockFlag.EXCLUSIVE | LockFlag.FAIL_IMMEDIATELY },
      { offset: 5, length: 1, flags: LockFlag.UNLOCK },
    ]);
    expect(body.length).toBe(24 + 48);
    expect(body.readUInt16LE(0)).toBe(48);
    expect(body.readUInt16LE(2)).toBe(2);
    expect(body.readUInt32LE(4)).toBe(0);
    expect(body.subarray(8, 24)).toEqual(fileId);
    expect(body.readBigUInt64LE(24)).toBe(0n);
    expect(body.readBigUInt64LE(32)).toBe(2n ** 40n);
    expect(body.readUInt32LE(40)).toBe(0x12);
    expect(body.readBigUInt64LE(48)).toBe(5n);
    expect(body.readBigUInt64LE(56)).toBe(1n);
    expect(body.readUInt32LE(64)).toBe(0x04);
  });

  it('refuses an empty list (the server would answer INVALID_PARAMETER)', () => {
    expect(() => encodeLockRequest(Buffer.alloc(16), [])).toThrow(RangeError);
  });
});
