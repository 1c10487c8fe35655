import { decodeName } from './encoding.js';

export const ChangeNotifyFlag = { WATCH_TREE: 0x0001 } as const;

export const NotifyAction = {
  ADDED: 1,
  REMOVED: 2,
  MODIFIED: 3,
  RENAMED_OLD_NAME: 4,
  RENAMED_NEW_NAME: 5,
} as const;

export function encodeChangeNotifyRequest(fileId: Buffer, completionFilter: number, recursive: boolean, outputBufferLength: number): Buffer {
  const body = Buffer.alloc(32);
  body.writeUInt16LE(32, 0);
  body.writeUInt16LE(recursive ? ChangeNotifyFlag.WATCH_TREE : 0, 2);
  body.writeUInt32LE(outputBufferLength, 4);
  fileId.copy(body, 8, 0, 16);
  body.writeUInt32LE(completionFilter >>> 0, 24);
  return body;
}

export interface FileNotifyEntry {
  action: number;
  name: string;
}

export function decodeFileNotifyInformation(buf: Buffer): FileNotifyEntry[] {
  const out: FileNotifyEntry[] = [];
  let at = 0;
  while (at + 12 <= buf.length) {
    const next = buf.readUInt32LE(at);
    const len = buf.readUInt32LE(at + 8);
    if (at + 12 + len > buf.length) throw new RangeError('notify entry outside the buffer');
    out.push({ action: buf.readUInt32LE(at + 4), name: decodeName(buf, at + 12, len) });
    if (next === 0) break;
    at += next;
  }
  return out;
}
