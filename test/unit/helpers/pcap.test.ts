// The capture parser the signing test relies on: a wrong parser could pass that test vacuously.
import { describe, expect, it } from 'vitest';
import { parsePcap, tcpStreams } from '../../helpers/pcap.js';
import { isSigned, smb2Messages } from '../../helpers/smb2-wire.js';

interface Packet {
  src: [string, number];
  dst: [string, number];
  seq: number;
  syn?: boolean;
  fin?: boolean;
  payload?: Buffer;
  /** Bytes of the frame actually stored, to model a snaplen cut. */
  captured?: number;
}

function ethernetFrame(p: Packet): Buffer {
  const payload = p.payload ?? Buffer.alloc(0);
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(p.src[1], 0);
  tcp.writeUInt16BE(p.dst[1], 2);
  tcp.writeUInt32BE(p.seq >>> 0, 4);
  tcp[12] = 5 << 4;
  tcp[13] = p.syn ? 0x02 : p.fin ? 0x11 : 0x18;
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + 20 + payload.length, 2);
  ip[9] = 6;
  Buffer.from(p.src[0].split('.').map(Number)).copy(ip, 12);
  Buffer.from(p.dst[0].split('.').map(Number)).copy(ip, 16);
  const eth = Buffer.alloc(14);
  eth.writeUInt16BE(0x0800, 12);
  return Buffer.concat([eth, ip, tcp, payload]);
}

function pcapFile(packets: Packet[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(1, 20);
  const records = packets.map((p) => {
    const frame = ethernetFrame(p);
    const stored = frame.subarray(0, p.captured ?? frame.length);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(stored.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    return Buffer.concat([rec, stored]);
  });
  return Buffer.concat([header, ...records]);
}

const C: [string, number] = ['127.0.0.1', 50000];
const S: [string, number] = ['127.0.0.1', 4620];

/** An SMB2 header (64 bytes) with a command, flags and NextCommand, then `body` bytes. */
function smb2(command: number, flags: number, next = 0, body = 0): Buffer {
  const b = Buffer.alloc(64 + body);
  b.writeUInt32LE(0x424d53fe, 0);
  b.writeUInt16LE(64, 4);
  b.writeUInt16LE(command, 12);
  b.writeUInt32LE(flags, 16);
  b.writeUInt32LE(next, 20);
  return b;
}
const netbios = (frame: Buffer): Buffer => Buffer.concat([Buffer.from([0, frame.length >> 16, (frame.length >> 8) & 0xff, frame.length & 0xff]), frame]);

describe('parsePcap + tcpStreams', () => {
  it('reassembles each direction in sequence order, taking retransmitted bytes once', () => {
    const data = Buffer.from('hello, reassembled world');
    const isn = 0xfffffff0; // wraps around 2^32 inside the stream
    const file = pcapFile([
      { src: C, dst: S, seq: isn, syn: true },
      { src: C, dst: S, seq: isn + 1 + 7, payload: data.subarray(7, 16) },
      { src: C, dst: S, seq: isn + 1, payload: data.subarray(0, 10) },
      { src: S, dst: C, seq: 1000, payload: Buffer.from('reply') },
      { src: C, dst: S, seq: isn + 1 + 16, payload: data.subarray(16) },
      { src: C, dst: S, seq: isn + 1 + 16, payload: data.subarray(16) },
      { src: C, dst: S, seq: isn + 1 + data.length, fin: true },
    ]);
    expect(parsePcap(file).map((s) => s.fin)).toEqual([false, false, false, false, false, false, true]);
    const streams = tcpStreams(parsePcap(file));
    const toServer = streams.find((s) => s.dstPort === 4620)!;
    expect(toServer.data.toString()).toBe(data.toString());
    expect(toServer).toMatchObject({ src: '127.0.0.1', srcPort: 50000, dst: '127.0.0.1' });
    expect(streams.find((s) => s.srcPort === 4620)!.data.toString()).toBe('reply');
  });

  it('throws on a hole in a stream, a packet cut by the snaplen, or a file that is not a pcap', () => {
    expect(() => tcpStreams(parsePcap(pcapFile([
      { src: C, dst: S, seq: 0, syn: true },
      { src: C, dst: S, seq: 1, payload: Buffer.from('ab') },
      { src: C, dst: S, seq: 5, payload: Buffer.from('ef') },
    ])))).toThrow(/missing bytes 2–3/);
    expect(() => parsePcap(pcapFile([{ src: C, dst: S, seq: 1, payload: Buffer.alloc(100), captured: 80 }]))).toThrow(/captured 80 of 154/);
    expect(() => parsePcap(Buffer.alloc(24))).toThrow(/bad magic/);
  });

  it('reads big-endian captures and skips non-IPv4 frames', () => {
    const little = pcapFile([{ src: C, dst: S, seq: 1, payload: Buffer.from('x') }]);
    const big = Buffer.from(little);
    for (const at of [0, 8, 12, 16, 20]) big.writeUInt32BE(little.readUInt32LE(at), at);
    big.writeUInt16BE(2, 4);
    big.writeUInt16BE(4, 6);
    for (const at of [24 + 8, 24 + 12]) big.writeUInt32BE(little.readUInt32LE(at), at);
    expect(parsePcap(big)).toHaveLength(1);
    const arp = Buffer.from(little);
    arp.writeUInt16BE(0x0806, 24 + 16 + 12);
    expect(parsePcap(arp)).toEqual([]);
  });
});

describe('smb2Messages', () => {
  it('splits NetBIOS frames and compound chains, and keeps encrypted frames opaque', () => {
    const first = smb2(5, 0x08, 72, 8);
    const second = smb2(8, 0x0c, 0, 3);
    const transform = Buffer.alloc(60);
    transform.writeUInt32LE(0x424d53fd, 0);
    transform.writeBigUInt64LE(42n, 44);
    const stream = Buffer.concat([netbios(smb2(0, 0)), netbios(Buffer.concat([first, second])), netbios(transform)]);
    const msgs = smb2Messages(stream);
    expect(msgs.map((m) => [m.command, isSigned(m), m.encrypted])).toEqual([[0, false, false], [5, true, false], [8, true, false], [-1, false, true]]);
    expect(msgs[1]!.bytes.length).toBe(72);
    expect(msgs[3]!.sessionId).toBe(42n);
  });

  it('throws on a truncated frame or a frame that is not SMB2', () => {
    expect(() => smb2Messages(netbios(smb2(0, 0)).subarray(0, 30))).toThrow(/truncated/);
    expect(() => smb2Messages(netbios(Buffer.alloc(64)))).toThrow(/no SMB2 header/);
  });
});
