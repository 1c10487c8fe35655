// An HttpClient whose connections leave from a chosen loopback address, so the app sees a client IP of its own
// without a proxy or TRUST_PROXY (all of 127.0.0.0/8 is local on Linux). For per-address limits in tests.
import http from 'node:http';
import { CookieJar, parseSetCookie } from './cookie-jar.js';
import { HttpClient, type Reply, type RequestOptions } from './http-client.js';

export class BoundHttpClient extends HttpClient {
  constructor(
    baseUrl: string,
    /** Source address, e.g. 127.0.0.141. */
    readonly localAddress: string,
    jar: CookieJar = new CookieJar(),
  ) {
    super(baseUrl, jar);
  }

  override async request(method: string, path: string, opts: RequestOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { Accept: 'text/html', ...opts.headers };
    const cookie = this.jar.header();
    if (cookie) headers.Cookie = cookie;
    let body: string | undefined;
    if (opts.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(opts.form).toString();
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const url = new URL(path, this.baseUrl);
    // A fresh connection each time (no keep-alive agent), so every request really leaves from localAddress.
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(url, { method, headers, localAddress: this.localAddress, agent: false }, resolve);
      req.on('error', reject);
      req.end(body);
    });
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const lines = res.headers['set-cookie'] ?? [];
    this.jar.store(lines);
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(name, v);
    }
    const loc = res.headers.location;
    const location = loc === undefined ? undefined : loc.startsWith(this.baseUrl) ? loc.slice(this.baseUrl.length) || '/' : loc;
    return { status: res.statusCode ?? 0, headers: responseHeaders, location, setCookies: lines.map(parseSetCookie), text: Buffer.concat(chunks).toString('utf8') };
  }

  override copy(only?: string[]): BoundHttpClient {
    return new BoundHttpClient(this.baseUrl, this.localAddress, this.jar.clone(only));
  }
}
