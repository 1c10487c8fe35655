// HTTP_HEADERS_TIMEOUT_SECONDS and HTTP_REQUEST_TIMEOUT_SECONDS on the real server (startServer) with the AD DC:
// a signed-in upload that takes longer than both limits still lands, a client that never finishes its headers is
// cut off, and so is an anonymous body trickled in for longer than the request limit.
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { type RunningServer, startServer } from '../../../src/server.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { csrfTokenIn, HttpClient, signInOk } from '../../helpers/http-client.js';
import { memoryLogger, tempDataDir, webEnvFor } from '../../helpers/web-app.js';
import { BOUNDARY, cookieHeaders, multipartBody, multipartLength, sha256, toReply, type RawReply } from '../upload/helpers.js';

const HEADERS_LIMIT_SECONDS = 1;

interface Running {
  server: RunningServer;
  client: HttpClient;
  csrf: string;
  dataDir: string;
}

async function start(domain: DomainInfo, env: Record<string, string>): Promise<Running> {
  const dataDir = tempDataDir();
  const config = loadConfig(webEnvFor(domain, dataDir, { PORT: '3000', LOGIN_MAX_PER_IP: '1000', ...env }));
  config.server.port = 0;
  const server = await startServer(config, memoryLogger('warn').logger);
  const client = new HttpClient(server.url);
  await signInOk(client, 'alice', DEMO_PASSWORD);
  return { server, client, csrf: csrfTokenIn((await client.get('/browse/home/')).text), dataDir };
}

/**
 * Posts `data` as a one-file form, a piece at a time with a pause between pieces, until it is all sent or the
 * server answers or closes the connection. Resolves with the reply (or undefined when cut without one) and the
 * bytes written.
 */
function slowUpload(r: Running, folder: string, name: string, data: Buffer, pieces: number, pauseMs: number): Promise<{ reply: RawReply | undefined; sent: number; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const parts = [{ name, data }];
    const req = http.request(`${r.server.url}/upload/home/${folder}/?mkdir=1`, {
      method: 'POST',
      headers: { ...cookieHeaders(r.client, r.csrf), 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, 'Content-Length': multipartLength(parts) },
    });
    let sent = 0;
    let done = false;
    const finish = (reply: RawReply | undefined): void => {
      if (done) return;
      done = true;
      resolve({ reply, sent, ms: Date.now() - started });
    };
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => finish(toReply(res, Buffer.concat(chunks).toString('utf8'))));
      res.on('error', () => finish(undefined));
    });
    req.on('error', () => finish(undefined));
    req.on('close', () => setTimeout(() => finish(undefined), 1000));
    req.flushHeaders();
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const c of multipartBody(parts)) chunks.push(c);
      const body = Buffer.concat(chunks);
      const size = Math.ceil(body.length / pieces);
      for (let at = 0; at < body.length && !done && !req.destroyed; at += size) {
        req.write(body.subarray(at, at + size));
        sent = Math.min(body.length, at + size);
        await new Promise((r) => setTimeout(r, pauseMs));
      }
      if (!done && !req.destroyed) req.end();
    })();
  });
}

/**
 * Sends a request whose body trickles in (a byte every `pauseMs`, `total` announced) until the server closes the
 * connection; resolves with the bytes sent by then (or `total` if it never closed).
 */
function trickle(url: string, path: string, headers: Record<string, string>, total: number, pauseMs: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(new URL(path, url), { method: 'POST', headers: { ...headers, 'Content-Length': total } });
    let sent = 0;
    let closed = false;
    req.on('response', (res) => res.resume());
    req.on('error', () => undefined);
    req.on('close', () => {
      closed = true;
      resolve(sent);
    });
    req.flushHeaders();
    void (async () => {
      while (!closed && sent < total) {
        req.write('a');
        sent++;
        await new Promise((r) => setTimeout(r, pauseMs));
      }
      if (!closed) req.end();
    })();
  });
}

/** Opens a connection, sends half a request head and never the rest; resolves with what the server said when it closed. */
function neverFinishHeaders(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    let said = '';
    socket.on('data', (d: Buffer) => (said += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(said));
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
  });
}

describe('HTTP timeouts', () => {
  let domain: DomainInfo;
  const folder = `http-timeouts-${randomBytes(4).toString('hex')}`;
  let r: Running;
  const REQUEST_LIMIT_SECONDS = 2;

  beforeAll(async () => {
    domain = requireDomain();
    r = await start(domain, { HTTP_HEADERS_TIMEOUT_SECONDS: String(HEADERS_LIMIT_SECONDS), HTTP_REQUEST_TIMEOUT_SECONDS: String(REQUEST_LIMIT_SECONDS) });
  });
  afterAll(async () => {
    await r?.server.close();
    if (r) rmSync(r.dataDir, { recursive: true, force: true });
    rmSync(join(domain.homesDir, 'alice', folder), { recursive: true, force: true });
  });

  it('a signed-in upload taking longer than both limits lands; a client that never finishes its headers gets 408', async () => {
    expect(r.server.server.headersTimeout).toBe(HEADERS_LIMIT_SECONDS * 1000);
    // Node's own whole-request limit (300 s by default) is off: it would cut slow uploads.
    expect(r.server.server.requestTimeout).toBe(0);
    const data = randomBytes(256 * 1024);
    const slowloris = neverFinishHeaders(r.server.url);
    const { reply, ms } = await slowUpload(r, folder, 'slow.bin', data, 16, 300);
    expect(reply?.status, reply?.text).toBe(201);
    expect(ms).toBeGreaterThan(2 * REQUEST_LIMIT_SECONDS * 1000);
    expect(sha256(readFileSync(join(domain.homesDir, 'alice', folder, 'slow.bin')))).toBe(sha256(data));
    expect(await slowloris).toMatch(/^HTTP\/1\.1 408/);
  });

  it('an anonymous body trickled in for longer than HTTP_REQUEST_TIMEOUT_SECONDS is cut: sign-in form, and an upload without a session', async () => {
    const total = 10_000; // ~8 minutes at this pace
    const login = trickle(r.server.url, '/login', { 'Content-Type': 'application/x-www-form-urlencoded' }, total, 50);
    const upload = trickle(r.server.url, `/upload/home/${folder}/`, { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` }, total, 50);
    expect(await login).toBeLessThan(total);
    expect(await upload).toBeLessThan(total);
  });
});
