// Reads a pcap file (as tcpdump -w writes it) back into TCP byte streams, one per direction, so a test
// can check what really crossed the wire. IPv4 only: the fixtures listen on 127.0.0.x.

export interface TcpSegment {
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  seq: number;
  syn: boolean;
  /** The sender closed its side: nothing it sends on this connection comes later. */
  fin: boolean;
  payload: Buffer;
}

/** Bytes one side sent on one connection, in order. */
export interface TcpStream {
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  data: Buffer;
}

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_LINUX_SLL2 = 276;
const ETHERTYPE_IPV4 = 0x0800;

/** Every TCP segment over IPv4 in the capture, in capture order. Other packets are skipped. */
export function parsePcap(file: Buffer): TcpSegment[] {
  if (file.length < 24) throw new Error('pcap: shorter than its global header');
  const magic = file.readUInt32LE(0);
  let little: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) little = true;
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) little = false;
  else throw new Error(`pcap: bad magic 0x${magic.toString(16)}`);
  const u32 = (at: number): number => (little ? file.readUInt32LE(at) : file.readUInt32BE(at));
  const linkType = u32(20) & 0x0fffffff;

  const segments: TcpSegment[] = [];
  for (let at = 24; at < file.length; ) {
    if (at + 16 > file.length) throw new Error('pcap: truncated record header');
    const captured = u32(at + 8);
    const original = u32(at + 12);
    const start = at + 16;
    if (start + captured > file.length) throw new Error('pcap: truncated record');
    // A cut-off packet would silently lose stream bytes; the capture must use a large enough snaplen.
    if (captured < original) throw new Error(`pcap: packet captured ${captured} of ${original} bytes`);
    const ip = ipv4Payload(file.subarray(start, start + captured), linkType);
    if (ip !== undefined) {
      const segment = tcpSegment(ip);
      if (segment !== undefined) segments.push(segment);
    }
    at = start + captured;
  }
  return segments;
}

/** The IPv4 packet inside a link-layer frame, or undefined for anything else (ARP, IPv6 …). */
function ipv4Payload(frame: Buffer, linkType: number): Buffer | undefined {
  let etherType: number;
  let offset: number;
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      if (frame.length < 14) return undefined;
      etherType = frame.readUInt16BE(12);
      offset = 14;
      break;
    case LINKTYPE_LINUX_SLL:
      if (frame.length < 16) return undefined;
      etherType = frame.readUInt16BE(14);
      offset = 16;
      break;
    case LINKTYPE_LINUX_SLL2:
      if (frame.length < 20) return undefined;
      etherType = frame.readUInt16BE(0);
      offset = 20;
      break;
    case LINKTYPE_RAW:
      etherType = ETHERTYPE_IPV4;
      offset = 0;
      break;
    default:
      throw new Error(`pcap: unsupported link type ${linkType}`);
  }
  if (etherType !== ETHERTYPE_IPV4) return undefined;
  const ip = frame.subarray(offset);
  return ip.length >= 20 && ip[0]! >> 4 === 4 ? ip : undefined;
}

function tcpSegment(ip: Buffer): TcpSegment | undefined {
  const headerLength = (ip[0]! & 0x0f) * 4;
  const totalLength = ip.readUInt16BE(2);
  if (ip[9] !== 6 || totalLength > ip.length || headerLength < 20) return undefined;
  const tcp = ip.subarray(headerLength, totalLength);
  if (tcp.length < 20) return undefined;
  const dataOffset = (tcp[12]! >> 4) * 4;
  return {
    src: ip.subarray(12, 16).join('.'),
    dst: ip.subarray(16, 20).join('.'),
    srcPort: tcp.readUInt16BE(0),
    dstPort: tcp.readUInt16BE(2),
    seq: tcp.readUInt32BE(4),
    syn: (tcp[13]! & 0x02) !== 0,
    fin: (tcp[13]! & 0x01) !== 0,
    payload: tcp.subarray(dataOffset),
  };
}

/**
 * Reassembles each direction of each connection from its segments: ordered by sequence number from the
 * SYN (or the lowest sequence seen), retransmitted bytes taken once. A gap means the capture lost data,
 * and throws rather than hand back a stream with a hole in it.
 */
export function tcpStreams(segments: readonly TcpSegment[]): TcpStream[] {
  const byFlow = new Map<string, TcpSegment[]>();
  for (const s of segments) {
    const key = `${s.src}:${s.srcPort}>${s.dst}:${s.dstPort}`;
    let list = byFlow.get(key);
    if (list === undefined) byFlow.set(key, (list = []));
    list.push(s);
  }
  const streams: TcpStream[] = [];
  for (const [key, list] of byFlow) {
    const syn = list.find((s) => s.syn);
    const isn = syn !== undefined ? (syn.seq + 1) >>> 0 : Math.min(...list.map((s) => s.seq));
    const pieces = list
      .filter((s) => s.payload.length > 0)
      .map((s) => ({ at: (s.seq - isn) >>> 0, payload: s.payload }))
      .sort((a, b) => a.at - b.at);
    const parts: Buffer[] = [];
    let next = 0;
    for (const p of pieces) {
      if (p.at > next) throw new Error(`pcap: ${key} is missing bytes ${next}–${p.at - 1}`);
      const end = p.at + p.payload.length;
      if (end <= next) continue;
      parts.push(p.payload.subarray(next - p.at));
      next = end;
    }
    const first = list[0]!;
    streams.push({ src: first.src, srcPort: first.srcPort, dst: first.dst, dstPort: first.dstPort, data: Buffer.concat(parts) });
  }
  return streams;
}
