// The head of a file as text, for previews.
import type { SmbShare } from '../smb/index.js';

/** Text previews show at most this much of a file. */
export const TEXT_PREVIEW_BYTES = 256 * 1024;

export interface TextHead {
  text: string;
  truncated: boolean;
}

/** The first 256 KiB of a file as text: UTF-8 when it is valid, else Windows-1252 (old Office-era text files). */
export async function readTextHead(share: Pick<SmbShare, 'createReadStream'>, path: string, limit = TEXT_PREVIEW_BYTES): Promise<TextHead> {
  const chunks: Buffer[] = [];
  let length = 0;
  // One byte more than shown tells whether there is more.
  for await (const chunk of share.createReadStream(path, { start: 0, end: limit })) {
    const buf = chunk as Buffer;
    chunks.push(buf);
    length += buf.length;
  }
  const all = Buffer.concat(chunks, length);
  const shown = all.subarray(0, limit);
  let text: string;
  try {
    // stream: true leaves out a multi-byte character cut in half at the limit instead of failing on it.
    text = new TextDecoder('utf-8', { fatal: true }).decode(shown, { stream: all.length > limit });
  } catch {
    text = new TextDecoder('windows-1252').decode(shown);
  }
  return { text: text.replace(/^\uFEFF/, ''), truncated: all.length > limit };
}
