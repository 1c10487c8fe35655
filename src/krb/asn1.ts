import * as asn1 from 'asn1js';
import { KrbProtocolError } from './errors.js';

/**
 * A thin layer over asn1js for Kerberos's DER: every field is an explicit
 * context tag inside a SEQUENCE, messages are APPLICATION-tagged. Decoding goes
 * through Fields, which checks each value's type, so a hostile or broken reply
 * ends as a KrbProtocolError naming the field.
 */

export type Node = asn1.AsnType;

const CONTEXT = 3;
const APPLICATION = 2;

export function app(tag: number, value: Node): Node {
  return new asn1.Constructed({ idBlock: { tagClass: APPLICATION, tagNumber: tag }, value: [value] });
}

/** A SEQUENCE of explicitly tagged fields; undefined fields (OPTIONAL, absent) are left out. */
export function fields(...entries: Array<readonly [number, Node | undefined]>): Node {
  const value: Node[] = [];
  for (const [tag, v] of entries) {
    if (v !== undefined) value.push(new asn1.Constructed({ idBlock: { tagClass: CONTEXT, tagNumber: tag }, value: [v] }));
  }
  return new asn1.Sequence({ value });
}

export function seqOf(items: Node[]): Node {
  return new asn1.Sequence({ value: items });
}

export function int(n: number): Node {
  if (!Number.isSafeInteger(n)) throw new RangeError(`not an integer: ${n}`);
  return new asn1.Integer({ value: n });
}

export function str(s: string): Node {
  return new asn1.GeneralString({ value: s });
}

export function octets(b: Uint8Array): Node {
  return new asn1.OctetString({ valueHex: b });
}

export function bool(b: boolean): Node {
  return new asn1.Boolean({ value: b });
}

/** KerberosTime: GeneralizedTime to the second, no fraction (RFC 4120 section 5.2.3). */
export function time(d: Date): Node {
  return new asn1.GeneralizedTime({ valueDate: new Date(Math.floor(d.getTime() / 1000) * 1000) });
}

/** KDCOptions/APOptions/TicketFlags: a 32-bit BIT STRING, bit 0 the most significant. */
export function flags32(value: number): Node {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return new asn1.BitString({ valueHex: b, unusedBits: 0 });
}

export function der(node: Node): Buffer {
  return Buffer.from(node.toBER(false));
}

export function parse(buf: Uint8Array, what: string): Node {
  const r = asn1.fromBER(buf);
  if (r.offset === -1 || r.result.error) throw new KrbProtocolError(`${what} is not valid DER: ${r.result.error || 'parse error'}`);
  if (r.offset !== buf.length) throw new KrbProtocolError(`${what} has trailing bytes`);
  return r.result;
}

/** The APPLICATION tag number of a message, or undefined when it has none. */
export function appTag(node: Node): number | undefined {
  return node.idBlock.tagClass === APPLICATION ? node.idBlock.tagNumber : undefined;
}

/** The value inside [APPLICATION tag]. */
export function unwrapApp(node: Node, tag: number, what: string): Node {
  if (appTag(node) !== tag || !(node instanceof asn1.Constructed) || node.valueBlock.value.length !== 1) {
    throw new KrbProtocolError(`${what}: expected [APPLICATION ${tag}]`);
  }
  return node.valueBlock.value[0]!;
}

/** The explicitly tagged fields of a SEQUENCE, read with type checks. */
export class Fields {
  private readonly map = new Map<number, Node>();
  constructor(
    node: Node,
    private readonly what: string,
  ) {
    if (!(node instanceof asn1.Sequence)) throw new KrbProtocolError(`${what}: expected a SEQUENCE`);
    for (const child of node.valueBlock.value) {
      if (child.idBlock.tagClass !== CONTEXT || !(child instanceof asn1.Constructed) || child.valueBlock.value.length !== 1) {
        throw new KrbProtocolError(`${what}: unexpected element`);
      }
      this.map.set(child.idBlock.tagNumber, child.valueBlock.value[0]!);
    }
  }

  has(tag: number): boolean {
    return this.map.has(tag);
  }

  node(tag: number): Node {
    const n = this.map.get(tag);
    if (n === undefined) throw new KrbProtocolError(`${this.what}: field [${tag}] is missing`);
    return n;
  }

  int(tag: number): number {
    const n = this.node(tag);
    if (!(n instanceof asn1.Integer)) throw new KrbProtocolError(`${this.what}: field [${tag}] is not an INTEGER`);
    const v = n.toBigInt();
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new KrbProtocolError(`${this.what}: field [${tag}] out of range`);
    return Number(v);
  }

  optInt(tag: number): number | undefined {
    return this.has(tag) ? this.int(tag) : undefined;
  }

  str(tag: number): string {
    const n = this.node(tag);
    if (!(n instanceof asn1.GeneralString) && !(n instanceof asn1.IA5String) && !(n instanceof asn1.Utf8String)) {
      throw new KrbProtocolError(`${this.what}: field [${tag}] is not a string`);
    }
    return n.valueBlock.value;
  }

  optStr(tag: number): string | undefined {
    return this.has(tag) ? this.str(tag) : undefined;
  }

  octets(tag: number): Buffer {
    const n = this.node(tag);
    if (!(n instanceof asn1.OctetString)) throw new KrbProtocolError(`${this.what}: field [${tag}] is not an OCTET STRING`);
    return Buffer.from(n.valueBlock.valueHexView);
  }

  optOctets(tag: number): Buffer | undefined {
    return this.has(tag) ? this.octets(tag) : undefined;
  }

  time(tag: number): Date {
    const n = this.node(tag);
    if (!(n instanceof asn1.GeneralizedTime)) throw new KrbProtocolError(`${this.what}: field [${tag}] is not a GeneralizedTime`);
    return n.toDate();
  }

  optTime(tag: number): Date | undefined {
    return this.has(tag) ? this.time(tag) : undefined;
  }

  flags(tag: number): number {
    const n = this.node(tag);
    if (!(n instanceof asn1.BitString)) throw new KrbProtocolError(`${this.what}: field [${tag}] is not a BIT STRING`);
    const bytes = Buffer.alloc(4);
    Buffer.from(n.valueBlock.valueHexView).copy(bytes, 0, 0, 4);
    return bytes.readUInt32BE(0);
  }

  seq(tag: number): Node[] {
    const n = this.node(tag);
    if (!(n instanceof asn1.Sequence)) throw new KrbProtocolError(`${this.what}: field [${tag}] is not a SEQUENCE OF`);
    return n.valueBlock.value;
  }

  fields(tag: number, what: string): Fields {
    return new Fields(this.node(tag), `${this.what}.${what}`);
  }
}
