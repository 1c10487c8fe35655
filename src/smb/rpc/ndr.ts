/**
 * NDR (DCE 1.1 RPC, chapter 14) primitives: little-endian, ASCII, IEEE data representation only (what every
 * SMB server sends and what we declare in our PDUs). Alignment is relative to the start of the stub data,
 * so a writer or reader is made per stub, never shared between PDUs.
 */

/** Builds a stub: aligned little-endian integers, pointer referents and conformant varying strings. */
export class NdrWriter {
  private chunks: Buffer[] = [];
  private length = 0;
  private nextReferent = 0x00020000;

  align(n: number): this {
    const pad = (n - (this.length % n)) % n;
    if (pad > 0) this.push(Buffer.alloc(pad));
    return this;
  }

  u16(v: number): this {
    this.align(2);
    const b = Buffer.alloc(2);
    b.writeUInt16LE(v, 0);
    return this.push(b);
  }

  u32(v: number): this {
    this.align(4);
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0, 0);
    return this.push(b);
  }

  /** A unique or full pointer's referent id (the pointee follows where NDR defers it); 0 for null. */
  pointer(present: boolean): this {
    if (!present) return this.u32(0);
    const id = this.nextReferent;
    this.nextReferent += 4;
    return this.u32(id);
  }

  /** `[string] wchar_t*` pointee: max count, offset 0, actual count, UTF-16LE with its terminating NUL. */
  wideString(s: string): this {
    const units = Buffer.from(`${s}\0`, 'utf16le');
    const count = units.length / 2;
    this.u32(count).u32(0).u32(count);
    return this.push(units);
  }

  bytes(b: Buffer): this {
    return this.push(Buffer.from(b));
  }

  finish(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }

  private push(b: Buffer): this {
    this.chunks.push(b);
    this.length += b.length;
    return this;
  }
}

export class NdrError extends Error {}

/** Reads a stub, checking every length against what is left so a hostile server cannot make us overrun. */
export class NdrReader {
  private at = 0;

  constructor(private readonly buf: Buffer) {}

  get offset(): number {
    return this.at;
  }

  align(n: number): void {
    this.at += (n - (this.at % n)) % n;
    if (this.at > this.buf.length) throw new NdrError('NDR stub ends inside padding');
  }

  u16(): number {
    this.align(2);
    this.need(2);
    const v = this.buf.readUInt16LE(this.at);
    this.at += 2;
    return v;
  }

  u32(): number {
    this.align(4);
    this.need(4);
    const v = this.buf.readUInt32LE(this.at);
    this.at += 4;
    return v;
  }

  /** A referent id: true when the pointee follows (deferred), false for a null pointer. */
  pointer(): boolean {
    return this.u32() !== 0;
  }

  /** A conformant varying UTF-16 string; the terminating NUL, when present, is dropped. */
  wideString(): string {
    const max = this.u32();
    const offset = this.u32();
    const actual = this.u32();
    if (offset !== 0 || actual > max) throw new NdrError(`bad string bounds (max ${max}, offset ${offset}, actual ${actual})`);
    this.need(actual * 2);
    let text = this.buf.toString('utf16le', this.at, this.at + actual * 2);
    this.at += actual * 2;
    if (text.endsWith('\0')) text = text.slice(0, -1);
    return text;
  }

  /** An array's conformance (element count), bounded by what the rest of the stub could possibly hold. */
  count(minElementBytes: number): number {
    const n = this.u32();
    if (n * minElementBytes > this.buf.length - this.at) throw new NdrError(`array of ${n} elements cannot fit in the stub`);
    return n;
  }

  private need(n: number): void {
    if (this.at + n > this.buf.length) throw new NdrError('NDR stub ends early');
  }
}

/** A DCE UUID in its wire form: the first three fields little-endian, the last eight bytes as written. */
export function encodeUuid(uuid: string): Buffer {
  const hex = uuid.replaceAll('-', '');
  if (!/^[0-9a-f]{32}$/iu.test(hex)) throw new RangeError(`not a UUID: ${uuid}`);
  const b = Buffer.from(hex, 'hex');
  const out = Buffer.from(b);
  out.writeUInt32LE(b.readUInt32BE(0), 0);
  out.writeUInt16LE(b.readUInt16BE(4), 4);
  out.writeUInt16LE(b.readUInt16BE(6), 6);
  return out;
}

export function decodeUuid(b: Buffer, at = 0): string {
  const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
  const tail = b.subarray(at + 8, at + 16).toString('hex');
  return `${hex(b.readUInt32LE(at), 8)}-${hex(b.readUInt16LE(at + 4), 4)}-${hex(b.readUInt16LE(at + 6), 4)}-${tail.slice(0, 4)}-${tail.slice(4)}`;
}
