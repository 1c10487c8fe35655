// Uploads against the real app and the Samba AD DC: multipart (streamed, temporaries, conflicts, limits,
// names, Unicode, aborts), the no-JS form, and the resumable protocol (cut connections, resume, owners).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainInfo } from '../../fixtures/domain.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { csrfTokenIn, decodeEntities, type HttpClient, signInOk } from '../../helpers/http-client.js';
import { startWebApp, type WebApp } from '../../helpers/web-app.js';
import { cookieHeaders, postMultipart, randomFile, send, sendAndCut, sha256, sha256File, sliceOf, multipartBody, multipartLength, BOUNDARY, type Part } from './helpers.js';

const MiB = 1 << 20;

async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const c of chunks) out.push(c);
  return out;
}
const MAX = 300 * MiB;

describe('uploads', () => {
  let domain: DomainInfo;
  let app: WebApp;
  let alice: HttpClient;
  let aliceCsrf: string;
  let bob: HttpClient;
  let bobCsrf: string;
  let work: string;
  const folder = `upload-test-${randomBytes(4).toString('hex')}`;
  let local: string;

  const signedIn = async (username: string): Promise<[HttpClient, string]> => {
    const client = app.client();
    await signInOk(client, username, DEMO_PASSWORD);
    const page = await client.get('/browse/home/');
    return [client, csrfTokenIn(page.text)];
  };
  const upload = (parts: Part[], query = 'mkdir=1', sub = folder): ReturnType<typeof postMultipart> =>
    postMultipart(app.url, `/upload/home/${sub}/?${query}`, cookieHeaders(alice, aliceCsrf), parts);
  const names = (): string[] => readdirSync(local);
  const temporaries = (): string[] => names().filter((n) => n.startsWith('.~portcullis-'));

  beforeAll(async () => {
    domain = requireDomain();
    app = await startWebApp(domain, { env: { LOGIN_MAX_PER_IP: '1000', UPLOAD_MAX_BYTES: String(MAX) }, logLevel: 'info' });
    [alice, aliceCsrf] = await signedIn('alice');
    [bob, bobCsrf] = await signedIn('bob');
    work = mkdtempSync(join(tmpdir(), 'portcullis-upload-'));
    local = join(domain.homesDir, 'alice', folder);
  });
  afterAll(async () => {
    await app?.close();
    if (work) rmSync(work, { recursive: true, force: true });
    if (local) rmSync(local, { recursive: true, force: true });
  });

  it('streams several files (one of 200 MiB) in one multipart POST; each sha256 matches and no temporary is left', async () => {
    const bigPath = join(work, 'big.bin');
    const bigSum = await randomFile(bigPath, 200 * MiB);
    const small = randomBytes(MiB + 17);
    const text = Buffer.from('hello\n');
    const reply = await upload([{ name: 'hello.txt', data: text }, { name: 'small.bin', data: small }, { name: 'big.bin', path: bigPath }]);
    expect(reply.status, reply.text).toBe(201);
    const files = reply.json.files as { name: string; ok: boolean; savedAs: string; bytes: number }[];
    expect(files.map((f) => [f.name, f.ok, f.savedAs, f.bytes])).toEqual([
      ['hello.txt', true, 'hello.txt', 6],
      ['small.bin', true, 'small.bin', MiB + 17],
      ['big.bin', true, 'big.bin', 200 * MiB],
    ]);
    expect(sha256(readFileSync(join(local, 'hello.txt')))).toBe(sha256(text));
    expect(sha256(readFileSync(join(local, 'small.bin')))).toBe(sha256(small));
    expect(await sha256File(join(local, 'big.bin'))).toBe(bigSum);
    expect(temporaries()).toEqual([]);
    // One audit line per file: who, drive, path, result, bytes.
    const lines = app.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.audit === 'upload' && l.path === `${folder}/big.bin`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ user: 'alice', drive: 'home', result: 'ok', bytes: 200 * MiB });
  });

  it('files that end and start inside one body buffer arrive intact (the form frees each buffer once written)', async () => {
    // Odd sizes, so each file ends part-way through one of the server's 64 KiB body buffers and the next one
    // starts in it: freeing a buffer as soon as one file has written it must not take the next file's start.
    const parts = [5 * MiB + 4099, 70_001, 13, 3 * MiB + 1].map((size, i) => ({ name: `edge-${i}.bin`, data: randomBytes(size) }));
    const reply = await upload(parts);
    expect(reply.status, reply.text).toBe(201);
    for (const p of parts) expect(sha256(readFileSync(join(local, p.name))), p.name).toBe(sha256(p.data));
    expect(temporaries()).toEqual([]);
  });

  it('an upload cut off midway leaves nothing under its name, and its temporary is removed', async () => {
    const path = join(work, 'cut.bin');
    await randomFile(path, 40 * MiB);
    const parts: Part[] = [{ name: 'cut.bin', path }];
    await sendAndCut(
      `${app.url}/upload/home/${folder}/?mkdir=1`,
      'POST',
      { ...cookieHeaders(alice, aliceCsrf), 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, 'Content-Length': multipartLength(parts) },
      multipartBody(parts),
      15 * MiB,
    );
    await expect.poll(() => temporaries(), { timeout: 10_000 }).toEqual([]);
    expect(names()).not.toContain('cut.bin');
    await expect.poll(() => app.logs.some((l) => l.includes('"audit":"upload"') && l.includes('"result":"aborted"')), { timeout: 5000 }).toBe(true);
  });

  it('conflicts: fail (the default) gives 409 and keeps the original; keep-both numbers; overwrite replaces', async () => {
    expect((await upload([{ name: 'same.txt', data: Buffer.from('one') }])).status).toBe(201);
    const again = await upload([{ name: 'same.txt', data: Buffer.from('two') }]);
    expect(again.status).toBe(409);
    expect((again.json.files as { message: string }[])[0]?.message).toBe('“same.txt” already exists. Choose to overwrite it or keep both.');
    expect(readFileSync(join(local, 'same.txt'), 'utf8')).toBe('one');
    const both = await upload([{ name: 'same.txt', data: Buffer.from('three') }], 'conflict=keep-both');
    expect((both.json.files as { savedAs: string }[])[0]?.savedAs).toBe('same (1).txt');
    const both2 = await upload([{ name: 'same.txt', data: Buffer.from('four') }], 'conflict=keep-both');
    expect((both2.json.files as { savedAs: string }[])[0]?.savedAs).toBe('same (2).txt');
    expect(readFileSync(join(local, 'same (1).txt'), 'utf8')).toBe('three');
    const over = await upload([{ name: 'same.txt', data: Buffer.from('five') }], 'conflict=overwrite');
    expect(over.status).toBe(201);
    expect(readFileSync(join(local, 'same.txt'), 'utf8')).toBe('five');
    expect((await upload([{ name: 'x.txt', data: Buffer.from('x') }], 'conflict=maybe')).status).toBe(400);
    expect(temporaries()).toEqual([]);
  });

  it('413 before any data lands: the answer comes while the body is still unsent', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${app.url}/upload/home/${folder}/`, {
        method: 'POST',
        headers: { ...cookieHeaders(alice, aliceCsrf), 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, 'Content-Length': MAX + 2 * MiB + 1 },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(status).toBe(413);
    const resumable = await send(`${app.url}/uploads`, 'POST', { ...cookieHeaders(alice, aliceCsrf), 'Content-Type': 'application/json' }, Buffer.from(JSON.stringify({ drive: 'home', folder: [folder], name: 'huge.iso', size: MAX + 1 })));
    expect(resumable.status).toBe(413);
    expect((resumable.json.error as { message: string }).message).toBe('That upload is larger than the limit of 300 MB.');
    expect(names().filter((n) => n.includes('huge'))).toEqual([]);
  });

  it('a file over the limit inside a chunked body is stopped while streaming (413, nothing kept)', async () => {
    const app2 = await startWebApp(domain, { env: { LOGIN_MAX_PER_IP: '1000', UPLOAD_MAX_BYTES: String(MiB) } });
    try {
      const c = app2.client();
      await signInOk(c, 'alice', DEMO_PASSWORD);
      const csrf = csrfTokenIn((await c.get('/browse/home/')).text);
      // No Content-Length (chunked), so only the streaming count can catch it.
      const reply = await send(`${app2.url}/upload/home/${folder}/`, 'POST', { ...cookieHeaders(c, csrf), 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` }, multipartBody([{ name: 'over.bin', data: randomBytes(2 * MiB) }]));
      expect(reply.status).toBe(413);
      expect(names()).not.toContain('over.bin');
      expect(temporaries()).toEqual([]);
    } finally {
      await app2.close();
    }
  });

  it('bad names get 400 with a message naming the problem; nothing is written', async () => {
    const cases: [string, RegExp][] = [
      ['CON', /reserves for a device/],
      ['nul.txt', /reserves for a device/],
      ['LPT9.doc', /reserves for a device/],
      ['trailing.', /ends with a dot or a space/],
      ['trailing ', /ends with a dot or a space/],
      ['a:b.txt', /contains one of/],
      ['what?.txt', /contains one of/],
      ['pipe|d', /contains one of/],
      [`${'x'.repeat(256)}`, /longer than 255 characters/],
      ['.~portcullis-fake.part', /reserved for uploads in progress/],
    ];
    for (const [name, message] of cases) {
      const reply = await upload([{ name, data: Buffer.from('x') }]);
      expect(reply.status, name).toBe(400);
      expect((reply.json.files as { message: string }[])[0]?.message, name).toMatch(message);
    }
    // A control character can't even travel in a multipart header: the form is refused as malformed.
    const bell = await upload([{ name: 'bell\u0007.txt', data: Buffer.from('x') }]);
    expect(bell.status).toBe(400);
    const bellJson = await send(`${app.url}/uploads`, 'POST', { ...cookieHeaders(alice, aliceCsrf), 'Content-Type': 'application/json' }, Buffer.from(JSON.stringify({ drive: 'home', folder: [folder], name: 'bell\u0007.txt', size: 5 })));
    expect(bellJson.status).toBe(400);
    expect((bellJson.json.error as { message: string }).message).toMatch(/control character/);
    const before = names();
    expect(before.filter((n) => /^(CON|nul\.txt|LPT9\.doc|trailing)/i.test(n))).toEqual([]);
    const resumable = await send(`${app.url}/uploads`, 'POST', { ...cookieHeaders(alice, aliceCsrf), 'Content-Type': 'application/json' }, Buffer.from(JSON.stringify({ drive: 'home', folder: [folder], name: 'AUX.txt', size: 5 })));
    expect(resumable.status).toBe(400);
    expect((resumable.json.error as { message: string }).message).toMatch(/reserves for a device/);
  });

  it('Unicode and emoji names land exactly as sent (NFC and NFD kept apart)', async () => {
    const wanted = ['Ünïcödé 文件 😀.txt', 'e\u0301te\u0301.txt', '\u00e9t\u00e9.txt', 'Ω≈ç√ «quotes» & ;semi.txt'];
    for (const name of wanted) {
      const reply = await upload([{ name, data: Buffer.from(name) }]);
      expect(reply.status, name).toBe(201);
      expect((reply.json.files as { savedAs: string }[])[0]?.savedAs).toBe(name);
    }
    const onDisk = names();
    for (const name of wanted) {
      expect(onDisk).toContain(name);
      expect(readFileSync(join(local, name), 'utf8')).toBe(name);
    }
  });

  it('the no-JS form: token in the action query, 303 back to the folder, which shows the summary once', async () => {
    const page = await alice.get(`/browse/home/${folder}/`);
    const action = decodeEntities(/<form class="pc-upload-form[^"]*" method="post" enctype="multipart\/form-data" action="([^"]+)"/.exec(page.text)?.[1] ?? '');
    expect(action).toMatch(/^\/upload\/home\/upload-test-[0-9a-f]+\/\?_csrf=/);
    const parts: Part[] = [{ name: 'form one.txt', data: Buffer.from('1') }, { name: 'bad?.txt', data: Buffer.from('2') }];
    const body = Buffer.concat([
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="conflict"\r\n\r\nkeep-both\r\n`),
      ...(await collect(multipartBody(parts))),
    ]);
    const reply = await send(new URL(action, app.url).href, 'POST', { Cookie: alice.jar.header(), Accept: 'text/html', 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, 'Content-Length': body.length }, body);
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe(`/browse/home/${folder}/`);
    expect(readFileSync(join(local, 'form one.txt'), 'utf8')).toBe('1');
    const shown = decodeEntities((await alice.get(`/browse/home/${folder}/`)).text);
    expect(shown).toContain('Uploaded 1 file:');
    expect(shown).toContain('form one.txt');
    expect(shown).toMatch(/bad\?\.txt: “bad\?\.txt” contains one of/);
    expect(decodeEntities((await alice.get(`/browse/home/${folder}/`)).text)).not.toContain('Uploaded 1 file:');
    // Without the token the form is refused.
    const forged = await send(`${app.url}/upload/home/${folder}/`, 'POST', { Cookie: alice.jar.header(), Accept: 'text/html', 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, 'Content-Length': body.length }, body);
    expect(forged.status).toBe(403);
  });

  describe('resumable', () => {
    const api = (client: HttpClient, csrf: string) => ({
      create: (body: Record<string, unknown>) => send(`${app.url}/uploads`, 'POST', { ...cookieHeaders(client, csrf), 'Content-Type': 'application/json' }, Buffer.from(JSON.stringify(body))),
      head: (id: string) => send(`${app.url}/uploads/${id}`, 'HEAD', cookieHeaders(client, csrf), undefined),
      put: (id: string, offset: number, data: AsyncIterable<Buffer> | Buffer, length: number) =>
        send(`${app.url}/uploads/${id}?offset=${offset}`, 'PUT', { ...cookieHeaders(client, csrf), 'Content-Type': 'application/octet-stream', 'Content-Length': length }, data),
      finish: (id: string, query = '') => send(`${app.url}/uploads/${id}/finish${query}`, 'POST', cookieHeaders(client, csrf), undefined),
      cancel: (id: string) => send(`${app.url}/uploads/${id}`, 'DELETE', cookieHeaders(client, csrf), undefined),
    });

    it('upload half, cut the connection mid-chunk, HEAD gives the offset, resume, and the checksum matches', async () => {
      const a = api(alice, aliceCsrf);
      const path = join(work, 'resume.bin');
      const size = 48 * MiB + 123;
      const sum = await randomFile(path, size);
      const created = await a.create({ drive: 'home', folder: [folder, 'deep', 'er'], mkdir: true, name: 'resume.bin', size });
      expect(created.status, created.text).toBe(201);
      const id = created.json.id as string;
      expect(created.json.offset).toBe(0);
      // The temporary is hidden and lives in the target folder.
      const deep = join(local, 'deep', 'er');
      expect(readdirSync(deep).filter((n) => n.startsWith('.~portcullis-') && n.endsWith('.part'))).toHaveLength(1);

      const first = await a.put(id, 0, sliceOf(path, 0, 16 * MiB), 16 * MiB);
      expect(first.json).toEqual({ offset: 16 * MiB });
      // A chunk at the wrong offset is refused with the current one.
      const wrong = await a.put(id, 8 * MiB, Buffer.alloc(10), 10);
      expect(wrong.status).toBe(409);
      expect(wrong.json.offset).toBe(16 * MiB);

      await sendAndCut(`${app.url}/uploads/${id}?offset=${16 * MiB}`, 'PUT', { ...cookieHeaders(alice, aliceCsrf), 'Content-Type': 'application/octet-stream', 'Content-Length': 16 * MiB }, sliceOf(path, 16 * MiB, 32 * MiB), 6 * MiB);
      let offset = 0;
      await expect
        .poll(async () => {
          const h = await a.head(id);
          offset = Number(h.headers['upload-offset']);
          return h.status === 200 && offset > 16 * MiB;
        }, { timeout: 10_000 })
        .toBe(true);
      expect(offset).toBeLessThanOrEqual(22 * MiB);
      expect(names()).not.toContain('resume.bin');
      // Finishing early is refused: the data is incomplete.
      expect((await a.finish(id)).status).toBe(409);

      // Bob can neither see nor continue Alice's upload.
      const b = api(bob, bobCsrf);
      expect((await b.head(id)).status).toBe(403);
      expect((await b.put(id, offset, Buffer.alloc(4), 4)).status).toBe(403);
      expect((await b.finish(id)).status).toBe(403);
      expect((await b.cancel(id)).status).toBe(403);
      // Nor can anyone alter the ticket.
      const [payload = '', mac = ''] = id.split('.');
      const forged = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
      forged.user = 'bob';
      expect((await b.head(`${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${mac}`)).status).toBe(404);

      while (offset < size) {
        const end = Math.min(size, offset + 8 * MiB);
        const r = await a.put(id, offset, sliceOf(path, offset, end), end - offset);
        expect(r.status, r.text).toBe(200);
        offset = r.json.offset as number;
      }
      const done = await a.finish(id);
      expect(done.status, done.text).toBe(201);
      expect(done.json.name).toBe('resume.bin');
      expect(await sha256File(join(deep, 'resume.bin'))).toBe(sum);
      expect(readdirSync(deep).filter((n) => n.startsWith('.~portcullis-'))).toEqual([]);
      expect((await a.head(id)).status).toBe(404);
    });

    it('a name conflict at finish keeps the data, so the user can still choose keep-both; cancel removes the temporary', async () => {
      const a = api(alice, aliceCsrf);
      const data = randomBytes(3 * MiB);
      const c = await a.create({ drive: 'home', folder: [folder], name: 'late.bin', size: data.length, conflict: 'fail' });
      const id = c.json.id as string;
      expect((await a.put(id, 0, data, data.length)).status).toBe(200);
      // Someone else creates the name meanwhile.
      expect((await upload([{ name: 'late.bin', data: Buffer.from('other') }])).status).toBe(201);
      const clash = await a.finish(id);
      expect(clash.status).toBe(409);
      expect((clash.json.error as { code: string }).code).toBe('exists');
      const kept = await a.finish(id, '?conflict=keep-both');
      expect(kept.status).toBe(201);
      expect(kept.json.name).toBe('late (1).bin');
      expect(sha256(readFileSync(join(local, 'late (1).bin')))).toBe(sha256(data));

      const d = await a.create({ drive: 'home', folder: [folder], name: 'dropped.bin', size: 100 });
      const did = d.json.id as string;
      expect((await a.cancel(did)).status).toBe(204);
      expect((await a.head(did)).status).toBe(404);
      expect(temporaries()).toEqual([]);
      // create with conflict=fail on an existing name is refused before any data is sent.
      expect((await a.create({ drive: 'home', folder: [folder], name: 'late.bin', size: 1 })).status).toBe(409);
    });
  });

  it('sweeps temporaries of crashed uploads older than a day on the next upload into the folder', async () => {
    const { utimesSync, writeFileSync } = await import('node:fs');
    const sweepDir = join(local, 'sweep');
    // Let the app create the folder (owned by alice), then plant an old and a fresh temporary.
    expect((await upload([{ name: 'first.txt', data: Buffer.from('1') }], 'mkdir=1', `${folder}/sweep`)).status).toBe(201);
    const oldTemp = join(sweepDir, '.~portcullis-0123456789abcdef.crashed.bin.part');
    const freshTemp = join(sweepDir, '.~portcullis-fedcba9876543210.running.bin.part');
    writeFileSync(oldTemp, 'old');
    writeFileSync(freshTemp, 'fresh');
    const twoDaysAgo = new Date(Date.now() - 48 * 3600 * 1000);
    utimesSync(oldTemp, twoDaysAgo, twoDaysAgo);
    const { resetSweeps } = await import('../../../src/files/upload.js');
    resetSweeps();
    expect((await upload([{ name: 'second.txt', data: Buffer.from('2') }], 'mkdir=1', `${folder}/sweep`)).status).toBe(201);
    expect(existsSync(oldTemp)).toBe(false);
    expect(existsSync(freshTemp)).toBe(true);
    expect(statSync(join(sweepDir, 'second.txt')).size).toBe(1);
  });
});
