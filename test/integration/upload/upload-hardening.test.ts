// Upload hardening against the real app and the Samba AD DC (issue 10, item 14): concurrent PUTs to one
// resumable upload, a second writer on the file server, sign-out revoking tickets, the total cap of a chunked
// multipart body, and the timer that sweeps stale temporaries.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainInfo } from '../../fixtures/domain.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { csrfTokenIn, type HttpClient, signInOk, signOut } from '../../helpers/http-client.js';
import { startWebApp, type WebApp } from '../../helpers/web-app.js';
import { SmbClient } from '../../../src/smb/index.js';
import { BOUNDARY, cookieHeaders, multipartBody, send, sha256, toReply, type Part, type RawReply } from './helpers.js';

const KiB = 1 << 10;
const MiB = 1 << 20;
const MAX = 8 * MiB;

/** A request whose headers go out now and whose body is written later: to have two requests in flight at once. */
function openRequest(url: string, method: string, headers: Record<string, string | number>): { write(part: Buffer): void; send(body: Buffer): void; reply: Promise<RawReply> } {
  const req = http.request(url, { method, headers });
  const reply = new Promise<RawReply>((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(toReply(res, Buffer.concat(chunks).toString('utf8'))));
    });
    req.on('error', reject);
  });
  req.flushHeaders();
  return { write: (part) => void req.write(part), send: (body) => req.end(body), reply };
}

describe('upload hardening', () => {
  let domain: DomainInfo;
  let app: WebApp;
  let alice: HttpClient;
  let csrf: string;
  const folder = `upload-hard-${randomBytes(4).toString('hex')}`;
  let local: string;

  const signedIn = async (): Promise<[HttpClient, string]> => {
    const client = app.client();
    await signInOk(client, 'alice', DEMO_PASSWORD);
    return [client, csrfTokenIn((await client.get('/browse/home/')).text)];
  };
  const api = (client: HttpClient, token: string) => ({
    create: (body: Record<string, unknown>) => send(`${app.url}/uploads`, 'POST', { ...cookieHeaders(client, token), 'Content-Type': 'application/json' }, Buffer.from(JSON.stringify(body))),
    head: (id: string) => send(`${app.url}/uploads/${id}`, 'HEAD', cookieHeaders(client, token), undefined),
    put: (id: string, offset: number, data: Buffer) =>
      send(`${app.url}/uploads/${id}?offset=${offset}`, 'PUT', { ...cookieHeaders(client, token), 'Content-Type': 'application/octet-stream', 'Content-Length': data.length }, data),
    openPut: (id: string, offset: number, length: number) =>
      openRequest(`${app.url}/uploads/${id}?offset=${offset}`, 'PUT', { ...cookieHeaders(client, token), 'Content-Type': 'application/octet-stream', 'Content-Length': length }),
    finish: (id: string) => send(`${app.url}/uploads/${id}/finish`, 'POST', cookieHeaders(client, token), undefined),
  });
  const temporaries = (dir = local): string[] => readdirSync(dir).filter((n) => n.startsWith('.~portcullis-'));

  beforeAll(async () => {
    domain = requireDomain();
    app = await startWebApp(domain, { env: { LOGIN_MAX_PER_IP: '1000', UPLOAD_MAX_BYTES: String(MAX), UPLOAD_SWEEP_INTERVAL_SECONDS: '1' }, logLevel: 'info' });
    [alice, csrf] = await signedIn();
    local = join(domain.homesDir, 'alice', folder);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('two PUTs at once at the same offset: one is written, the other gets 409; the file is exactly one of them', async () => {
    const a = api(alice, csrf);
    const created = await a.create({ drive: 'home', folder: [folder], mkdir: true, name: 'race.bin', size: MAX });
    expect(created.status, created.text).toBe(201);
    const id = created.json.id as string;
    const bodies = [randomBytes(MAX), randomBytes(MAX)];
    // Both requests reach the app before either sends a byte of its body.
    const puts = bodies.map(() => a.openPut(id, 0, MAX));
    await new Promise((r) => setTimeout(r, 300));
    puts.forEach((p, i) => p.send(bodies[i] as Buffer));
    const replies = await Promise.all(puts.map((p) => p.reply));
    expect(replies.map((r) => r.status).sort()).toEqual([200, 409]);
    const loser = replies.find((r) => r.status === 409);
    expect(loser?.json).toMatchObject({ offset: MAX, error: { code: 'offset_mismatch' } });
    const winner = bodies[replies.findIndex((r) => r.status === 200)] as Buffer;
    const done = await a.finish(id);
    expect(done.status, done.text).toBe(201);
    const landed = readFileSync(join(local, 'race.bin'));
    expect(landed.length).toBe(MAX);
    expect(sha256(landed)).toBe(sha256(winner));
    expect(temporaries()).toEqual([]);
  });

  it('a PUT for the next range queued behind the current one continues after it, never past the declared size', async () => {
    const a = api(alice, csrf);
    const size = MAX;
    const id = (await a.create({ drive: 'home', folder: [folder], name: 'queued.bin', size })).json.id as string;
    const data = randomBytes(size);
    const first = a.openPut(id, 0, size / 2);
    // More than one WRITE buffer (2 MiB), so some of it reaches the file server now.
    first.write(data.subarray(0, 3 * MiB));
    const [temp = ''] = temporaries().filter((n) => n.includes('queued.bin'));
    // The first PUT is writing: the second one, sent now and in full, must wait for it.
    await expect.poll(() => statSync(join(local, temp)).size, { timeout: 10_000 }).toBeGreaterThan(0);
    const second = a.openPut(id, size / 2, size / 2);
    second.send(data.subarray(size / 2));
    first.send(data.subarray(3 * MiB, size / 2));
    const [r1, r2] = await Promise.all([first.reply, second.reply]);
    expect([r1.status, r2.status], `${r1.text} ${r2.text}`).toEqual([200, 200]);
    expect(r2.json.offset).toBe(size);
    // Beyond the declared size: refused before any byte is written.
    const over = await a.put(id, size, Buffer.alloc(1));
    expect(over.status).toBe(413);
    expect(Number((await a.head(id)).headers['upload-offset'])).toBe(size);
    expect((await a.finish(id)).status).toBe(201);
    expect(sha256(readFileSync(join(local, 'queued.bin')))).toBe(sha256(data));
  });

  it('a writer elsewhere holding the temporary open (another instance): 409 upload_busy, and the upload survives', async () => {
    const a = api(alice, csrf);
    const data = randomBytes(MiB);
    const id = (await a.create({ drive: 'home', folder: [folder], name: 'busy.bin', size: data.length })).json.id as string;
    expect((await a.put(id, 0, data.subarray(0, MiB / 2))).status).toBe(200);
    const [temp = ''] = temporaries().filter((n) => n.includes('busy.bin'));
    const smb = await SmbClient.connect({ host: domain.ip, port: 445, share: domain.shares.users, credential: { username: 'alice', domain: domain.netbiosDomain, password: DEMO_PASSWORD }, timeoutMs: 15_000 });
    try {
      // An open for writing that writes nothing until released.
      let release = (): void => undefined;
      const released = new Promise<void>((r) => (release = r));
      let opened = (): void => undefined;
      const isOpen = new Promise<void>((r) => (opened = r));
      async function* nothing(): AsyncGenerator<Buffer> {
        await released;
        yield* [];
      }
      const holder = smb.share(domain.shares.users).pipeFrom(`alice/${folder}/${temp}`, nothing(), { flags: 'r+', offset: MiB / 2, atOpen: () => opened() });
      await isOpen;
      const busy = await a.put(id, MiB / 2, data.subarray(MiB / 2));
      expect(busy.status).toBe(409);
      expect(busy.json.error).toMatchObject({ code: 'upload_busy' });
      release();
      await holder;
    } finally {
      await smb.close();
    }
    expect(Number((await a.head(id)).headers['upload-offset'])).toBe(MiB / 2);
    expect((await a.put(id, MiB / 2, data.subarray(MiB / 2))).status).toBe(200);
    expect((await a.finish(id)).status).toBe(201);
    expect(sha256(readFileSync(join(local, 'busy.bin')))).toBe(sha256(data));
  });

  it('sign-out revokes that session’s tickets (also after signing in again) and removes their temporaries; other sessions keep theirs', async () => {
    const [phone, phoneCsrf] = await signedIn();
    const p = api(phone, phoneCsrf);
    const id = (await p.create({ drive: 'home', folder: [folder], name: 'phone.bin', size: 1000 })).json.id as string;
    expect((await p.put(id, 0, randomBytes(500))).status).toBe(200);
    const mine = (await api(alice, csrf).create({ drive: 'home', folder: [folder], name: 'desk.bin', size: 10 })).json.id as string;
    expect(temporaries().filter((n) => n.includes('phone.bin'))).toHaveLength(1);

    expect((await signOut(phone)).status).toBe(303);
    expect(temporaries().filter((n) => n.includes('phone.bin'))).toEqual([]);
    await signInOk(phone, 'alice', DEMO_PASSWORD);
    const again = api(phone, csrfTokenIn((await phone.get('/browse/home/')).text));
    for (const reply of [await again.head(id), await again.put(id, 500, randomBytes(500)), await again.finish(id)]) {
      expect(reply.status).toBe(404);
    }
    expect(existsSync(join(local, 'phone.bin'))).toBe(false);
    // The desk session's upload is untouched.
    const a = api(alice, csrf);
    expect((await a.put(mine, 0, Buffer.from('0123456789'))).status).toBe(200);
    expect((await a.finish(mine)).status).toBe(201);
  });

  it('a chunked multipart body of many small files over the limit in all: 413, nothing under final names, no temporaries', async () => {
    const parts: Part[] = Array.from({ length: 100 }, (_, i) => ({ name: `many-${i}.bin`, data: randomBytes(100 * KiB) }));
    // No Content-Length: only counting while streaming can stop it. Each file alone is far below the limit.
    const reply = await send(`${app.url}/upload/home/${folder}/`, 'POST', { ...cookieHeaders(alice, csrf), 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` }, multipartBody(parts));
    expect(reply.status, reply.text).toBe(413);
    await expect.poll(() => temporaries(), { timeout: 10_000 }).toEqual([]);
    expect(readdirSync(local).filter((n) => n.startsWith('many-'))).toEqual([]);

    // Within the limit, a chunked form still lands whole.
    const few = parts.slice(0, 5);
    const ok = await send(`${app.url}/upload/home/${folder}/`, 'POST', { ...cookieHeaders(alice, csrf), 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` }, multipartBody(few));
    expect(ok.status, ok.text).toBe(201);
    for (const part of few) expect(sha256(readFileSync(join(local, part.name)))).toBe(sha256(part.data as Buffer));
    expect(temporaries()).toEqual([]);
  });

  it('a stale temporary in a folder the app wrote to is swept on the timer, with no further request', async () => {
    const a = api(alice, csrf);
    const created = await a.create({ drive: 'home', folder: [folder, 'swept'], mkdir: true, name: 'live.bin', size: 10 });
    expect(created.status, created.text).toBe(201);
    const dir = join(local, 'swept');
    const [live] = temporaries(dir);
    const oldTemp = join(dir, '.~portcullis-0123456789abcdef.crashed.bin.part');
    const freshTemp = join(dir, '.~portcullis-fedcba9876543210.running.bin.part');
    writeFileSync(oldTemp, 'old');
    writeFileSync(freshTemp, 'fresh');
    const twoDaysAgo = new Date(Date.now() - 48 * 3600 * 1000);
    utimesSync(oldTemp, twoDaysAgo, twoDaysAgo);
    await expect.poll(() => existsSync(oldTemp), { timeout: 20_000, interval: 200 }).toBe(false);
    expect(existsSync(freshTemp)).toBe(true);
    expect(existsSync(join(dir, live ?? ''))).toBe(true);
    expect(statSync(freshTemp).size).toBe(5);
  });
});
