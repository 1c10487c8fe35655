// An HttpClient over HTTPS that trusts a test CA (a TLS-terminating proxy in front of the app), optionally leaving
// from a chosen loopback address so the proxy sees a client IP of its own. One fresh connection per request.
import type { ClientRequest, IncomingMessage } from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { CookieJar } from './cookie-jar.js';
import { HttpClient, type Reply, type RequestOptions } from './http-client.js';

export interface TlsOptions {
  ca: string;
  /** Source address, e.g. 127.0.65.7. */
  localAddress?: string;
}

export interface RawReply {
  status: number;
  headers: Headers;
  body: Buffer;
}

function toHeaders(raw: NodeJS.Dict<string | string[]>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, v);
  }
  return headers;
}

export class TlsHttpClient extends HttpClient {
  constructor(
    baseUrl: string,
    readonly tls: TlsOptions,
    jar: CookieJar = new CookieJar(),
  ) {
    super(baseUrl, jar);
  }

  /** The request as node:https sends it, with this client's CA, source address and no keep-alive agent. */
  open(method: string, path: string, headers: Record<string, string | number>): ClientRequest {
    return https.request(new URL(path, this.baseUrl), {
      method,
      headers,
      ca: this.tls.ca,
      agent: false,
      ...(this.tls.localAddress ? { localAddress: this.tls.localAddress } : {}),
    });
  }

  /** Any method and body (a Buffer or chunks); cookies from the jar, Set-Cookie stored back. */
  async raw(method: string, path: string, headers: Record<string, string | number> = {}, body?: Buffer | AsyncIterable<Buffer>): Promise<RawReply> {
    const cookie = this.jar.header();
    const req = this.open(method, path, { ...(cookie ? { Cookie: cookie } : {}), ...headers });
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      req.on('response', resolve);
      req.on('error', reject);
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else Readable.from(body).pipe(req);
    });
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const responseHeaders = toHeaders(res.headers);
    this.jar.store(responseHeaders.getSetCookie());
    return { status: res.statusCode ?? 0, headers: responseHeaders, body: Buffer.concat(chunks) };
  }

  override async request(method: string, path: string, opts: RequestOptions = {}): Promise<Reply> {
    const { headers, body } = this.outgoing(opts);
    delete headers.Cookie; // raw() adds the jar's
    if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
    const res = await this.raw(method, path, headers, body === undefined ? undefined : Buffer.from(body));
    // Storing the Set-Cookie lines again is harmless: the same values.
    return this.incoming(res.status, res.headers, res.body.toString('utf8'));
  }

  override copy(only?: string[]): TlsHttpClient {
    return new TlsHttpClient(this.baseUrl, this.tls, this.jar.clone(only));
  }
}
