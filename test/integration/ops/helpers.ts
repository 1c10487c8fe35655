// The operations API as a script would use it: a signed-in client posting JSON with the CSRF header, jobs
// polled until they stop, and what landed on the server read back with smbclient (never through the app).
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DomainInfo } from '../../fixtures/domain.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { run } from '../../fixtures/proc.js';
import { csrfTokenIn, type HttpClient, signInOk } from '../../helpers/http-client.js';
import type { WebApp } from '../../helpers/web-app.js';

export interface JobJson {
  id: string;
  kind: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  total: { items: number; bytes: number } | null;
  done: { items: number; bytes: number };
  current: string | null;
  failures: { path: string; code: string; message: string }[];
  results: { from: string; to: string | null; action: string }[];
  startedAt: string;
  finishedAt: string | null;
}

export interface ApiReply {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

/** A JSON request on a fresh connection (no keep-alive); the answer parsed as JSON when it is JSON. */
export function jsonRequest(url: URL, method: string, headers: Record<string, string>, body?: unknown): Promise<ApiReply> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const all: Record<string, string> = { Accept: 'application/json', ...headers };
  if (payload) {
    all['Content-Type'] = 'application/json';
    all['Content-Length'] = String(payload.length);
  }
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: all, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown>;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = { text };
        }
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
        resolve({ status: res.statusCode ?? 0, headers: h, json });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export class ApiUser {
  constructor(
    readonly client: HttpClient,
    readonly csrf: string,
  ) {}

  static async signIn(app: WebApp, username: string): Promise<ApiUser> {
    const client = app.client();
    await signInOk(client, username, DEMO_PASSWORD);
    const page = await client.get('/browse/home/');
    return new ApiUser(client, csrfTokenIn(page.text));
  }

  /**
   * One request on a connection of its own: a kept-alive socket the app closed while the test's event loop was
   * busy writing fixtures (the app runs in this process) would otherwise reset the next request.
   */
  call(method: string, path: string, body?: unknown): Promise<ApiReply> {
    return jsonRequest(new URL(path, this.client.baseUrl), method, { Cookie: this.client.jar.header(), 'X-CSRF-Token': this.csrf }, body);
  }

  post(path: string, body: unknown): Promise<ApiReply> {
    return this.call('POST', path, body);
  }

  /** Polls the job until it is no longer running (each poll is a real GET /api/jobs/:id). */
  async waitJob(id: string, timeoutMs = 120_000): Promise<JobJson> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.call('GET', `/api/jobs/${id}`);
      if (r.status !== 200) throw new Error(`GET job ${id}: ${r.status} ${JSON.stringify(r.json)}`);
      const job = r.json as unknown as JobJson;
      if (job.state !== 'running') return job;
      if (Date.now() > until) throw new Error(`job ${id} still running after ${timeoutMs} ms: ${JSON.stringify(job.done)}`);
      await new Promise((res) => setTimeout(res, 50));
    }
  }

  /** Posts an operation that starts a job and waits for the job to stop. */
  async runJob(path: string, body: unknown): Promise<JobJson> {
    const r = await this.post(path, body);
    if (r.status !== 200 && r.status !== 202) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.json)}`);
    const job = r.json.job as JobJson;
    return job.state === 'running' ? this.waitJob(job.id) : job;
  }
}

/** smbclient as `username` on `//ip/share`, running `commands`; its stdout. */
export function smbclient(server: { ip: string; port?: number }, share: string, username: string, commands: string, domain = 'EXAMPLE'): Promise<string> {
  const args = [`//${server.ip}/${share}`, '-U', `${domain}\\${username}%${DEMO_PASSWORD}`, '-c', commands];
  if (server.port !== undefined) args.push('-p', String(server.port));
  return run('smbclient', args, { env: { ...process.env, LC_ALL: 'C.UTF-8' } });
}

/** Names smbclient lists in a folder (without . and ..). */
export async function smbNames(server: { ip: string; port?: number }, share: string, username: string, folder: string, domain?: string): Promise<string[]> {
  const out = await smbclient(server, share, username, `cd "${folder}"; ls`, domain);
  const names: string[] = [];
  for (const line of out.split('\n')) {
    const m = /^ {2}(.+?)\s+([ADHNRS]*)\s+(\d+)\s+\w{3} \w{3}/u.exec(line);
    if (m?.[1] && m[1] !== '.' && m[1] !== '..') names.push(m[1]);
  }
  return names.sort();
}

/** Whether smbclient finds the path (a file or folder); smbclient says "not found" on stdout with status 0. */
export async function smbExists(server: { ip: string; port?: number }, share: string, username: string, path: string, domain?: string): Promise<boolean> {
  const notFound = /NT_STATUS_OBJECT_(NAME|PATH)_NOT_FOUND|NT_STATUS_NO_SUCH_FILE/u;
  try {
    const out = await smbclient(server, share, username, `allinfo "${path}"`, domain);
    return !notFound.test(out);
  } catch (err) {
    if (notFound.test(String(err))) return false;
    throw err;
  }
}

/** sha256 of a file fetched from the server with smbclient. */
export async function smbSha256(server: { ip: string; port?: number }, share: string, username: string, path: string, domain?: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'pc-ops-get-'));
  try {
    const local = join(dir, 'file');
    await smbclient(server, share, username, `get "${path}" "${local}"`, domain);
    return createHash('sha256').update(readFileSync(local)).digest('hex');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

export type { DomainInfo };
