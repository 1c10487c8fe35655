// The README's screenshots (issue 14, "Screens in the README"), taken in real Chromium against the app and the
// Samba AD DC: the login page, the desktop list, the grid with thumbnails, the phone view, a dark theme and an
// upload in progress. Each shot first asserts that the page rendered what it shows.
//
// `npm run screenshots` sets SCREENSHOTS=1 and the PNGs are written to docs/screenshots/. In the normal suite the
// same pages are rendered, shot and encoded, and each must fit the size budget, but nothing is written: a test
// run never rewrites committed files (their bytes would differ in every run through dates and speeds).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, BrowserContextOptions, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainInfo } from '../fixtures/domain.js';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import { requireDomain } from '../fixtures/require-domain.js';
import { startBrowseApp } from '../helpers/browse.js';
import { launchChromium, signInWithForm, watchProblems } from '../helpers/browser.js';
import { encodeScreenshot, SCREENSHOT_MAX_BYTES } from '../helpers/screenshots.js';
import type { WebApp } from '../helpers/web-app.js';

const WRITE = process.env.SCREENSHOTS === '1';
const OUT_DIR = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce', locale: 'en-GB', timezoneId: 'Europe/London' };
const PHONE: BrowserContextOptions = { ...DESKTOP, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

/** Shoots the viewport, encodes it small, checks the budget, and writes it only under `npm run screenshots`. */
async function shoot(page: Page, name: string): Promise<void> {
  // No caret blinking or half-finished transition in a committed image.
  const png = await encodeScreenshot(await page.screenshot({ animations: 'disabled', caret: 'hide' }));
  expect(png.length, `${name}.png is ${png.length} bytes`).toBeLessThanOrEqual(SCREENSHOT_MAX_BYTES);
  if (WRITE) {
    mkdirSync(OUT_DIR, { recursive: true });
    writeFileSync(join(OUT_DIR, `${name}.png`), png);
  }
}

/** Every thumbnail inside the viewport has loaded a real image (the others are lazy and not in the picture). */
async function thumbnailsLoaded(page: Page): Promise<number> {
  await expect
    .poll(() =>
      page.locator('img.pc-thumb-img').evaluateAll((imgs: HTMLImageElement[]) =>
        imgs.filter((i) => i.getBoundingClientRect().top < window.innerHeight).every((i) => i.complete && i.naturalWidth > 0),
      ),
      { timeout: 30_000 },
    )
    .toBe(true);
  return page.locator('img.pc-thumb-img').evaluateAll((imgs: HTMLImageElement[]) => imgs.filter((i) => i.getBoundingClientRect().top < window.innerHeight && i.naturalWidth > 0).length);
}

async function signIn(context: BrowserContext, app: WebApp): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${app.url}/login`);
  await signInWithForm(page, 'alice', DEMO_PASSWORD);
  await page.waitForURL(`${app.url}/browse/home/`);
  return page;
}

describe('README screenshots in Chromium', () => {
  let domain: DomainInfo;
  let app: WebApp;
  let dark: WebApp;
  let browser: Browser;
  let desktop: BrowserContext;
  let page: Page;
  let problems: string[];
  let work: string;
  // Names as a user would pick them (they are in the picture); removed before and after, so a rerun after an
  // interrupted one meets no conflict.
  const uploads = ['Lecture recording.mp4', 'Reading list.txt', 'Lab results.csv'];
  const removeUploads = (): void => {
    for (const n of uploads) if (domain) rmSync(join(domain.homesDir, 'alice', n), { force: true });
  };

  beforeAll(async () => {
    domain = requireDomain();
    removeUploads();
    app = await startBrowseApp(domain);
    dark = await startBrowseApp(domain, { env: { THEME: 'darkly' } });
    browser = await launchChromium();
    desktop = await browser.newContext(DESKTOP);
    page = await signIn(desktop, app);
    problems = watchProblems(page);
    work = mkdtempSync(join(tmpdir(), 'portcullis-e2e-screens-'));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await dark?.close();
    if (work) rmSync(work, { recursive: true, force: true });
    removeUploads();
  });

  it('login page', async () => {
    const context = await browser.newContext(DESKTOP);
    const login = await context.newPage();
    await login.goto(`${app.url}/login`);
    await login.getByRole('button', { name: 'Sign in' }).waitFor();
    // The rotated background has arrived, so the shot is not of a half-painted page.
    await expect.poll(() => login.evaluate(() => getComputedStyle(document.body).backgroundImage), { timeout: 30_000 }).toMatch(/^url\(/);
    await login.waitForLoadState('networkidle');
    expect(await login.locator('.login-card img.login-logo').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await shoot(login, 'login');
    await context.close();
  });

  it('desktop list of the Shared drive', async () => {
    await page.goto(`${app.url}/browse/shared/?view=list`);
    const list = page.locator('table.pc-list');
    await list.waitFor();
    await expect.poll(() => list.getByRole('link', { name: 'Campus photo.jpg', exact: true }).isVisible(), { timeout: 30_000 }).toBe(true);
    await shoot(page, 'desktop-list');
  });

  it('grid with thumbnails', async () => {
    await page.goto(`${app.url}/browse/shared/?view=grid`);
    await page.locator('ul.pc-grid').waitFor();
    expect(await page.locator('li', { hasText: 'Campus photo.jpg' }).locator('img.pc-thumb-img').getAttribute('src')).toBe('/thumb/shared/Campus%20photo.jpg');
    expect(await thumbnailsLoaded(page)).toBeGreaterThanOrEqual(2);
    await shoot(page, 'grid-thumbnails');
    // Back to the list, so the stored view choice does not leak into the next shots.
    await page.goto(`${app.url}/browse/shared/?view=list`);
  });

  it('upload in progress', async () => {
    const big = join(work, uploads[0] ?? '');
    // 24 MiB: above the resumable threshold (16 MiB), so it goes in three 8 MiB chunks and can be held mid-way.
    writeFileSync(big, randomBytes(24 << 20));
    writeFileSync(join(work, uploads[1] ?? ''), 'Week 1: Dijkstra, "Go To Statement Considered Harmful"\n');
    writeFileSync(join(work, uploads[2] ?? ''), 'sample,ph\n1,7.1\n2,6.9\n');
    await page.goto(`${app.url}/browse/home/`);
    await page.getByRole('button', { name: 'Upload files' }).waitFor();

    // The second chunk is held until the shot is taken: the bar stands still at a third, deterministically.
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let held = false;
    const chunkUrl = (url: URL): boolean => url.pathname.startsWith('/uploads/') && url.searchParams.has('offset');
    const hold = async (route: Route): Promise<void> => {
      if (route.request().method() === 'PUT' && new URL(route.request().url()).searchParams.get('offset') === String(8 << 20)) {
        held = true;
        await released;
      }
      await route.continue();
    };
    await page.route(chunkUrl, hold);
    await page.locator('#pc-upload-input').setInputFiles(uploads.map((n) => join(work, n)));
    const total = page.getByRole('progressbar', { name: 'Total upload progress' });
    await total.waitFor({ state: 'visible' });
    await expect.poll(() => held, { timeout: 60_000 }).toBe(true);
    // The two small files are done; the big one waits at its second chunk.
    await expect.poll(async () => Number(await total.getAttribute('aria-valuenow')), { timeout: 60_000 }).toBeGreaterThan(0);
    expect(Number(await total.getAttribute('aria-valuenow'))).toBeLessThan(100);
    expect(await page.locator('.pc-upload-item').count()).toBe(3);
    await shoot(page, 'upload-progress');

    release();
    await page.locator('.pc-upload-summary').waitFor({ state: 'visible', timeout: 120_000 });
    expect(await page.locator('.pc-upload-summary').textContent()).toContain('Uploaded (3)');
    await page.unroute(chunkUrl, hold);
    expect(problems).toEqual([]);
  }, 180_000);

  it('phone view (390×844, touch)', async () => {
    const context = await browser.newContext(PHONE);
    const phone = await signIn(context, app);
    await phone.goto(`${app.url}/browse/shared/?view=list`);
    await phone.locator('table.pc-list').waitFor();
    // The phone layout: no horizontal scrolling, and the navigation collapsed behind its toggler.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await phone.locator('.navbar-toggler').isVisible()).toBe(true);
    await shoot(phone, 'phone');
    await context.close();
  });

  it('dark theme (THEME=darkly), grid with thumbnails', async () => {
    const context = await browser.newContext(DESKTOP);
    const darkPage = await signIn(context, dark);
    await darkPage.goto(`${dark.url}/browse/shared/?view=grid`);
    await darkPage.locator('ul.pc-grid').waitFor();
    expect(await thumbnailsLoaded(darkPage)).toBeGreaterThanOrEqual(2);
    // Darkly paints a dark page: the body's background is dark, not Bootstrap's white.
    const bg = await darkPage.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r = 255, g = 255, b = 255] = (bg.match(/\d+/g) ?? []).map(Number);
    expect(r + g + b).toBeLessThan(3 * 80);
    await shoot(darkPage, 'dark-theme');
    await context.close();
  });
});
