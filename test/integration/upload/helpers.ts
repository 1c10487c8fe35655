// Raw HTTP for upload tests: multipart bodies streamed from disk or memory (so a 200 MiB file never sits in
// memory), requests that can be cut midway, and checksums of what landed in the DC's share folders.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { HttpClient } from '../../helpers/http-client.js';

export interface Part {
  name: string;
  /** A file on disk or bytes in memory. */
  path?: string;
  data?: Buffer;
}

export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: Record<string, unknown>;
}

export const BOUNDARY = '----portcullis-test-boundary-7d1f';

const partHead = (name: string): Buffer =>
  Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${name.replace(/"/g, '%22')}"\r\nContent-Type: application/octet-stream\r\n\r\n`, 'utf8');
const TAIL = Buffer.from(`--${BOUNDARY}--\r\n`);

function sizeOf(p: Part): number {
  return p.data ? p.data.length : statSync(p.path ?? '').size;
}

export function multipartLength(parts: Part[]): number {
  return parts.reduce((n, p) => n + partHead(p.name).length + sizeOf(p) + 2, 0) + TAIL.length;
}

export async function* multipartBody(parts: Part[]): AsyncGenerator<Buffer> {
  for (const p of parts) {
    yield partHead(p.name);
    if (p.data) yield p.data;
    else for await (const c of createReadStream(p.path ?? '', { highWaterMark: 1 << 20 })) yield c as Buffer;
    yield Buffer.from('\r\n');
  }
  yield TAIL;
}

export function cookieHeaders(client: HttpClient, csrf: string): Record<string, string> {
  return { Cookie: client.jar.header(), 'X-CSRF-Token': csrf, Accept: 'application/json' };
}

export function toReply(res: http.IncomingMessage, text: string): RawReply {
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return { status: res.statusCode ?? 0, headers: res.headers, text, json };
}

/** Sends `body` (any chunks) and waits for the whole reply. */
export function send(url: string, method: string, headers: Record<string, string | number>, body: AsyncIterable<Buffer> | Buffer | undefined): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(toReply(res, Buffer.concat(chunks).toString('utf8'))));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else Readable.from(body).pipe(req);
  });
}

export function postMultipart(baseUrl: string, path: string, headers: Record<string, string>, parts: Part[]): Promise<RawReply> {
  return send(new URL(path, baseUrl).href, 'POST', { ...headers, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, 'Content-Length': multipartLength(parts) }, multipartBody(parts));
}

/**
 * Sends the first `cutAfter` bytes of `body` (declaring its full length), then destroys the socket: a
 * connection that drops mid-upload.
 */
export async function sendAndCut(url: string, method: string, headers: Record<string, string | number>, body: AsyncIterable<Buffer>, cutAfter: number): Promise<void> {
  const req = http.request(url, { method, headers });
  req.on('error', () => undefined);
  req.on('response', (res) => res.resume());
  let sent = 0;
  for await (const chunk of body) {
    const take = Math.min(chunk.length, cutAfter - sent);
    if (!req.write(chunk.subarray(0, take))) await once(req, 'drain');
    sent += take;
    if (sent >= cutAfter) break;
  }
  // Give the server a moment to receive what was written, then drop the connection.
  await new Promise((r) => setTimeout(r, 300));
  req.destroy();
}

/** A file of random bytes in `dir`, written in 1 MiB pieces; returns its path and sha256. */
export async function randomFile(path: string, bytes: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  for (let left = bytes; left > 0; ) {
    const n = Math.min(left, 1 << 20);
    const chunk = randomBytes(n);
    hash.update(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
    left -= n;
  }
  out.end();
  await finished(out);
  return hash.digest('hex');
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const c of createReadStream(path)) hash.update(c as Buffer);
  return hash.digest('hex');
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

export async function* sliceOf(path: string, start: number, end: number): AsyncGenerator<Buffer> {
  if (end <= start) return;
  for await (const c of createReadStream(path, { start, end: end - 1, highWaterMark: 1 << 20 })) yield c as Buffer;
}
