// Shared by the transfer tests: a signed-in alice, raw (binary) requests with her cookies, and file helpers.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { HttpClient } from '../../helpers/http-client.js';

export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
export const sha256File = (path: string): string => sha256(readFileSync(path));

export interface RawReply {
  status: number;
  headers: Headers;
  body: Buffer;
}

/** A request with the client's cookies whose body is kept as bytes. */
export async function raw(client: HttpClient, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<RawReply> {
  const cookie = client.jar.header();
  const res = await fetch(new URL(path, client.baseUrl), { method, headers: { ...(cookie ? { Cookie: cookie } : {}), ...headers }, body, redirect: 'manual' });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

/** `/area/drive/a/b` with each segment percent-encoded. */
export const urlOf = (area: string, drive: string, ...segments: string[]): string => `/${area}/${drive}/${segments.map(encodeURIComponent).join('/')}`;

export interface SlowDownload {
  status: number;
  contentLength: number;
  received: number;
  /** How the body ended: 'end' (clean), or 'error'/'aborted' (the connection was cut). */
  ending: 'end' | 'error' | 'aborted';
}

/**
 * GETs `path` with node:http, reads `before` bytes, then calls `midway()` while the body is paused, then reads
 * the rest. Reports whether the body ended cleanly or the connection was cut.
 */
export function downloadWithPause(client: HttpClient, path: string, before: number, midway: () => Promise<void>): Promise<SlowDownload> {
  const url = new URL(path, client.baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { Cookie: client.jar.header() ?? '' } }, (res) => {
      let received = 0;
      let paused = false;
      let settled = false;
      const done = (ending: SlowDownload['ending']): void => {
        if (settled) return;
        settled = true;
        resolve({ status: res.statusCode ?? 0, contentLength: Number(res.headers['content-length'] ?? -1), received, ending });
      };
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (!paused && received >= before) {
          paused = true;
          res.pause();
          midway().then(
            () => res.resume(),
            (err: unknown) => reject(err instanceof Error ? err : new Error(String(err))),
          );
        }
      });
      res.on('end', () => done(res.complete ? 'end' : 'aborted'));
      res.on('aborted', () => done('aborted'));
      res.on('error', () => done('error'));
      res.on('close', () => done(res.complete ? 'end' : 'aborted'));
    });
    req.on('error', reject);
  });
}

export { dropServerConnections } from '../../fixtures/faults.js';

/** A PNG whose header claims width × height pixels (no real pixel data): enough for a decoder's limit check. */
export function pngClaiming(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (buf: Buffer): number => {
    let c = 0xffffffff;
    for (const b of buf) c = (crcTable[(c ^ b) & 0xff] as number) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), chunk('IEND', Buffer.alloc(0))]);
}
