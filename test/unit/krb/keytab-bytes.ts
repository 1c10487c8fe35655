// Builds MIT keytab files (0x0502) for unit tests, byte by byte from the format's description, independent of the parser.
export interface RawEntry {
  realm: string;
  parts: string[];
  nameType?: number;
  kvno: number;
  etype: number;
  key: Buffer;
  /** Append the 32-bit kvno (and put `kvno & 0xff` in the 8-bit field). */
  kvno32?: boolean;
}

const counted = (s: string): Buffer => {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
};

export function keytabBytes(entries: RawEntry[], holes: number[] = []): Buffer {
  const out: Buffer[] = [Buffer.of(0x05, 0x02)];
  for (const size of holes) {
    const h = Buffer.alloc(4 + size);
    h.writeInt32BE(-size);
    out.push(h);
  }
  for (const e of entries) {
    const head = Buffer.alloc(2);
    head.writeUInt16BE(e.parts.length);
    const tail = Buffer.alloc(4 + 4 + 1 + 2 + 2);
    tail.writeUInt32BE(e.nameType ?? 1, 0);
    tail.writeUInt32BE(1_700_000_000, 4);
    tail[8] = e.kvno & 0xff;
    tail.writeUInt16BE(e.etype, 9);
    tail.writeUInt16BE(e.key.length, 11);
    const extra = e.kvno32 ? Buffer.alloc(4) : Buffer.alloc(0);
    if (e.kvno32) extra.writeUInt32BE(e.kvno);
    const body = Buffer.concat([head, counted(e.realm), ...e.parts.map(counted), tail, e.key, extra]);
    const size = Buffer.alloc(4);
    size.writeInt32BE(body.length);
    out.push(size, body);
  }
  return Buffer.concat(out);
}
