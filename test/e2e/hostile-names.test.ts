// Issue 10, hostile input in Chromium: files whose names and contents are HTML, SVG or JavaScript (calling
// alert(), fetching http://evil.invalid/, writing console.error) sit in alice's home drive. Opening the folder
// (list and grid, with thumbnails), every preview in the modal, every file's preview page and the inline
// views runs none of it: no dialog, no console error or warning, no page error, and every request the page
// makes goes to the app's own origin.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_NAMES } from '../fixtures/hostile-names.js';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import { requireDomain } from '../fixtures/require-domain.js';
import { startBrowseApp } from '../helpers/browse.js';
import { launchChromium, signInWithForm, watchProblems } from '../helpers/browser.js';
import type { WebApp } from '../helpers/web-app.js';

const FOLDER = `e2e-hostile-${process.pid}`;
const EVIL = 'http://evil.invalid';
const HTML = `<script>alert('html');fetch('${EVIL}/html')</script><img src="${EVIL}/img.png" onerror="alert('img')"><svg onload="alert('svg')"></svg><iframe src="javascript:alert('iframe')"></iframe><style>@import '${EVIL}/css';</style>`;
const SVG = `<svg xmlns="http://www.w3.org/2000/svg" onload="alert('svg')"><script>alert('svg-script');console.error('svg ran');fetch('${EVIL}/svg')</script><image href="${EVIL}/svg.png"/><foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="javascript:alert(1)"/></foreignObject></svg>`;
const JS = `alert('js');console.error('js ran');fetch('${EVIL}/js');window.__ran=1;`;
const CSS = `@import url(${EVIL}/import.css); body { background: url(${EVIL}/bg.png); }`;

/** Contents by extension: each one what that type of file would need to run script or reach out. */
const PAYLOADS: Record<string, string> = { txt: `${HTML}\n${JS}`, md: HTML, csv: `"${HTML}",${JS}`, json: JSON.stringify({ html: HTML }), html: HTML, htm: HTML, xhtml: HTML, svg: SVG, xml: SVG, js: JS, mjs: JS, css: CSS };

/** Script-like names the corpus says are legal, each with every payload's extension the corpus name lacks. */
const markupNames = [
  ...HOSTILE_NAMES.filter((e) => e.outcome === 'legal' && e.category === 'markup').map((e) => e.name),
  ...HOSTILE_NAMES.filter((e) => e.outcome === 'legal' && e.category === 'unicode' && /[\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff]/u.test(e.name)).map((e) => e.name),
];
const FILES: Record<string, string> = {};
for (const [i, name] of markupNames.entries()) {
  const ext = Object.keys(PAYLOADS)[i % Object.keys(PAYLOADS).length] ?? 'txt';
  const full = /\.[a-z]+$/u.test(name) && PAYLOADS[name.split('.').at(-1) ?? ''] !== undefined ? name : `${name.slice(0, 240)}.${ext}`;
  FILES[full] = PAYLOADS[full.split('.').at(-1) ?? 'txt'] ?? HTML;
}
/** Real pictures under hostile names, so the grid shows their thumbnails. */
const PICTURES = [`'-alert(1)-'.png`, '${alert(1)}.png', '\u202Egnp.js.png', "x' onerror='alert(1)' y='.png", '&lt;img src=x onerror=alert(1)&gt;.png'];
/**
 * Names no upload may create but a Linux user can (`<`, `>`, `"`, `:` …). The file server shows them under
 * mangled 8.3 names; they must be as inert as the rest.
 */
const SERVER_ONLY = ['<img src=x onerror=alert(1)>.txt', '"><svg onload=alert(1)>.html', 'x" onmouseover="alert(1).txt', 'a:b <script>.js'];

describe('hostile file names and contents in Chromium', () => {
  let app: WebApp;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    const domain = requireDomain();
    dir = join(domain.homesDir, 'alice', FOLDER);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { mode: 0o755 });
    for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir, name), text, { mode: 0o644 });
    const png = readFileSync(new URL('../fixtures/files/sample-image.png', import.meta.url));
    for (const name of PICTURES) writeFileSync(join(dir, name), png, { mode: 0o644 });
    for (const name of SERVER_ONLY) writeFileSync(join(dir, name), HTML, { mode: 0o644 });
    app = await startBrowseApp(domain);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  interface Watch {
    context: BrowserContext;
    page: Page;
    problems: string[];
    dialogs: string[];
    foreign: string[];
  }

  async function signedInPage(): Promise<Watch> {
    const context = await browser.newContext();
    const dialogs: string[] = [];
    const foreign: string[] = [];
    // Every request of every frame (the preview iframe included) and of workers, not only the top page's.
    context.on('request', (req) => {
      if (!req.url().startsWith(`${app.url}/`)) foreign.push(req.url());
    });
    const page = await context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const problems = watchProblems(page);
    await page.goto(`${app.url}/browse/home/${FOLDER}/`);
    await page.waitForURL(/\/login\?next=/);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/home/${FOLDER}/`);
    return { context, page, problems, dialogs, foreign };
  }

  const expectInert = async (w: Watch): Promise<void> => {
    expect(w.dialogs).toEqual([]);
    expect(w.problems).toEqual([]);
    expect(w.foreign).toEqual([]);
    expect(await w.page.evaluate(() => (window as unknown as { __ran?: unknown }).__ran)).toBeUndefined();
  };

  it('list view: every name shows exactly; every preview in the modal shows the payload as text or an image', { timeout: 300_000 }, async () => {
    const w = await signedInPage();
    const { page } = w;
    await page.goto(`${app.url}/browse/home/${FOLDER}/?view=list&hidden=1`);
    const links = page.locator('table.pc-list tbody td.text-break a');
    const shown = await links.allTextContents();
    for (const name of [...Object.keys(FILES), ...PICTURES]) expect(shown, name).toContain(name);
    expect(shown).toHaveLength(Object.keys(FILES).length + PICTURES.length + SERVER_ONLY.length);

    const modal = page.locator('#preview-modal');
    for (let i = 0; i < shown.length; i++) {
      await links.nth(i).click();
      await expect.poll(() => modal.getAttribute('data-state')).toBe('shown');
      const kind = await page.locator('#preview-body').getAttribute('data-kind');
      const name = shown[i] ?? '';
      expect(await page.locator('#preview-title').textContent()).toBe(name.trim());
      if (kind === 'text') {
        const pre = page.locator('#preview-body pre');
        await expect.poll(() => pre.getAttribute('aria-busy')).toBeNull();
        // The payload comes back as text, character for character (a server-only name: its mangled alias).
        const expected = FILES[name];
        if (expected !== undefined) expect(await pre.textContent(), name).toBe(expected);
        else expect(await pre.textContent(), name).toContain('alert(');
      } else if (kind === 'image') {
        await expect.poll(() => page.locator('#preview-body img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
      }
      await page.keyboard.press('Escape');
      await expect.poll(() => modal.getAttribute('data-state')).toBeNull();
    }
    await expectInert(w);
    await w.context.close();
  });

  it('grid view: names exact, every thumbnail loads', { timeout: 120_000 }, async () => {
    const w = await signedInPage();
    const { page } = w;
    await page.goto(`${app.url}/browse/home/${FOLDER}/?view=grid&hidden=1`);
    const names = await page.locator('.pc-card-name').allTextContents();
    for (const name of [...Object.keys(FILES), ...PICTURES]) expect(names, name).toContain(name);
    const thumbs = page.locator('img.pc-thumb-img');
    expect(await thumbs.count()).toBe(PICTURES.length);
    // They load lazily: bring each into view, as scrolling would.
    for (let i = 0; i < PICTURES.length; i++) await thumbs.nth(i).scrollIntoViewIfNeeded();
    await expect
      .poll(() => thumbs.evaluateAll((imgs: HTMLImageElement[]) => imgs.filter((img) => img.complete && img.naturalWidth > 0).length), { timeout: 30_000 })
      .toBe(PICTURES.length);
    await expectInert(w);
    await w.context.close();
  });

  it('each file’s own preview page, and the inline views, run nothing', { timeout: 300_000 }, async () => {
    const w = await signedInPage();
    const { page } = w;
    for (const name of [...Object.keys(FILES), ...PICTURES]) {
      await page.goto(`${app.url}/browse/home/${FOLDER}/${encodeURIComponent(name)}`);
      expect(await page.locator('h1').textContent(), name).toBe(name);
      expect(await page.title()).toContain(name);
    }
    // What /view shows inline (text and pictures) is opened as a page of its own, as a user might.
    for (const name of [...Object.keys(FILES).filter((n) => /\.(txt|md|csv|json)$/u.test(n)).slice(0, 15), ...PICTURES]) {
      const before = w.problems.length;
      const res = await page.goto(`${app.url}/view/home/${FOLDER}/${encodeURIComponent(name)}`);
      expect(res?.status(), name).toBe(200);
      expect(res?.headers()['content-type'], name).toMatch(/^(text\/plain|image\/png)/u);
      await page.waitForLoadState('load');
      // A sandboxed document has an opaque origin: Chromium then reports its own same-origin loads (the
      // favicon) as blocked by Cross-Origin-Resource-Policy and the Origin-Agent-Cluster header as unusable.
      // Both are the sandbox working, not the file; anything else is a finding.
      const noise = /Failed to load resource: net::ERR_BLOCKED_BY_RESPONSE\.NotSameOrigin|requested an origin-keyed agent cluster/u;
      const added = w.problems.splice(before);
      expect(added.filter((p) => !noise.test(p)), name).toEqual([]);
    }
    await expectInert(w);
    await w.context.close();
  });
});
