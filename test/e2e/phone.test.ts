// Phones and tablets (issue 14) in real Chromium against the real app and file server, at 390×844 with touch:
// collapsed navigation; the compact breadcrumb's "Up"; the bottom action bar (Upload, New folder, Select: shown on
// a phone, hidden on a desktop, clear of the last rows); long-press opens the item menu; every visible tap target
// is at least 44×44 px; the image and PDF previews fit the screen and pinch-zoom; "Take photo" (accept/capture)
// feeds the uploader; no page scrolls sideways. And the live regions (src/client/announce.ts): an upload's start
// and end, an operation's result and an upload's failure (as an alert) are said. Uploads are checked on the file
// server with smbclient, byte for byte.
import { createHash, randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainInfo } from '../fixtures/domain.js';
import { SHARES, USERS, USERS_GID } from '../fixtures/domain-data.js';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import { requireDomain } from '../fixtures/require-domain.js';
import { horizontalOverflow } from '../helpers/axe.js';
import { launchChromium, signInWithForm, watchProblems } from '../helpers/browser.js';
import { smbGet, smbList } from '../helpers/smbclient.js';
import { startWebApp, type WebApp } from '../helpers/web-app.js';

const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 } };
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
/** What a phone user taps; buttons, links and the like (checkboxes by their hit area, .pc-check-hit). */
const TAP_TARGETS = [
  'button',
  '.btn',
  '.navbar-toggler',
  '.navbar-brand',
  '.nav-link',
  'summary',
  '[data-browse-list] a',
  '.pc-crumbs a',
  '.pc-check-hit',
  'select',
  'input:not([type="hidden"]):not([type="checkbox"]):not([type="radio"]):not([type="file"])',
  'footer a',
].join(', ');
/** A file the upload limit (UPLOAD_MAX_BYTES below) refuses, so an upload fails in the browser. */
const LIMIT = 1024 * 1024;

describe('phones and tablets in Chromium', () => {
  let domain: DomainInfo;
  let app: WebApp;
  let browser: Browser;
  const base = `phone-${randomBytes(3).toString('hex')}`;
  const dir = `alice/${base}`;
  const folderUrl = (): string => `${app.url}/browse/home/${encodeURIComponent(base)}/`;

  beforeAll(async () => {
    domain = requireDomain();
    app = await startWebApp(domain, { env: { LOGIN_MAX_PER_IP: '1000', UPLOAD_MAX_BYTES: String(LIMIT) } });
    browser = await launchChromium();
    // Enough rows that the list scrolls under the bottom bar on a phone, and a subfolder for "Up".
    const alice = USERS.find((u) => u.username === 'alice')?.uidNumber ?? -1;
    const root = join(domain.homesDir, 'alice', base);
    mkdirSync(root);
    mkdirSync(join(root, 'Sub'));
    const made = ['', 'Sub'];
    for (let i = 1; i <= 24; i++) {
      const name = `note ${String(i).padStart(2, '0')}.txt`;
      writeFileSync(join(root, name), `note ${i}\n`);
      made.push(name);
    }
    writeFileSync(join(root, 'held.txt'), 'held\n');
    made.push('held.txt');
    for (const p of made) chownSync(join(root, p), alice, USERS_GID);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (domain) rmSync(join(domain.homesDir, 'alice', base), { recursive: true, force: true });
  });

  const row = (page: Page, n: string): Locator => page.locator(`[data-browse-list] [data-name="${n}"]`);
  const bottomBar = (page: Page): Locator => page.getByRole('toolbar', { name: 'Quick actions' });
  async function signedIn(options: BrowserContextOptions, path = ''): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${app.url}/login`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/home/`);
    if (path) await page.goto(`${app.url}${path}`);
    return { context, page, problems };
  }

  /** From now on, every text the page's live regions say (polite, or "alert: …"), in order. */
  async function recordAnnouncements(page: Page): Promise<() => Promise<string[]>> {
    await page.evaluate(() => {
      const said: string[] = [];
      (window as unknown as { pcSaid: string[] }).pcSaid = said;
      new MutationObserver((records) => {
        for (const r of records) {
          const node = r.target instanceof Element ? r.target : r.target.parentElement;
          const region = node?.closest('[data-announce], [data-announce-alert]');
          const text = region?.textContent?.trim();
          if (region && text) said.push(region.getAttribute('role') === 'alert' ? `alert: ${text}` : text);
        }
      }).observe(document.body, { childList: true, characterData: true, subtree: true });
    });
    return () => page.evaluate(() => (window as unknown as { pcSaid: string[] }).pcSaid.slice());
  }

  /** Visible tap targets smaller than 44×44 px (visually hidden ones, 1 px, are not targets), and how many were measured. */
  async function smallTargets(page: Page): Promise<{ small: string[]; measured: number }> {
    return page.evaluate((selector) => {
      const out: string[] = [];
      let measured = 0;
      for (const e of document.querySelectorAll<HTMLElement>(selector)) {
        if (!e.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
        const r = e.getBoundingClientRect();
        if (r.width <= 1 || r.height <= 1) continue;
        measured++;
        if (r.width < 44 || r.height < 44) {
          const label = (e.getAttribute('aria-label') ?? e.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
          out.push(`${e.tagName.toLowerCase()}.${e.className} "${label}": ${r.width.toFixed(1)}×${r.height.toFixed(1)}`);
        }
      }
      return { small: out, measured };
    }, TAP_TARGETS);
  }

  it('navigation is collapsed behind its toggler, and the breadcrumb\'s "Up" goes to the parent folder', async () => {
    const { context, page, problems } = await signedIn(PHONE, `/browse/home/${encodeURIComponent(base)}/Sub/`);
    const toggler = page.getByRole('button', { name: 'Toggle navigation' });
    expect(await toggler.isVisible()).toBe(true);
    expect(await page.locator('#main-nav').isVisible()).toBe(false);
    await toggler.tap();
    // Shown, and done moving (Bootstrap ignores the toggler while the menu slides).
    await page.locator('#main-nav.show').waitFor();
    expect(await page.getByRole('link', { name: 'Help' }).first().isVisible()).toBe(true);
    await toggler.tap();
    await expect.poll(() => page.locator('#main-nav').isVisible()).toBe(false);

    const up = page.locator('.pc-crumbs').getByRole('link', { name: 'Up', exact: true });
    expect(await up.isVisible()).toBe(true);
    await up.tap();
    await page.waitForURL(folderUrl());
    await row(page, 'Sub').waitFor();
    expect(problems).toEqual([]);
    await context.close();

    // On a desktop the full breadcrumb (and the toolbar's up button) do instead.
    const desk = await signedIn(DESKTOP, `/browse/home/${encodeURIComponent(base)}/Sub/`);
    expect(await desk.page.locator('.pc-crumbs').getByRole('link', { name: 'Up', exact: true }).isVisible()).toBe(false);
    expect(await desk.page.locator('#main-nav').isVisible()).toBe(true);
    await desk.context.close();
  }, 120_000);

  it('the bottom bar: shown on a phone and hidden on a desktop; Upload, New folder and Select do their work', async () => {
    const { context, page, problems } = await signedIn(PHONE, `/browse/home/${encodeURIComponent(base)}/`);
    const bar = bottomBar(page);
    expect(await bar.isVisible()).toBe(true);
    expect(await bar.getByRole('button').allTextContents()).toEqual(['Upload', 'New folder', 'Select']);
    // Fixed to the bottom of the screen, whatever the scroll.
    const box = await bar.boundingBox();
    expect(box && Math.round(box.y + box.height)).toBe(844);
    expect(box?.width).toBe(390);

    // It never covers the last rows: scrolled to the end, the last row ends above the bar.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    const clear = await page.evaluate(() => {
      const rows = document.querySelectorAll('[data-browse-list] [data-name]');
      const last = rows[rows.length - 1]?.getBoundingClientRect();
      const count = document.querySelector('.pc-count')?.getBoundingClientRect();
      const barTop = document.querySelector('[data-bottom-bar]')?.getBoundingClientRect().top ?? 0;
      return { last: last?.bottom ?? Infinity, count: count?.bottom ?? Infinity, barTop };
    });
    expect(clear.last).toBeLessThanOrEqual(clear.barTop);
    expect(clear.count).toBeLessThanOrEqual(clear.barTop);
    // The bar and the page's padding make room for a phone's home indicator (env(safe-area-inset-bottom)).
    const safe = await page.evaluate(() => {
      const rules: string[] = [];
      const walk = (list: CSSRuleList): void => {
        for (const r of Array.from(list)) {
          if (r instanceof CSSStyleRule && /pc-bottom-bar/.test(r.selectorText) && /safe-area-inset-bottom/.test(r.style.paddingBottom)) rules.push(r.selectorText);
          if (r instanceof CSSMediaRule) walk(r.cssRules);
        }
      };
      for (const sheet of Array.from(document.styleSheets)) if (sheet.href?.endsWith('/css/app.css')) walk(sheet.cssRules);
      return rules;
    });
    expect(safe).toEqual(['.pc-bottom-bar', 'html.pc-js body:has(.pc-bottom-bar)']);

    // Upload: the bar opens the uploader's own file picker; the file arrives whole.
    const upload = Buffer.concat([Buffer.from('from the phone\n'), randomBytes(200 << 10)]);
    const said = await recordAnnouncements(page);
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), bar.getByRole('button', { name: 'Upload', exact: true }).tap()]);
    expect(chooser.isMultiple()).toBe(true);
    await chooser.setFiles({ name: 'from phone.bin', mimeType: 'application/octet-stream', buffer: upload });
    await expect.poll(said, { timeout: 60_000 }).toContain('Upload finished: 1 file uploaded.');
    expect(sha256(await smbGet(domain, SHARES.users, `${dir}/from phone.bin`))).toBe(sha256(upload));

    // New folder: the same dialog as the toolbar's.
    await page.reload();
    await bottomBar(page).getByRole('button', { name: 'New folder', exact: true }).tap();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Made on phone');
    await dialog.getByRole('button', { name: 'Create' }).tap();
    await row(page, 'Made on phone').waitFor();
    expect((await smbList(domain, SHARES.users, dir)).find((e) => e.name === 'Made on phone')?.dir).toBe(true);

    // Select: selection mode, where a tap on a row ticks it (and opens nothing); Select again leaves it.
    const select = bottomBar(page).getByRole('button', { name: 'Select', exact: true });
    expect(await select.getAttribute('aria-pressed')).toBe('false');
    await select.tap();
    expect(await select.getAttribute('aria-pressed')).toBe('true');
    await row(page, 'held.txt').getByRole('link', { name: 'held.txt', exact: true }).tap();
    await row(page, 'note 01.txt').getByRole('link', { name: 'note 01.txt', exact: true }).tap();
    await expect.poll(() => page.locator('[data-sel-info]').textContent()).toMatch(/^2 items selected/);
    expect(await page.getByRole('checkbox', { name: 'Select held.txt' }).isChecked()).toBe(true);
    expect(await page.locator('#preview-modal').isVisible()).toBe(false);
    expect(page.url()).toBe(folderUrl());
    // A second tap unticks.
    await row(page, 'note 01.txt').getByRole('link', { name: 'note 01.txt', exact: true }).tap();
    await expect.poll(() => page.locator('[data-sel-info]').textContent()).toMatch(/^1 item selected/);
    await select.tap();
    expect(await select.getAttribute('aria-pressed')).toBe('false');
    await expect.poll(() => page.locator('[data-sel-info]').textContent()).toBe('Nothing selected');
    expect(problems).toEqual([]);
    await context.close();

    // A desktop has the toolbar instead: no bottom bar, and one "New folder" button.
    const desk = await signedIn(DESKTOP, `/browse/home/${encodeURIComponent(base)}/`);
    expect(await bottomBar(desk.page).isVisible()).toBe(false);
    expect(await desk.page.getByRole('button', { name: 'New folder', exact: true }).count()).toBe(1);
    await desk.context.close();
  }, 180_000);

  it('a long-press on a row opens its menu', async () => {
    const { context, page, problems } = await signedIn(PHONE, `/browse/home/${encodeURIComponent(base)}/`);
    const menu = page.getByRole('menu');
    expect(await menu.isVisible()).toBe(false);
    // A finger held down (raw touch events): the page's own long-press timer opens the menu, lifting it after.
    // The row mid-screen first, clear of the bottom bar (at once: Bootstrap makes the page's scrolling smooth).
    await row(page, 'held.txt').evaluate((r) => r.scrollIntoView({ block: 'center', behavior: 'instant' }));
    const target = await row(page, 'held.txt').boundingBox();
    if (!target) throw new Error('the row of held.txt has no box');
    const finger = { x: target.x + target.width / 2, y: target.y + target.height / 2 };
    // The finger lands on the row itself (nothing fixed, like the bottom bar, lies over it).
    expect(await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.closest<HTMLElement>('[data-name]')?.dataset.name, finger)).toBe('held.txt');
    const cdp = await context.newCDPSession(page);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [finger] });
    await expect.poll(() => menu.isVisible(), { timeout: 10_000 }).toBe(true);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    expect(await menu.getAttribute('aria-label')).toBe('Actions for held.txt');
    expect(await menu.isVisible()).toBe(true);
    expect(page.url()).toBe(folderUrl());
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('every visible tap target is at least 44×44 px, and no page scrolls sideways', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    const problems = watchProblems(page);
    const small: string[] = [];
    const wide: string[] = [];
    const measured: Record<string, number> = {};
    const check = async (label: string): Promise<void> => {
      const found = await smallTargets(page);
      measured[label] = found.measured;
      for (const s of found.small) small.push(`${label}: ${s}`);
      const overflow = await horizontalOverflow(page, label);
      if (overflow) wide.push(overflow);
    };
    await page.goto(`${app.url}/login`);
    await check('login');
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/home/`);
    const pages: [string, string][] = [
      ['folder list', `/browse/home/${encodeURIComponent(base)}/?view=list`],
      ['folder grid', `/browse/home/${encodeURIComponent(base)}/?view=grid`],
      ['shared list', '/browse/shared/?view=list'],
      ['shared grid', '/browse/shared/?view=grid'],
      ['search results', '/search/shared/?q=README'],
      ['settings', '/settings'],
      ['help', '/help'],
      ['servers', '/servers'],
    ];
    for (const [label, path] of pages) {
      await page.goto(`${app.url}${path}`);
      await check(label);
    }
    // The navigation opened, and a row's menu.
    await page.goto(`${app.url}/browse/home/${encodeURIComponent(base)}/?view=list`);
    await page.getByRole('button', { name: 'Toggle navigation' }).tap();
    await page.locator('#main-nav.show').waitFor();
    await check('navigation open');
    await page.getByRole('button', { name: 'Toggle navigation' }).tap();
    await page.locator('#main-nav:not(.show):not(.collapsing)').waitFor({ state: 'attached' });
    await row(page, 'held.txt').getByRole('button', { name: 'More actions for held.txt' }).tap();
    await page.getByRole('menu').waitFor();
    for (const s of await page.getByRole('menuitem').evaluateAll((items) => items.filter((i) => i.checkVisibility()).map((i) => {
      const r = i.getBoundingClientRect();
      return r.height < 44 ? `${i.textContent?.trim() ?? ''}: ${r.width.toFixed(1)}×${r.height.toFixed(1)}` : '';
    }))) if (s) small.push(`row menu: ${s}`);
    expect(small).toEqual([]);
    expect(wide).toEqual([]);
    // Not an empty check: the sign-in page has its toggler, brand, fields and button; a folder its rows.
    expect(measured.login).toBeGreaterThanOrEqual(4);
    expect(measured['folder list']).toBeGreaterThanOrEqual(50);
    expect(measured['navigation open']).toBeGreaterThan(measured['folder list'] ?? 0);
    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);

  it('the image and PDF previews fit the screen, and the page can be pinch-zoomed', async () => {
    const { context, page, problems } = await signedIn(PHONE, '/browse/shared/?view=list');
    // The viewport meta lets the user zoom.
    const viewport = (await page.locator('meta[name="viewport"]').getAttribute('content')) ?? '';
    expect(viewport).toContain('width=device-width');
    expect(viewport).not.toMatch(/user-scalable\s*=\s*(no|0)|maximum-scale\s*=\s*1(\.0*)?\b/);

    await row(page, 'Campus photo.jpg').getByRole('link', { name: 'Campus photo.jpg', exact: true }).tap();
    const img = page.locator('#preview-body img.pc-preview-img');
    await img.waitFor();
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth), { timeout: 30_000 }).toBeGreaterThan(0);
    const fit = await img.evaluate((i) => {
      const r = i.getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: window.innerWidth, height: window.innerHeight };
    });
    expect(fit.left).toBeGreaterThanOrEqual(0);
    expect(fit.top).toBeGreaterThanOrEqual(0);
    expect(fit.right).toBeLessThanOrEqual(fit.width);
    expect(fit.bottom).toBeLessThanOrEqual(fit.height);
    // No element from the image up to the root forbids the pinch (touch-action: none, or a list without it).
    const blocks = async (locator: Locator): Promise<string[]> => locator.evaluate((start) => {
      const out: string[] = [];
      for (let e: Element | null = start; e; e = e.parentElement) {
        const t = getComputedStyle(e).touchAction;
        if (!(t === 'auto' || t === 'manipulation' || t.includes('pinch-zoom'))) out.push(`${e.tagName.toLowerCase()}.${e.className}: ${t}`);
      }
      return out;
    });
    expect(await blocks(img)).toEqual([]);
    // And a pinch on the image zooms the page in. Headless Chromium synthesises no touch-sourced pinch (the
    // visual viewport stays at 1 even on a blank page), so the pinch comes as the compositor's other kind; it obeys
    // the viewport meta's limits as a finger's does (with user-scalable=no or maximum-scale=1 it stays at 1), and
    // touch-action, which only fingers consult, is checked above.
    const box = await img.boundingBox();
    if (!box) throw new Error('the preview image has no box');
    const cdp = await context.newCDPSession(page);
    await cdp.send('Input.synthesizePinchGesture', { x: box.x + box.width / 2, y: box.y + box.height / 2, scaleFactor: 2, gestureSourceType: 'mouse' });
    await expect.poll(() => page.evaluate(() => window.visualViewport?.scale ?? 1), { timeout: 10_000 }).toBeGreaterThan(1.2);
    await context.close();

    // The PDF: its frame fits the screen too, and nothing above it forbids the pinch.
    const pdf = await signedIn(PHONE, '/browse/shared/?view=list');
    await row(pdf.page, 'Report.pdf').getByRole('link', { name: 'Report.pdf', exact: true }).tap();
    const frame = pdf.page.locator('#preview-body iframe.pc-preview-frame');
    await frame.waitFor();
    const framed = await frame.evaluate((f) => {
      const r = f.getBoundingClientRect();
      return { left: r.left, right: r.right, bottom: r.bottom, width: window.innerWidth, height: window.innerHeight };
    });
    expect(framed.left).toBeGreaterThanOrEqual(0);
    expect(framed.right).toBeLessThanOrEqual(framed.width);
    expect(framed.bottom).toBeLessThanOrEqual(framed.height);
    expect(await blocks(frame)).toEqual([]);
    expect([...problems, ...pdf.problems]).toEqual([]);
    await pdf.context.close();
  }, 120_000);

  it('"Take photo" (touch screens) has accept="image/*" capture="environment" and feeds the uploader', async () => {
    const { context, page, problems } = await signedIn(PHONE, `/browse/home/${encodeURIComponent(base)}/`);
    const camera = page.locator('#pc-upload-camera');
    expect(await camera.getAttribute('accept')).toBe('image/*');
    expect(await camera.getAttribute('capture')).toBe('environment');
    // The ordinary picker stays, for the phone's files and gallery.
    expect(await page.locator('#pc-upload-input').getAttribute('multiple')).not.toBeNull();
    const take = page.getByRole('button', { name: 'Take photo' });
    expect(await take.isVisible()).toBe(true);
    const photo = readFileSync(new URL('../fixtures/files/sample-image.png', import.meta.url));
    const said = await recordAnnouncements(page);
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), take.tap()]);
    expect(await chooser.element().getAttribute('id')).toBe('pc-upload-camera');
    await chooser.setFiles({ name: 'photo from camera.png', mimeType: 'image/png', buffer: photo });
    await expect.poll(said, { timeout: 60_000 }).toContain('Upload finished: 1 file uploaded.');
    expect(sha256(await smbGet(domain, SHARES.users, `${dir}/photo from camera.png`))).toBe(sha256(photo));
    expect(problems).toEqual([]);
    await context.close();

    // A desktop without touch does not offer it.
    const desk = await signedIn(DESKTOP, `/browse/home/${encodeURIComponent(base)}/`);
    expect(await desk.page.getByRole('button', { name: 'Take photo' }).isVisible()).toBe(false);
    await desk.context.close();
  }, 120_000);
});

describe('live regions in Chromium', () => {
  let domain: DomainInfo;
  let app: WebApp;
  let browser: Browser;
  const base = `live-say-${randomBytes(3).toString('hex')}`;
  const dir = `alice/${base}`;

  beforeAll(async () => {
    domain = requireDomain();
    app = await startWebApp(domain, { env: { LOGIN_MAX_PER_IP: '1000', UPLOAD_MAX_BYTES: String(LIMIT) } });
    browser = await launchChromium();
    const alice = USERS.find((u) => u.username === 'alice')?.uidNumber ?? -1;
    const root = join(domain.homesDir, 'alice', base);
    mkdirSync(root);
    writeFileSync(join(root, 'old name.txt'), 'rename me\n');
    for (const p of ['', 'old name.txt']) chownSync(join(root, p), alice, USERS_GID);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (domain) rmSync(join(domain.homesDir, 'alice', base), { recursive: true, force: true });
  });

  it('says an upload\'s start and end, an operation\'s result, and a failed upload as an alert', async () => {
    const context = await browser.newContext(DESKTOP);
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${app.url}/login`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/home/`);
    await page.goto(`${app.url}/browse/home/${encodeURIComponent(base)}/`);
    const polite = page.locator('[data-announce]');
    expect(await polite.getAttribute('role')).toBe('status');
    expect(await polite.getAttribute('aria-live')).toBe('polite');
    // The upload panel is no live region of its own: its figures change four times a second.
    expect(await page.locator('.pc-upload-panel').getAttribute('aria-live')).toBeNull();

    await page.evaluate(() => {
      const said: string[] = [];
      (window as unknown as { pcSaid: string[] }).pcSaid = said;
      new MutationObserver((records) => {
        for (const r of records) {
          const node = r.target instanceof Element ? r.target : r.target.parentElement;
          const region = node?.closest('[data-announce], [data-announce-alert]');
          const text = region?.textContent?.trim();
          if (region && text) said.push(region.getAttribute('role') === 'alert' ? `alert: ${text}` : text);
        }
      }).observe(document.body, { childList: true, characterData: true, subtree: true });
    });
    const said = (): Promise<string[]> => page.evaluate(() => (window as unknown as { pcSaid: string[] }).pcSaid.slice());

    // An upload: said when it starts and when it ends, and no more often than every 25 %.
    const body = randomBytes(512 << 10);
    await page.locator('#pc-upload-input').setInputFiles({ name: 'said.bin', mimeType: 'application/octet-stream', buffer: body });
    await expect.poll(said, { timeout: 60_000 }).toContain('Upload finished: 1 file uploaded.');
    const upload = (await said()).filter((s) => s.startsWith('Upload'));
    expect(upload[0]).toBe('Uploading 1 file.');
    expect(upload.at(-1)).toBe('Upload finished: 1 file uploaded.');
    for (const s of upload.slice(1, -1)) expect(s).toMatch(/^Uploading: (25|50|75)%\.$/);
    expect(upload.length).toBeLessThanOrEqual(5);
    expect(sha256(await smbGet(domain, SHARES.users, `${dir}/said.bin`))).toBe(sha256(body));

    // An operation's result: a rename from the row's menu.
    await page.reload();
    await page.evaluate(() => {
      const said: string[] = [];
      (window as unknown as { pcSaid: string[] }).pcSaid = said;
      new MutationObserver(() => {
        const text = document.querySelector('[data-announce]')?.textContent?.trim();
        if (text) said.push(text);
        const alert = document.querySelector('[data-announce-alert]')?.textContent?.trim();
        if (alert) said.push(`alert: ${alert}`);
      }).observe(document.body, { childList: true, characterData: true, subtree: true });
    });
    await page.locator('[data-browse-list] [data-name="old name.txt"] a').first().click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Rename' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('new name.txt');
    await dialog.getByRole('button', { name: 'Rename' }).click();
    try {
      await expect.poll(said, { timeout: 30_000 }).toContain('Renamed “old name.txt” to “new name.txt”.');
    } catch {
      // What was said instead, and what the listing shows, say more than "not found" would.
      const listed = await page.locator('[data-browse-list] [data-name]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')));
      throw new Error(`the rename was not announced; the live region said ${JSON.stringify(await said())}; the listing shows ${JSON.stringify(listed)}`);
    }
    expect(await names(domain, dir)).toContain('new name.txt');

    // A failure is an alert: a file over the upload limit.
    await page.locator('#pc-upload-input').setInputFiles({ name: 'too big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(LIMIT + 1) });
    await expect.poll(said, { timeout: 60_000 }).toContain('alert: Could not upload “too big.bin”: Larger than the limit of 1.0 MB.');
    await expect.poll(said, { timeout: 60_000 }).toContain('Upload finished: 0 files uploaded, 1 failed.');
    expect(await page.getByRole('alert').count()).toBe(1);
    expect(await names(domain, dir)).not.toContain('too big.bin');
    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);
});

async function names(domain: DomainInfo, d: string): Promise<string[]> {
  return (await smbList(domain, SHARES.users, d)).map((e) => e.name);
}
