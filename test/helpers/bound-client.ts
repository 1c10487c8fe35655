// An HttpClient whose connections leave from a chosen loopback address, so the app sees a client IP of its own
// without a proxy or TRUST_PROXY (all of 127.0.0.0/8 is local on Linux). For per-address limits in tests.
import http from 'node:http';
import { CookieJar } from './cookie-jar.js';
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
    const { headers, body } = this.outgoing(opts);
    if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
    // A fresh connection each time (no keep-alive agent), so every request really leaves from localAddress.
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(new URL(path, this.baseUrl), { method, headers, localAddress: this.localAddress, agent: false }, resolve);
      req.on('error', reject);
      req.end(body);
    });
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(name, v);
    }
    return this.incoming(res.statusCode ?? 0, responseHeaders, Buffer.concat(chunks).toString('utf8'));
  }

  override copy(only?: string[]): BoundHttpClient {
    return new BoundHttpClient(this.baseUrl, this.localAddress, this.jar.clone(only));
  }
}
