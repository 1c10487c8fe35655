import { AuthProtocolError } from './errors.js';

/**
 * Just enough DER for SPNEGO: definite lengths, low tag numbers, OIDs.
 * Every read is bounded by its enclosing element, so hostile input can only
 * produce an AuthProtocolError.
 */

export const Tag = {
  ENUMERATED: 0x0a,
  OCTET_STRING: 0x04,
  OID: 0x06,
  GENERAL_STRING: 0x1b,
  SEQUENCE: 0x30,
  APPLICATION_0: 0x60,
} as const;

export function contextTag(n: number): number {
  return 0xa0 | n;
}

export interface Tlv {
  tag: number;
  /** Where the element starts (its tag byte). */
  start: number;
  contentStart: number;
  /** One past the content's last byte. */
  end: number;
}

const MAX_LENGTH_OCTETS = 4;

export function readTlv(buf: Buffer, offset: number, limit: number = buf.length): Tlv {
  if (offset + 2 > limit) throw new AuthProtocolError('DER element truncated');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new AuthProtocolError('DER high tag numbers are not used by SPNEGO');
  let length = buf[offset + 1]!;
  let contentStart = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0) throw new AuthProtocolError('DER indefinite length is not allowed');
    if (octets > MAX_LENGTH_OCTETS) throw new AuthProtocolError('DER length too large');
    if (contentStart + octets > limit) throw new AuthProtocolError('DER length truncated');
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + buf[contentStart + i]!;
    contentStart += octets;
  }
  const end = contentStart + length;
  if (end > limit) throw new AuthProtocolError(`DER element (tag 0x${tag.toString(16)}) overruns its container`);
  return { tag, start: offset, contentStart, end };
}

/** The element at `offset`, which must have the expected tag. */
export function expectTlv(buf: Buffer, offset: number, tag: number, what: string, limit?: number): Tlv {
  const tlv = readTlv(buf, offset, limit);
  if (tlv.tag !== tag) throw new AuthProtocolError(`${what}: expected tag 0x${tag.toString(16)}, got 0x${tlv.tag.toString(16)}`);
  return tlv;
}

export function children(buf: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.contentStart; at < parent.end; ) {
    const child = readTlv(buf, at, parent.end);
    out.push(child);
    at = child.end;
  }
  return out;
}

export function content(buf: Buffer, tlv: Tlv): Buffer {
  return Buffer.from(buf.subarray(tlv.contentStart, tlv.end));
}

export function whole(buf: Buffer, tlv: Tlv): Buffer {
  return Buffer.from(buf.subarray(tlv.start, tlv.end));
}

export function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function encodeTlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.of(tag), encodeLength(body.length), body]);
}

export function encodeOid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((s) => {
    if (!/^\d+$/.test(s)) throw new RangeError(`bad OID ${dotted}`);
    return Number(s);
  });
  if (arcs.length < 2 || arcs[0]! > 2) throw new RangeError(`bad OID ${dotted}`);
  const bytes: number[] = [];
  const pushArc = (value: number): void => {
    const chunk: number[] = [value & 0x7f];
    for (let v = Math.floor(value / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    bytes.push(...chunk);
  };
  pushArc(arcs[0]! * 40 + arcs[1]!);
  for (const arc of arcs.slice(2)) pushArc(arc);
  return encodeTlv(Tag.OID, Buffer.from(bytes));
}

export function decodeOid(body: Buffer): string {
  if (body.length === 0) throw new AuthProtocolError('empty DER OID');
  const arcs: number[] = [];
  let value = 0;
  for (let i = 0; i < body.length; i++) {
    value = value * 128 + (body[i]! & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new AuthProtocolError('DER OID arc too large');
    if ((body[i]! & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else arcs.push(value);
      value = 0;
    } else if (i === body.length - 1) {
      throw new AuthProtocolError('DER OID ends inside an arc');
    }
  }
  return arcs.join('.');
}

export function encodeEnumerated(value: number): Buffer {
  if (!Number.isInteger(value) || value < 0 || value > 127) throw new RangeError('only small ENUMERATED values are supported');
  return encodeTlv(Tag.ENUMERATED, Buffer.of(value));
}

export function decodeEnumerated(body: Buffer): number {
  if (body.length === 0 || body.length > 4) throw new AuthProtocolError('bad DER ENUMERATED');
  return body.readIntBE(0, body.length);
}
