// Issue 5, Browse over HTTP: the real app against the real Samba AD DC (alice is staff, bob is not).
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDomain } from '../../fixtures/require-domain.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { SHARES } from '../../fixtures/domain-data.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { namesIn, rawGet, rowsIn, signedIn, startBrowseApp, wayBackIn } from '../../helpers/browse.js';
import type { WebApp } from '../../helpers/web-app.js';

const FOLDER = `Browse test ${process.pid}`;
const base = `/browse/shared/${encodeURIComponent(FOLDER)}/`;
const day = (n: number): Date => new Date(Date.UTC(2025, 0, n, 12, 0, 0));

// name → [size, day of January 2025]; folders have no size.
const FILES: Record<string, [number, number]> = {
  'file10.txt': [10, 3],
  'file2.txt': [2000, 1],
  'File1.txt': [300, 5],
  'b.pdf': [50, 2],
  'a.png': [4000, 4],
  'notes.md': [1, 6],
  '.dotfile': [5, 1],
  '~$Report.docx': [5, 1],
  'desktop.ini': [5, 1],
  'Thumbs.db': [5, 1],
};
const FOLDERS = ['zeta', 'Alpha 10', 'Alpha 9', '$RECYCLE.BIN'];
const HIDDEN = ['.dotfile', '~$Report.docx', 'desktop.ini', 'Thumbs.db', '$RECYCLE.BIN'];

describe('browse', () => {
  let domain: DomainInfo;
  let app: WebApp;
  let alice: HttpClient;
  let dir: string;

  beforeAll(async () => {
    domain = requireDomain();
    dir = join(domain.sharesDir, SHARES.shared, FOLDER);
    mkdirSync(dir, { mode: 0o777 });
    for (const [name, [size, d]] of Object.entries(FILES)) {
      writeFileSync(join(dir, name), 'x'.repeat(size));
      utimesSync(join(dir, name), day(d), day(d));
    }
    for (const name of FOLDERS) mkdirSync(join(dir, name));
    app = await startBrowseApp(domain);
    alice = await signedIn(app, 'alice');
  });
  afterAll(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists folders first, then files in natural, case-insensitive name order; hides the hidden ones', async () => {
    const page = await alice.get(base);
    expect(page.status).toBe(200);
    expect(namesIn(page.text)).toEqual(['Alpha 9', 'Alpha 10', 'zeta', 'a.png', 'b.pdf', 'File1.txt', 'file2.txt', 'file10.txt', 'notes.md']);
    const rows = rowsIn(page.text);
    expect(rows.find((r) => r.name === 'Alpha 9')).toMatchObject({ kind: 'dir', href: `${base}Alpha%209/` });
    expect(rows.find((r) => r.name === 'a.png')).toMatchObject({ kind: 'image', href: `${base}a.png` });
    expect(rows.find((r) => r.name === 'b.pdf')?.kind).toBe('pdf');
    expect(rows.find((r) => r.name === 'notes.md')?.kind).toBe('text');
    expect(page.text).toContain('5 hidden');
    // Sizes are human-readable, times are ISO in <time> with a UTC fallback text.
    expect(page.text).toMatch(/<td class="pc-size">3\.9 KB<\/td>/);
    expect(page.text).toContain('<time datetime="2025-01-04T12:00:00.000Z">2025-01-04 12:00 UTC</time>');
    // Download links use B's URLs with the same encoding as the folder links.
    expect(page.text).toContain(`href="/download/shared/${encodeURIComponent(FOLDER)}/a.png"`);
    expect(page.text).toContain(`href="/zip/shared/${encodeURIComponent(FOLDER)}/Alpha%209/"`);
  });

  it.each([
    ['name', 'desc', ['zeta', 'Alpha 10', 'Alpha 9', 'notes.md', 'file10.txt', 'file2.txt', 'File1.txt', 'b.pdf', 'a.png']],
    ['size', 'asc', ['Alpha 9', 'Alpha 10', 'zeta', 'notes.md', 'file10.txt', 'b.pdf', 'File1.txt', 'file2.txt', 'a.png']],
    ['size', 'desc', ['zeta', 'Alpha 10', 'Alpha 9', 'a.png', 'file2.txt', 'File1.txt', 'b.pdf', 'file10.txt', 'notes.md']],
    ['modified', 'asc', undefined],
    ['modified', 'desc', undefined],
    ['type', 'asc', undefined],
  ] as const)('sort=%s&order=%s', async (sort, order, expected) => {
    const page = await alice.get(`${base}?sort=${sort}&order=${order}&hidden=0`);
    expect(page.status).toBe(200);
    const names = namesIn(page.text);
    const files = names.slice(3);
    expect(names.slice(0, 3).sort()).toEqual(['Alpha 10', 'Alpha 9', 'zeta']);
    if (expected) expect(names).toEqual(expected);
    if (sort === 'modified') {
      const byDay = [...files].sort((a, b) => (FILES[a]?.[1] ?? 0) - (FILES[b]?.[1] ?? 0));
      expect(files).toEqual(order === 'asc' ? byDay : byDay.reverse());
    }
    if (sort === 'type') expect(files).toEqual(['notes.md', 'b.pdf', 'a.png', 'File1.txt', 'file2.txt', 'file10.txt']);
    expect(page.text).toMatch(new RegExp(`aria-sort="${order === 'asc' ? 'ascending' : 'descending'}"><a class="pc-sort-link" href="[^"]*">${{ name: 'Name', size: 'Size', modified: 'Modified', type: 'Type' }[sort]}`));
  });

  it('shows hidden entries with ?hidden=1, remembers view and sort in the user’s settings (not a cookie), and forgets with hidden=0', async () => {
    const client = await signedIn(app, 'alice');
    const shown = await client.get(`${base}?hidden=1&view=grid&sort=size&order=desc`);
    expect(namesIn(shown.text)).toEqual(expect.arrayContaining(HIDDEN));
    expect(shown.text).toContain('class="pc-grid list-unstyled"');
    expect(client.jar.get('pc_browse')).toBeUndefined();
    // Another sign-in of the same user (another browser) opens folders the same way.
    const elsewhere = await signedIn(app, 'alice');
    const again = await elsewhere.get(base);
    expect(namesIn(again.text)).toEqual(expect.arrayContaining(HIDDEN));
    expect(again.text).toContain('class="pc-grid list-unstyled"');
    const hiddenAgain = await client.get(`${base}?hidden=0`);
    expect(namesIn(hiddenAgain.text).filter((n) => HIDDEN.includes(n))).toEqual([]);
    expect(namesIn((await elsewhere.get(base)).text).filter((n) => HIDDEN.includes(n))).toEqual([]);
    // Back to the defaults, which the other cases here expect.
    await client.get(`${base}?view=list&sort=name&order=asc&hidden=0`);
  });

  it('grid view: thumbnails for images (lazy), icons otherwise', async () => {
    const page = await alice.get(`${base}?view=grid`);
    expect(page.text).toContain(`<img class="pc-thumb-img" loading="lazy" decoding="async" src="/thumb/shared/${encodeURIComponent(FOLDER)}/a.png" alt="">`);
    expect(page.text.match(/<img class="pc-thumb-img"/g)?.length).toBe(1);
    expect(namesIn(page.text)).toHaveLength(9);
  });

  it('an empty folder says so; the demo Shared root hides its clutter', async () => {
    const empty = await alice.get('/browse/shared/Empty%20folder/');
    expect(empty.status).toBe(200);
    expect(empty.text).toContain('This folder is empty.');
    const root = await alice.get('/browse/shared/');
    const names = namesIn(root.text).filter((n) => !n.startsWith('Browse test'));
    expect(names.slice(0, 3)).toEqual(['Big folder', 'Empty folder', 'Projects']);
    for (const hidden of ['.hidden-config', '~$Locked document.docx', 'desktop.ini', 'Thumbs.db']) expect(names).not.toContain(hidden);
    expect(names).toEqual(expect.arrayContaining(['🎓 Graduation.png', 'Zoe\u0308 (combining).txt', "Policy; 'quoted' name.pdf"]));
  });

  it('breadcrumbs and the up control', async () => {
    const page = await alice.get(`${base}Alpha%209/`);
    expect(page.text).toContain(`<a class="btn btn-outline-secondary pc-up" href="${base}" aria-label="Up to ${FOLDER}"`);
    expect(page.text).toMatch(/<li class="breadcrumb-item active pc-crumb" aria-current="page"><span class="pc-crumb-name">Alpha 9<\/span>/);
    // Four levels: on phones the drive, "…" and the last two.
    const deep = await alice.get('/browse/shared/Projects/Apollo/');
    expect(deep.text).not.toContain('pc-crumb-more');
    mkdirSync(join(dir, 'Alpha 9', 'Inner'), { recursive: true });
    const deeper = await alice.get(`${base}Alpha%209/Inner/`);
    expect(deeper.text).toContain('pc-crumb-more');
    expect(deeper.text).toContain(`<a href="${base}" class="pc-crumb-more px-1"`);
    const root = await alice.get('/browse/shared/');
    expect(root.text).toContain('pc-up disabled');
  });

  it('a file URL shows its preview page; a folder without its slash and a file with one are redirected', async () => {
    const text = await alice.get('/browse/shared/README.txt');
    expect(text.status).toBe(200);
    expect(text.text).toContain('<pre class="pc-preview-text"');
    expect(text.text).toContain('Shared drive for staff. Be kind to each other.');
    expect(text.text).toContain('href="/download/shared/README.txt"');
    const html = await alice.get('/browse/shared/page.html');
    expect(html.text).toContain('&lt;script&gt;alert(&#34;never run me inline&#34;)&lt;/script&gt;');
    const img = await alice.get(`/browse/shared/${encodeURIComponent('🎓 Graduation.png')}`);
    expect(img.text).toContain(`<img class="pc-preview-img" src="/view/shared/${encodeURIComponent('🎓 Graduation.png')}"`);
    const video = await alice.get('/browse/shared/Welcome%20video.mp4');
    expect(video.text).toContain('<video class="pc-preview-media" controls preload="metadata" src="/view/shared/Welcome%20video.mp4"');
    const folder = await alice.get('/browse/shared/Projects?view=grid');
    expect([folder.status, folder.location]).toEqual([301, '/browse/shared/Projects/?view=grid']);
    const file = await alice.get('/browse/shared/README.txt/');
    expect([file.status, file.location]).toEqual([301, '/browse/shared/README.txt']);
  });

  it('GET /preview-text returns the first 256 KiB as inert text/plain', async () => {
    const big = 'é'.repeat(200_000); // 400,000 bytes of UTF-8
    writeFileSync(join(dir, 'big.txt'), big);
    const small = await alice.get(`/preview-text/shared/${encodeURIComponent('Café menu – été.txt')}`);
    expect(small.status).toBe(200);
    expect(small.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(small.headers.get('content-security-policy')).toContain('sandbox');
    expect(small.headers.get('x-preview-truncated')).toBe('0');
    expect(small.text).toBe('Crème brûlée, 3.50 €\n');
    const cut = await alice.get(`/preview-text/shared/${encodeURIComponent(FOLDER)}/big.txt`);
    expect(cut.headers.get('x-preview-truncated')).toBe('1');
    expect(cut.text).toBe('é'.repeat(131_072));
    const missing = await alice.get(`/preview-text/shared/${encodeURIComponent(FOLDER)}/nope.txt`);
    expect(missing.status).toBe(404);
    const folder = await alice.get(`/preview-text/shared/${encodeURIComponent(FOLDER)}/zeta`);
    expect(folder.status).toBe(404);
  });

  it('not found: 404 page naming the item, with a way back to the parent and the drive', async () => {
    const page = await alice.get(`${base}Nope/`);
    expect(page.status).toBe(404);
    expect(page.text).toContain('“Nope” was not found');
    expect(wayBackIn(page.text)).toEqual({ parent: base, root: '/browse/shared/' });
    const file = await alice.get(`${base}missing.txt`);
    expect(file.status).toBe(404);
    expect(wayBackIn(file.text).parent).toBe(base);
  });

  it('access denied: 403 page with a way back (bob is not staff)', async () => {
    const bob = await signedIn(app, 'bob');
    const root = await bob.get('/browse/shared/');
    expect(root.status).toBe(403);
    expect(root.text).toContain('Back to the start page');
    const deeper = await bob.get('/browse/shared/Projects/');
    expect(deeper.status).toBe(403);
    expect(wayBackIn(deeper.text)).toEqual({ parent: '/browse/shared/' });
    const text = await bob.get('/preview-text/shared/README.txt');
    expect(text.status).toBe(403);
  });

  it.each([
    '/browse/shared/%2e%2e/',
    '/browse/shared/..%2f..%2f/',
    '/browse/shared/a%5cb/',
    '/browse/shared/a%00b/',
    '/browse/shared/%c0%ae%c0%ae/',
    '/browse/shared/a%3Ab/',
    '/browse/shared/%E0%A4%A/',
    `/browse/shared/${'a'.repeat(300)}/`,
    '/preview-text/shared/%2e%2e/etc/passwd',
    '/preview-text/shared/a%2fb',
  ])('hostile path %s → 400 with a way back to the drive', async (path) => {
    const page = await rawGet(alice, path);
    expect(page.status).toBe(400);
    if (path.startsWith('/browse/')) expect(wayBackIn(page.text).root).toBe('/browse/shared/');
  });

  it('an unknown drive is a 404 with the start page as the way back', async () => {
    const page = await alice.get('/browse/nosuchdrive/');
    expect(page.status).toBe(404);
    expect(page.text).toContain('Back to the start page');
  });
});
