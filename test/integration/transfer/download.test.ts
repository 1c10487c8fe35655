// Issue 5, downloads: /download, /view, /thumb and /zip over HTTP, as alice, against the real Samba AD DC.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseDisposition } from 'content-disposition';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LARGE_FILE, SHARES } from '../../fixtures/domain-data.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { run } from '../../fixtures/proc.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { csrfTokenIn, type HttpClient, signInOk } from '../../helpers/http-client.js';
import { startWebApp, type WebApp } from '../../helpers/web-app.js';
import { downloadWithPause, dropServerConnections, pngClaiming, raw, sha256, sha256File, urlOf } from './helpers.js';

let domain: DomainInfo;
let app: WebApp;
let alice: HttpClient;
let shared: string;

const dl = (...segments: string[]) => urlOf('download', 'shared', ...segments);
const view = (...segments: string[]) => urlOf('view', 'shared', ...segments);

beforeAll(async () => {
  domain = requireDomain();
  shared = join(domain.sharesDir, SHARES.shared);
  app = await startWebApp(domain, { env: { LOGIN_MAX_PER_IP: '1000' }, logLevel: 'info' });
  alice = app.client();
  await signInOk(alice, 'alice', DEMO_PASSWORD);
});
afterAll(async () => {
  await app?.close();
});

describe('/download', () => {
  it(`streams the ${LARGE_FILE.bytes >> 20} MiB file with its exact bytes, Content-Length and validators`, async () => {
    const t0 = performance.now();
    const r = await raw(alice, 'GET', dl(LARGE_FILE.path));
    const seconds = (performance.now() - t0) / 1000;
    expect(r.status).toBe(200);
    expect(r.headers.get('content-length')).toBe(String(LARGE_FILE.bytes));
    expect(r.headers.get('accept-ranges')).toBe('bytes');
    expect(r.headers.get('etag')).toMatch(/^"[\w-]+"$/);
    expect(r.headers.get('last-modified')).toMatch(/GMT$/);
    expect(r.headers.get('content-type')).toBe('application/octet-stream');
    expect(parseDisposition(r.headers.get('content-disposition') ?? '')).toMatchObject({ type: 'attachment', parameters: { filename: LARGE_FILE.path } });
    expect(r.body.length).toBe(LARGE_FILE.bytes);
    expect(sha256(r.body)).toBe(sha256File(join(shared, LARGE_FILE.path)));
    console.log(`download of ${LARGE_FILE.bytes >> 20} MiB through the app: ${(LARGE_FILE.bytes / 1048576 / seconds).toFixed(0)} MiB/s`);
  });

  it('reports curl through the app vs smbclient get of the same file (MiB/s, informational)', async () => {
    // Asynchronously: the app answering curl runs in this very process.
    const time = async (cmd: string, args: string[]): Promise<number> => {
      const t0 = performance.now();
      await run(cmd, args);
      return (performance.now() - t0) / 1000;
    };
    const mib = LARGE_FILE.bytes / 1048576;
    const viaApp = await time('curl', ['-sf', '-o', '/dev/null', '-H', `Cookie: ${alice.jar.header() ?? ''}`, new URL(dl(LARGE_FILE.path), app.url).href]);
    const viaSmb = await time('smbclient', [`//${domain.ip}/${SHARES.shared}`, '-U', `${domain.netbiosDomain}\\alice%${DEMO_PASSWORD}`, '-m', 'SMB3', '-c', `get "${LARGE_FILE.path}" /dev/null`]);
    console.log(`64 MiB: curl via app ${(mib / viaApp).toFixed(0)} MiB/s, smbclient get ${(mib / viaSmb).toFixed(0)} MiB/s (ratio ${(viaSmb / viaApp).toFixed(2)})`);
    expect(viaApp).toBeGreaterThan(0);
  });

  it.each(['README.txt', 'Report.pdf', 'Campus photo.jpg', 'Welcome video.mp4', 'Café menu – été.txt', '🎓 Graduation.png'])('downloads %s byte for byte', async (name) => {
    const r = await raw(alice, 'GET', dl(name));
    expect(r.status).toBe(200);
    expect(sha256(r.body)).toBe(sha256File(join(shared, name)));
    expect(parseDisposition(r.headers.get('content-disposition') ?? '').parameters.filename).toBe(name);
  });

  it('gives a Content-Type from the name', async () => {
    expect((await raw(alice, 'HEAD', dl('Report.pdf'))).headers.get('content-type')).toBe('application/pdf');
    expect((await raw(alice, 'HEAD', dl('README.txt'))).headers.get('content-type')).toBe('text/plain; charset=utf-8');
  });

  it('keeps hostile names intact in Content-Disposition (; \' , non-ASCII, emoji, %, +)', async () => {
    const names = ["a;b'c, d.txt", 'Grüße; "Ärger".txt'.replace(/"/g, "'"), '名前 (コピー) 📄.txt', '100% sure + more.txt', "Policy; 'quoted' name.pdf"];
    for (const name of names) {
      writeFileSync(join(shared, name), `content of ${name}\n`);
      const r = await raw(alice, 'GET', dl(name));
      expect(r.status, name).toBe(200);
      const header = r.headers.get('content-disposition') ?? '';
      expect(header).toMatch(/^attachment;/);
      expect(parseDisposition(header).parameters.filename).toBe(name);
      expect(r.body.toString('utf8')).toBe(name === "Policy; 'quoted' name.pdf" ? readFileSync(join(shared, name), 'utf8') : `content of ${name}\n`);
    }
  });

  it('answers HEAD with the headers and no body, without reading the file', async () => {
    const r = await raw(alice, 'HEAD', dl(LARGE_FILE.path));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-length')).toBe(String(LARGE_FILE.bytes));
    expect(r.body.length).toBe(0);
  });

  it('gives 404, 403 and 400 pages for a missing file, a forbidden drive and a folder', async () => {
    expect((await raw(alice, 'GET', dl('no such file.txt'))).status).toBe(404);
    expect((await raw(alice, 'GET', dl('Projects'))).status).toBe(400);
    expect((await raw(alice, 'GET', urlOf('download', 'nope', 'x.txt'))).status).toBe(404);
    expect((await raw(alice, 'GET', '/download/shared/..%2fREADME.txt')).status).toBe(400);
    const bob = app.client();
    await signInOk(bob, 'bob', DEMO_PASSWORD);
    expect((await raw(bob, 'GET', dl('README.txt'))).status).toBe(403);
    const anonymous = await raw(app.client(), 'GET', dl('README.txt'), { Accept: 'text/html' });
    expect(anonymous.status).toBe(303);
  });
});

describe('Range, If-Range and 304', () => {
  const source = () => readFileSync(join(shared, LARGE_FILE.path));

  it('serves the first bytes, a middle slice, a suffix and an open-ended range with 206 and Content-Range', async () => {
    const whole = source();
    const size = whole.length;
    const cases: [string, number, number][] = [
      ['bytes=0-99', 0, 99],
      ['bytes=1000000-1999999', 1_000_000, 1_999_999],
      ['bytes=-500', size - 500, size - 1],
      [`bytes=${size - 1000}-`, size - 1000, size - 1],
      [`bytes=${size - 10}-${size + 100}`, size - 10, size - 1],
    ];
    for (const [range, start, end] of cases) {
      const r = await raw(alice, 'GET', dl(LARGE_FILE.path), { Range: range });
      expect(r.status, range).toBe(206);
      expect(r.headers.get('content-range')).toBe(`bytes ${start}-${end}/${size}`);
      expect(r.headers.get('content-length')).toBe(String(end - start + 1));
      expect(r.body.equals(whole.subarray(start, end + 1)), range).toBe(true);
    }
  });

  it('says 416 with bytes */size past the end', async () => {
    const r = await raw(alice, 'GET', dl('README.txt'), { Range: 'bytes=100000-' });
    expect(r.status).toBe(416);
    expect(r.headers.get('content-range')).toBe(`bytes */${readFileSync(join(shared, 'README.txt')).length}`);
    // The plain-text body in the reader's language, like every other error.
    expect(r.body.toString('utf8')).toContain('The requested range is beyond the end of “README.txt”');
    const de = await raw(alice, 'GET', dl('README.txt'), { Range: 'bytes=100000-', 'Accept-Language': 'de' });
    expect(de.body.toString('utf8')).toContain('Der angeforderte Bereich liegt hinter dem Ende von „README.txt“');
  });

  it('answers a multi-range request with the whole file (200)', async () => {
    const r = await raw(alice, 'GET', dl('README.txt'), { Range: 'bytes=0-1,5-9' });
    expect(r.status).toBe(200);
    expect(r.body.equals(readFileSync(join(shared, 'README.txt')))).toBe(true);
  });

  it('honours If-Range: a matching ETag or date gives 206, a stale one the whole file', async () => {
    const head = await raw(alice, 'HEAD', dl('README.txt'));
    const etag = head.headers.get('etag') ?? '';
    const lastModified = head.headers.get('last-modified') ?? '';
    expect((await raw(alice, 'GET', dl('README.txt'), { Range: 'bytes=0-4', 'If-Range': etag })).status).toBe(206);
    expect((await raw(alice, 'GET', dl('README.txt'), { Range: 'bytes=0-4', 'If-Range': lastModified })).status).toBe(206);
    const stale = await raw(alice, 'GET', dl('README.txt'), { Range: 'bytes=0-4', 'If-Range': '"stale"' });
    expect(stale.status).toBe(200);
    expect(stale.body.equals(readFileSync(join(shared, 'README.txt')))).toBe(true);
  });

  it('says 304 for If-None-Match and for If-Modified-Since, and 200 once the file changed', async () => {
    const name = 'revalidate me.txt';
    writeFileSync(join(shared, name), 'version 1\n');
    const first = await raw(alice, 'GET', dl(name));
    const etag = first.headers.get('etag') ?? '';
    const lastModified = first.headers.get('last-modified') ?? '';
    const byTag = await raw(alice, 'GET', dl(name), { 'If-None-Match': etag });
    expect(byTag.status).toBe(304);
    expect(byTag.headers.get('etag')).toBe(etag);
    expect(byTag.body.length).toBe(0);
    expect((await raw(alice, 'GET', dl(name), { 'If-Modified-Since': lastModified })).status).toBe(304);
    expect((await raw(alice, 'GET', dl(name), { 'If-None-Match': etag, 'If-Modified-Since': lastModified })).status).toBe(304);
    // If-None-Match wins: a stale tag is a full answer even with a matching date.
    expect((await raw(alice, 'GET', dl(name), { 'If-None-Match': '"old"', 'If-Modified-Since': lastModified })).status).toBe(200);

    writeFileSync(join(shared, name), 'version 2, longer\n');
    const changed = await raw(alice, 'GET', dl(name), { 'If-None-Match': etag });
    expect(changed.status).toBe(200);
    expect(changed.body.toString()).toBe('version 2, longer\n');
    expect(changed.headers.get('etag')).not.toBe(etag);
  });
});

describe('/view', () => {
  it.each([
    ['Report.pdf', 'application/pdf'],
    ['Campus photo.jpg', 'image/jpeg'],
    ['🎓 Graduation.png', 'image/png'],
    ['README.txt', 'text/plain; charset=utf-8'],
    ['Bell.ogg', 'audio/ogg'],
    ['Welcome video.mp4', 'video/mp4'],
  ])('shows %s inline as %s, sandboxed and nosniff', async (name, type) => {
    const r = await raw(alice, 'GET', view(name));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe(type);
    expect(r.headers.get('content-disposition')).toMatch(/^inline;/);
    expect(r.headers.get('content-security-policy')).toMatch(/^sandbox(;|$)/);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(sha256(r.body)).toBe(sha256File(join(shared, name)));
  });

  it.each(['page.html', 'drawing.svg', 'data.csv'.replace('csv', 'xml'), 'Lecture recording (large).bin'])('sends %s as an attachment, sandboxed and nosniff', async (name) => {
    if (name.endsWith('.xml')) writeFileSync(join(shared, name), '<?xml version="1.0"?><a/>\n');
    const r = await raw(alice, name.endsWith('.bin') ? 'HEAD' : 'GET', view(name));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(r.headers.get('content-security-policy')).toMatch(/^sandbox(;|$)/);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('lets a video player seek (Range on /view)', async () => {
    const whole = readFileSync(join(shared, 'Welcome video.mp4'));
    const r = await raw(alice, 'GET', view('Welcome video.mp4'), { Range: 'bytes=100-199' });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe(`bytes 100-199/${whole.length}`);
    expect(r.body.equals(whole.subarray(100, 200))).toBe(true);
  });
});

describe('a download that fails midway', () => {
  it('is cut off (the client sees an incomplete body, never a clean short one), and the next download works', async () => {
    const result = await downloadWithPause(alice, dl(LARGE_FILE.path), 4 << 20, async () => {
      expect(await dropServerConnections(domain)).toBeGreaterThan(0);
    });
    expect(result.status).toBe(200);
    expect(result.contentLength).toBe(LARGE_FILE.bytes);
    expect(result.received).toBeLessThan(LARGE_FILE.bytes);
    expect(result.ending).not.toBe('end');
    // The pool rebuilds the connection for the next request.
    const again = await raw(alice, 'GET', dl('README.txt'));
    expect(again.status).toBe(200);
  });

  it('stops reading from SMB when the client goes away, without an error report', async () => {
    const before = app.logs.filter((l) => l.includes('"level":"error"')).length;
    const controller = new AbortController();
    const res = await fetch(new URL(dl(LARGE_FILE.path), app.url), { headers: { Cookie: alice.jar.header() ?? '' }, signal: controller.signal });
    const reader = res.body?.getReader();
    await reader?.read();
    controller.abort();
    await new Promise((r) => setTimeout(r, 300));
    expect(app.logs.filter((l) => l.includes('"level":"error"')).length).toBe(before);
    expect((await raw(alice, 'GET', dl('README.txt'))).status).toBe(200);
  });
});

describe('/thumb', () => {
  it('makes a smaller WebP of a JPEG, then serves it from the disk cache', async () => {
    const first = await raw(alice, 'GET', urlOf('thumb', 'shared', 'Campus photo.jpg'));
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/webp');
    // Whether an answer came from the shared cache is nobody's business (issue 10): no header says so.
    expect(first.headers.get('x-thumbnail-cache')).toBeNull();
    const meta = await sharp(first.body).metadata();
    expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBeLessThanOrEqual(256);
    expect(first.body.length).toBeLessThan(readFileSync(join(shared, 'Campus photo.jpg')).length);
    const cached = readdirSync(join(app.config.dataDir, 'thumbnails'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.webp'));
    expect(cached).toHaveLength(1);
    const second = await raw(alice, 'GET', urlOf('thumb', 'shared', 'Campus photo.jpg'));
    expect(second.headers.get('x-thumbnail-cache')).toBeNull();
    expect(second.body.equals(first.body)).toBe(true);
    const revalidated = await raw(alice, 'GET', urlOf('thumb', 'shared', 'Campus photo.jpg'), { 'If-None-Match': first.headers.get('etag') ?? '' });
    expect(revalidated.status).toBe(304);
  });

  it('refuses an image with too many pixels (413) and has no thumbnail for non-images (404)', async () => {
    // In a folder of its own, removed afterwards: other test files (the README screenshots) show the Shared drive's
    // top folder as a grid and expect every thumbnail in it to load.
    const folder = `thumb-413-${process.pid}`;
    mkdirSync(join(shared, folder), { recursive: true });
    try {
      writeFileSync(join(shared, folder, 'huge.png'), pngClaiming(20_000, 20_000));
      const huge = await raw(alice, 'GET', urlOf('thumb', 'shared', folder, 'huge.png'), { Accept: 'application/json' });
      expect(huge.status).toBe(413);
      expect(JSON.parse(huge.body.toString()).error.message).toMatch(/too large for a thumbnail/);
    } finally {
      rmSync(join(shared, folder), { recursive: true, force: true });
    }
    expect((await raw(alice, 'GET', urlOf('thumb', 'shared', 'README.txt'))).status).toBe(404);
    expect((await raw(alice, 'GET', urlOf('thumb', 'shared', 'drawing.svg'))).status).toBe(404);
  });
});

describe('/zip', () => {
  const folder = 'Zip test – Ünïcödé';
  let work: string;

  beforeAll(() => {
    const dir = join(shared, folder);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'Unterordner ß', 'tief 深い'), { recursive: true });
    mkdirSync(join(dir, 'Leer'));
    writeFileSync(join(dir, 'Café.txt'), 'crème brûlée\n'.repeat(100));
    writeFileSync(join(dir, '🎓 photo.jpg'), readFileSync(join(shared, 'Campus photo.jpg')));
    writeFileSync(join(dir, 'Unterordner ß', 'données.csv'), 'a,b\n1,2\n');
    writeFileSync(join(dir, 'Unterordner ß', 'tief 深い', '日本語.bin'), Buffer.alloc(3 << 20, 7));
    work = join(tmpdir(), `portcullis-zip-${process.pid}`);
    mkdirSync(work, { recursive: true });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** Names and sha256 of the files in a zip, read by Python's zipfile (an independent reader). */
  function contents(zip: Buffer): Record<string, string> {
    const file = join(work, `${Math.random().toString(36).slice(2)}.zip`);
    writeFileSync(file, zip);
    execFileSync('unzip', ['-tq', file]);
    const script = 'import sys,zipfile,hashlib,json\nz=zipfile.ZipFile(sys.argv[1])\nprint(json.dumps({i.filename:(hashlib.sha256(z.read(i)).hexdigest() if not i.is_dir() else "dir") for i in z.infolist()}))';
    return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })) as Record<string, string>;
  }

  it('streams a whole folder with non-ASCII names, subfolders and an empty folder; checksums match', async () => {
    const r = await raw(alice, 'GET', `${urlOf('zip', 'shared', folder)}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/zip');
    expect(parseDisposition(r.headers.get('content-disposition') ?? '').parameters.filename).toBe(`${folder}.zip`);
    const dir = join(shared, folder);
    expect(contents(r.body)).toEqual({
      'Café.txt': sha256File(join(dir, 'Café.txt')),
      '🎓 photo.jpg': sha256File(join(dir, '🎓 photo.jpg')),
      'Leer/': 'dir',
      'Unterordner ß/': 'dir',
      'Unterordner ß/données.csv': sha256File(join(dir, 'Unterordner ß', 'données.csv')),
      'Unterordner ß/tief 深い/': 'dir',
      'Unterordner ß/tief 深い/日本語.bin': sha256File(join(dir, 'Unterordner ß', 'tief 深い', '日本語.bin')),
    });
  });

  it('zips a selection posted from the folder page (with its CSRF token), and refuses a post without one', async () => {
    const page = await alice.get('/browse/shared/');
    const form = new URLSearchParams([['_csrf', csrfTokenIn(page.text)], ['name', 'README.txt'], ['name', 'Projects']]);
    const r = await raw(alice, 'POST', '/zip/shared/', { 'Content-Type': 'application/x-www-form-urlencoded' }, form.toString());
    expect(r.status).toBe(200);
    expect(contents(r.body)).toEqual({
      'README.txt': sha256File(join(shared, 'README.txt')),
      'Projects/': 'dir',
      'Projects/Apollo/': 'dir',
      'Projects/Apollo/plan.txt': sha256File(join(shared, 'Projects', 'Apollo', 'plan.txt')),
    });
    const forged = await raw(alice, 'POST', '/zip/shared/', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'name=README.txt');
    expect(forged.status).toBe(403);
    const bad = new URLSearchParams([['_csrf', csrfTokenIn(page.text)], ['name', '../etc']]);
    expect((await raw(alice, 'POST', '/zip/shared/', { 'Content-Type': 'application/x-www-form-urlencoded' }, bad.toString())).status).toBe(400);
  });

  it('enforces ZIP_MAX_ENTRIES and ZIP_MAX_BYTES before sending anything, with a clear message', async () => {
    const saved = { ...app.config.zip };
    try {
      app.config.zip.maxEntries = 3;
      const many = await raw(alice, 'GET', `${urlOf('zip', 'shared', folder)}/`, { Accept: 'application/json' });
      expect(many.status).toBe(413);
      expect(JSON.parse(many.body.toString()).error.message).toMatch(/more than 3 files and folders/);
      app.config.zip.maxEntries = saved.maxEntries;
      app.config.zip.maxBytes = 1 << 20;
      const big = await raw(alice, 'GET', `${urlOf('zip', 'shared', folder)}/`, { Accept: 'text/html' });
      expect(big.status).toBe(413);
      expect(big.body.toString()).toContain('more than 1.0 MB, the most one zip download may hold');
    } finally {
      Object.assign(app.config.zip, saved);
    }
  });

  it('cuts the zip off when SMB fails midway (never a short, valid-looking archive)', async () => {
    const result = await downloadWithPause(alice, '/zip/shared/?', 1 << 20, async () => {
      expect(await dropServerConnections(domain)).toBeGreaterThan(0);
    }).catch((err: unknown) => err);
    // The drive root holds the 64 MiB file and the 10,000-entry folder: far more than 1 MiB of zip.
    expect(result).toMatchObject({ status: 200 });
    expect((result as { ending: string }).ending).not.toBe('end');
  });
});
