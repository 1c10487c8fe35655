import { AuthProtocolError } from './errors.js';

/** AV_PAIR ids, MS-NLMP 2.2.2.1. */
export const AvId = {
  EOL: 0x0000,
  NbComputerName: 0x0001,
  NbDomainName: 0x0002,
  DnsComputerName: 0x0003,
  DnsDomainName: 0x0004,
  DnsTreeName: 0x0005,
  Flags: 0x0006,
  Timestamp: 0x0007,
  SingleHost: 0x0008,
  TargetName: 0x0009,
  ChannelBindings: 0x000a,
} as const;

/** MsvAvFlags bit: the AUTHENTICATE message carries a MIC. */
export const MSV_AV_FLAG_MIC_PRESENT = 0x00000002;

export interface AvPair {
  id: number;
  value: Buffer;
}

/** Parses an AV_PAIR list up to MsvAvEOL. The EOL itself is not returned. */
export function parseAvPairs(data: Buffer): AvPair[] {
  const pairs: AvPair[] = [];
  let offset = 0;
  for (;;) {
    if (offset + 4 > data.length) throw new AuthProtocolError('NTLM target info ends without MsvAvEOL');
    const id = data.readUInt16LE(offset);
    const length = data.readUInt16LE(offset + 2);
    offset += 4;
    if (id === AvId.EOL) return pairs;
    if (offset + length > data.length) throw new AuthProtocolError(`NTLM AV pair 0x${id.toString(16)} overruns the target info`);
    pairs.push({ id, value: Buffer.from(data.subarray(offset, offset + length)) });
    offset += length;
  }
}

export function encodeAvPairs(pairs: readonly AvPair[]): Buffer {
  const parts: Buffer[] = [];
  for (const { id, value } of pairs) {
    if (id === AvId.EOL) continue;
    const head = Buffer.alloc(4);
    head.writeUInt16LE(id, 0);
    head.writeUInt16LE(value.length, 2);
    parts.push(head, value);
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}

export function findAvPair(pairs: readonly AvPair[], id: number): Buffer | undefined {
  return pairs.find((p) => p.id === id)?.value;
}

export function avPairString(pairs: readonly AvPair[], id: number): string | undefined {
  return findAvPair(pairs, id)?.toString('utf16le');
}
