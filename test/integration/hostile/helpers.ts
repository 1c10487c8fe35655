// Raw HTTP for the hostile-input tests: paths sent byte for byte (fetch would resolve %2e%2e and turn `\`
// into `/` before sending), multipart parts whose file name survives any character, and bounded concurrency.
import { createHash } from 'node:crypto';
import http from 'node:http';

export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json: Record<string, unknown>;
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * Node refuses to send bytes outside 0x21–0x7E in a request line; a browser percent-encodes them as UTF-8.
 * Doing the same keeps every other byte (`\`, `%2e`, `//`) exactly as written.
 */
export function asRequestTarget(path: string): string {
  return path.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
}

/** The message of a JSON error or of a one-file upload result. */
export function messageOf(reply: RawReply): string {
  const error = reply.json.error as { message?: unknown } | undefined;
  if (typeof error?.message === 'string') return error.message;
  const files = reply.json.files as { message?: unknown }[] | undefined;
  const first = files?.[0]?.message;
  return typeof first === 'string' ? first : reply.text.slice(0, 300);
}

export function request(baseUrl: string, method: string, path: string, headers: Record<string, string | number>, body?: Buffer): Promise<RawReply> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path: asRequestTarget(path), headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const all = Buffer.concat(chunks);
        const text = all.toString('utf8');
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: all, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const BOUNDARY = '----portcullis-hostile-5e0b';

/**
 * One `file` part. The name goes in RFC 5987 form (`filename*=UTF-8''…`), which busboy decodes, so CR, LF,
 * NUL and quotes arrive exactly as the test meant them instead of breaking the part header.
 */
export function multipartOne(name: string, data: Buffer): { body: Buffer; contentType: string } {
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename*=UTF-8''${encoded}\r\nContent-Type: application/octet-stream\r\n\r\n`;
  return { body: Buffer.concat([Buffer.from(head, 'utf8'), data, Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]), contentType: `multipart/form-data; boundary=${BOUNDARY}` };
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Python's zipfile reads the archive: entry name → sha256 (or "dir"), names decoded as the zip declares. */
export const ZIP_LISTING = 'import sys,zipfile,hashlib,json\nz=zipfile.ZipFile(sys.argv[1])\nprint(json.dumps({i.filename:(hashlib.sha256(z.read(i)).hexdigest() if not i.is_dir() else "dir") for i in z.infolist()}))';
