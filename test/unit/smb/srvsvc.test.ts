// DCE/RPC and NDR for srvsvc NetrShareEnumAll, against bytes captured from a real Samba 4.17 AD DC (the test
// domain; see test/integration/smb/shares.test.ts, PORTCULLIS_DUMP_RPC) and from Samba's smbclient talking to
// it (tcpdump). The DC's answer decodes to exactly what `smbclient -L` listed for it; our bind and request are
// the bytes it accepted, and the same as smbclient's.
import { describe, expect, it } from 'vitest';
import { decodeBindAck, decodeResponseFragment, encodeBind, encodeRequest, PfcFlag, readPduHeader, RpcFaultError, HEADER_SIZE } from '../../../src/smb/rpc/pdu.js';
import { decodeShareEnumAllResponse, encodeShareEnumAllRequest, NETR_SHARE_ENUM_ALL, SRVSVC_SYNTAX } from '../../../src/smb/rpc/srvsvc.js';
import { NdrError, NdrReader, NdrWriter, decodeUuid, encodeUuid } from '../../../src/smb/rpc/ndr.js';
import { RpcPipe, type MessagePipe } from '../../../src/smb/rpc/rpc-pipe.js';
import type { PipeChunk } from '../../../src/smb/rpc/named-pipe.js';

/** bind (call 1) as our client sent it to the Samba 4.17 AD DC at 127.0.0.73. */
const BIND_HEX =
  '05000b03100000004800000001000000b810b810000000000100000000000100c84f324b7016d30112785a47bf6ee188' +
  '03000000045d888aeb1cc9119fe808002b10486002000000';

/** The DC's bind_ack. */
const BIND_ACK_HEX =
  '05000c03100000004400000001000000b810b8104dc200000d005c706970655c73727673766300000100000000000000' +
  '045d888aeb1cc9119fe808002b10486002000000';

/** NetrShareEnumAll request (call 2), level 1, server name \\\\127.0.0.73. */
const REQUEST_HEX =
  '050000031000000064000000020000004c00000000000f00000002000d000000000000000d0000005c005c0031003200' +
  '37002e0030002e0030002e0037003300000000000100000001000000040002000000000000000000ffffffff08000200' +
  '00000000';

/** The DC's response: 7 shares in one fragment. */
const RESPONSE_HEX =
  '05000203100000000c02000002000000f40100000000000001000000010000000c000200070000001000020007000000' +
  '1400020000000000180002001c00020000000000200002002400020000000000280002002c0002000000000030000200' +
  '3400020000000000380002003c0002000000000040000200440002000300008048000200090000000000000009000000' +
  '6e00650074006c006f0067006f006e000000000001000000000000000100000000000000070000000000000007000000' +
  '73007900730076006f006c00000000000100000000000000010000000000000006000000000000000600000075007300' +
  '650072007300000001000000000000000100000000000000070000000000000007000000730068006100720065006400' +
  '000000000100000000000000010000000000000009000000000000000900000072006500610064006f006e006c007900' +
  '000000000100000000000000010000000000000007000000000000000700000063006f00750072007300650000000000' +
  '010000000000000001000000000000000500000000000000050000004900500043002400000000002300000000000000' +
  '230000004900500043002000530065007200760069006300650020002800530061006d0062006100200034002e003100' +
  '37002e00310032002d00440065006200690061006e00290000000000070000004c0002000000000000000000';

/**
 * Samba's own client, for an independent check of our encoder: `smbclient -L //127.0.0.73 -m SMB3` captured with
 * tcpdump on loopback (signed, not encrypted), its DCE/RPC PDUs cut out of the SMB2 WRITE/IOCTL payloads. Its
 * bind is byte for byte BIND_HEX; its request names the server without the leading backslashes.
 */
const SMBCLIENT_BIND_HEX =
  '05000b03100000004800000001000000b810b810000000000100000000000100c84f324b7016d30112785a47bf6ee188' +
  '03000000045d888aeb1cc9119fe808002b10486002000000';
const SMBCLIENT_REQUEST_HEX =
  '050000031000000060000000020000004800000000000f00000002000b000000000000000b0000003100320037002e00' +
  '30002e0030002e0037003300000000000100000001000000040002000000000000000000ffffffff0800020000000000';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

/** What `smbclient -L //127.0.0.73 -g` printed for the same DC (IPC$'s comment names its Samba version). */
const DC_SHARES = [
  { name: 'netlogon', type: 'disk', comment: '' },
  { name: 'sysvol', type: 'disk', comment: '' },
  { name: 'users', type: 'disk', comment: '' },
  { name: 'shared', type: 'disk', comment: '' },
  { name: 'readonly', type: 'disk', comment: '' },
  { name: 'course', type: 'disk', comment: '' },
  { name: 'IPC$', type: 'ipc', comment: 'IPC Service (Samba 4.17.12-Debian)' },
];

/** Cuts a response PDU into fragments of at most `size` bytes, each with its own header, as a server would. */
function refragment(pdu: Buffer, size: number): Buffer[] {
  const stub = pdu.subarray(HEADER_SIZE + 8, readPduHeader(pdu).fragLength);
  const room = size - HEADER_SIZE - 8;
  const out: Buffer[] = [];
  for (let at = 0; at < stub.length; at += room) {
    const part = stub.subarray(at, at + room);
    const f = Buffer.concat([pdu.subarray(0, HEADER_SIZE + 8), part]);
    f.writeUInt8((at === 0 ? PfcFlag.FIRST_FRAG : 0) | (at + room >= stub.length ? PfcFlag.LAST_FRAG : 0), 3);
    f.writeUInt16LE(f.length, 8);
    f.writeUInt32LE(stub.length - at, HEADER_SIZE);
    out.push(f);
  }
  return out;
}

/**
 * Plays a server's side of the pipe: each answer is one pipe message (the bind_ack; then all response
 * fragments, as Samba writes them), handed out `maxOutput` bytes at a time with STATUS_BUFFER_OVERFLOW.
 */
class ReplayPipe implements MessagePipe {
  readonly sent: Buffer[] = [];
  private message: Buffer = Buffer.alloc(0);
  constructor(private readonly answers: Buffer[]) {}
  transceive(input: Buffer, maxOutput: number): Promise<PipeChunk> {
    this.sent.push(input);
    this.message = this.answers.shift() ?? Buffer.alloc(0);
    return this.read(maxOutput);
  }
  write(data: Buffer): Promise<void> {
    this.sent.push(data);
    return Promise.resolve();
  }
  read(length: number): Promise<PipeChunk> {
    const data = this.message.subarray(0, length);
    this.message = this.message.subarray(length);
    return Promise.resolve({ data, more: this.message.length > 0 });
  }
}

describe('NDR primitives', () => {
  it('UUIDs: first three fields little-endian, the rest as written', () => {
    expect(encodeUuid(SRVSVC_SYNTAX.uuid).toString('hex')).toBe('c84f324b7016d30112785a47bf6ee188');
    expect(decodeUuid(encodeUuid('8a885d04-1ceb-11c9-9fe8-08002b104860'))).toBe('8a885d04-1ceb-11c9-9fe8-08002b104860');
  });

  it('aligns relative to the stub start and pads strings to the next field', () => {
    const b = new NdrWriter().u16(1).u32(2).pointer(true).wideString('ab').u32(3).finish();
    expect(b.toString('hex')).toBe('0100' + '0000' + '02000000' + '00000200' + '030000000000000003000000' + '610062000000' + '0000' + '03000000');
    const r = new NdrReader(b);
    expect([r.u16(), r.u32(), r.pointer(), r.wideString(), r.u32()]).toEqual([1, 2, true, 'ab', 3]);
  });

  it('refuses lengths that run past the stub instead of reading beyond it', () => {
    const huge = new NdrWriter().u32(0x7fffffff).u32(0).u32(0x7fffffff).finish();
    expect(() => new NdrReader(huge).wideString()).toThrow(NdrError);
    expect(() => new NdrReader(new NdrWriter().u32(1_000_000).finish()).count(12)).toThrow(NdrError);
  });
});

describe('srvsvc bind', () => {
  it('encodes the bind the DC accepted: srvsvc v3.0 in NDR 2.0, 4280-byte fragments', () => {
    expect(encodeBind({ callId: 1, abstract: SRVSVC_SYNTAX }).toString('hex')).toBe(BIND_HEX);
  });

  it('decodes the bind_ack: accepted, the pipe named, fragment sizes', () => {
    const ack = decodeBindAck(hex(BIND_ACK_HEX));
    expect(ack).toMatchObject({ maxXmitFrag: 4280, maxRecvFrag: 4280, secondaryAddress: '\\pipe\\srvsvc' });
    expect(ack.results).toEqual([{ result: 0, reason: 0, transfer: { uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', version: 2 } }]);
  });

  it('a bind_nak is refused with its reason', () => {
    const nak = hex(BIND_ACK_HEX).subarray(0, HEADER_SIZE + 4);
    nak.writeUInt8(13, 2);
    nak.writeUInt16LE(nak.length, 8);
    expect(() => decodeBindAck(nak)).toThrow(/bind_nak/);
  });
});

describe('NetrShareEnumAll level 1', () => {
  it('encodes the bind and the request exactly as Samba\'s smbclient does', () => {
    expect(encodeBind({ callId: 1, abstract: SRVSVC_SYNTAX }).toString('hex')).toBe(SMBCLIENT_BIND_HEX);
    expect(encodeRequest(2, NETR_SHARE_ENUM_ALL, encodeShareEnumAllRequest('127.0.0.73')).map((f) => f.toString('hex'))).toEqual([SMBCLIENT_REQUEST_HEX]);
  });

  it('encodes the request the DC answered', () => {
    const frags = encodeRequest(2, NETR_SHARE_ENUM_ALL, encodeShareEnumAllRequest('\\\\127.0.0.73'));
    expect(frags.map((f) => f.toString('hex'))).toEqual([REQUEST_HEX]);
  });

  it('cuts a request larger than the fragment size into fragments that add up to the stub', () => {
    const stub = encodeShareEnumAllRequest(`\\\\${'x'.repeat(100)}`);
    const frags = encodeRequest(7, NETR_SHARE_ENUM_ALL, stub, 64);
    expect(frags.length).toBeGreaterThan(3);
    expect(frags.every((f) => f.length <= 64)).toBe(true);
    expect(frags.map((f) => readPduHeader(f).flags & 3)).toEqual([1, ...Array<number>(frags.length - 2).fill(0), 2]);
    expect(Buffer.concat(frags.map((f) => f.subarray(HEADER_SIZE + 8)))).toEqual(stub);
  });

  it('decodes the DC response into what smbclient -L listed', () => {
    const { stub, last } = decodeResponseFragment(hex(RESPONSE_HEX), 2);
    expect(last).toBe(true);
    const result = decodeShareEnumAllResponse(stub);
    expect(result.status).toBe(0);
    expect(result.totalEntries).toBe(7);
    expect(result.shares.map(({ name, type, comment }) => ({ name, type, comment }))).toEqual(DC_SHARES);
    expect(result.shares.find((s) => s.name === 'IPC$')).toMatchObject({ rawType: 0x80000003, special: true });
  });

  it('a response for another call, a truncated stub and a fault are errors, not shares', () => {
    expect(() => decodeResponseFragment(hex(RESPONSE_HEX), 3)).toThrow(/call 2/);
    const { stub } = decodeResponseFragment(hex(RESPONSE_HEX), 2);
    expect(() => decodeShareEnumAllResponse(stub.subarray(0, stub.length - 40))).toThrow(NdrError);
    const fault = Buffer.alloc(HEADER_SIZE + 16);
    hex(RESPONSE_HEX).copy(fault, 0, 0, HEADER_SIZE);
    fault.writeUInt8(3, 2);
    fault.writeUInt16LE(fault.length, 8);
    fault.writeUInt32LE(0x1c010002, HEADER_SIZE + 8);
    expect(() => decodeResponseFragment(fault, 2)).toThrow(RpcFaultError);
  });
});

describe('RpcPipe over a message pipe', () => {
  it('joins a response cut into fragments and pipe reads (BUFFER_OVERFLOW) back into the same shares', async () => {
    const fragments = refragment(hex(RESPONSE_HEX), 100);
    expect(fragments.length).toBeGreaterThan(5);
    const pipe = new ReplayPipe([hex(BIND_ACK_HEX), Buffer.concat(fragments)]);
    const rpc = await RpcPipe.bind(pipe, SRVSVC_SYNTAX, { maxOutput: 37 });
    const stub = await rpc.call(NETR_SHARE_ENUM_ALL, encodeShareEnumAllRequest('\\\\127.0.0.73'));
    expect(pipe.sent.map((b) => b.toString('hex'))).toEqual([BIND_HEX, REQUEST_HEX]);
    expect(decodeShareEnumAllResponse(stub).shares.map((s) => s.name)).toEqual(DC_SHARES.map((s) => s.name));
  });
});
