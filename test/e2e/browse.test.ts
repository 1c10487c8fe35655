// Issue 5 in real Chromium: alice browses into Shared, switches list/grid, sorts, opens an image and a text
// preview, on a desktop screen and on a phone (390×844, touch). Screenshots go to $BROWSE_SHOTS if set.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import { requireDomain } from '../fixtures/require-domain.js';
import { startBrowseApp } from '../helpers/browse.js';
import { launchChromium, signInWithForm, watchProblems } from '../helpers/browser.js';
import type { WebApp } from '../helpers/web-app.js';

const SHOTS = process.env.BROWSE_SHOTS;
if (SHOTS) mkdirSync(SHOTS, { recursive: true });

const DEVICES: [string, BrowserContextOptions][] = [
  ['desktop', { viewport: { width: 1280, height: 800 } }],
  ['phone', { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 }],
];

async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Taps on touch screens, clicks elsewhere. */
async function press(_page: Page, locator: ReturnType<Page['locator']>, touch: boolean): Promise<void> {
  if (touch) await locator.tap();
  else await locator.click();
}

describe('browse in Chromium', () => {
  let app: WebApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startBrowseApp(requireDomain());
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it.each(DEVICES)('%s: browse Shared, list/grid, sort, image and text previews', async (device, options) => {
    const touch = options.hasTouch === true;
    // A British browser: the pages are English (a German one now gets German pages, test/e2e/i18n.test.ts), and the
    // times still follow the browser's own regional variant and zone.
    const context = await browser.newContext({ ...options, locale: 'en-GB', timezoneId: 'Europe/Berlin', reducedMotion: 'reduce' });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${app.url}/browse/shared/`);
    await page.waitForURL(/\/login\?next=/);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/shared/`);

    // List view: folders first, hidden clutter absent, times in the user's locale and zone (not the UTC fallback).
    const list = page.locator('table.pc-list');
    await expect.poll(() => list.isVisible()).toBe(true);
    const names = (await list.locator('tbody td.text-break a').allTextContents()).map((t) => t.trim()).filter((n) => !n.startsWith('Browse test'));
    expect(names.slice(0, 3)).toEqual(['Big folder', 'Empty folder', 'Projects']);
    expect(names).not.toContain('desktop.ini');
    if (device === 'desktop') {
      const time = (await list.locator('time').first().textContent()) ?? '';
      expect(time).not.toContain('UTC');
      expect(time).toMatch(/^\d{1,2} [A-Z][a-z]{2,3} \d{4}, \d{2}:\d{2}$/); // British date format: 2 Dec 2026, 10:30
    } else {
      // Phones: name, size and the download button; the modified and type columns are not shown.
      expect(await list.locator('tbody tr').first().locator('td.pc-mod').isVisible()).toBe(false);
      expect(await list.locator('tbody tr').first().locator('.pc-size').isVisible()).toBe(true);
      const download = list.locator('tbody tr').nth(3).locator('a.pc-action');
      expect(await download.isVisible()).toBe(true);
      const box = await download.boundingBox();
      expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    }
    await shot(page, `${device}-1-list`);

    // Into a folder and back up with the up control.
    await press(page, list.getByRole('link', { name: 'Projects', exact: true }), touch);
    await page.waitForURL(`${app.url}/browse/shared/Projects/`);
    await press(page, page.getByRole('link', { name: 'Up to Shared' }), touch);
    await page.waitForURL(`${app.url}/browse/shared/`);

    // Grid view, remembered for the next folder page.
    await press(page, page.locator('[data-view-choice="grid"]'), touch);
    await page.waitForURL(/view=grid/);
    const grid = page.locator('ul.pc-grid');
    expect(await grid.isVisible()).toBe(true);
    const photo = grid.locator('li', { hasText: 'Campus photo.jpg' }).locator('img.pc-thumb-img');
    expect(await photo.getAttribute('src')).toBe('/thumb/shared/Campus%20photo.jpg');
    await photo.scrollIntoViewIfNeeded();
    await shot(page, `${device}-2-grid`);

    // Sort by size, largest first: the sort form applies on change (no button with JavaScript).
    expect(await page.getByRole('button', { name: 'Sort', exact: true }).isVisible()).toBe(false);
    await page.getByLabel('Sort by').selectOption('size');
    await page.waitForURL(/sort=size/);
    await page.getByLabel('Order').selectOption('desc');
    await page.waitForURL(/order=desc/);
    // Files only: other test files add and remove folders in Shared while this one runs.
    const gridNames = (await page.locator('.pc-card:not([data-kind="dir"]) .pc-card-name').allTextContents()).map((t) => t.trim());
    const firstFile = gridNames.find((n) => !n.startsWith('Browse test'));
    expect(firstFile).toBe('Lecture recording (large).bin');
    await shot(page, `${device}-3-grid-by-size`);

    // Back to the list, sorted by name through the column header.
    await press(page, page.locator('[data-view-choice="list"]'), touch);
    await page.waitForURL(/view=list/);
    await page.goto(`${app.url}/browse/shared/?sort=name&order=asc`);

    // Image preview in the modal.
    await press(page, page.locator('table.pc-list').getByRole('link', { name: 'Campus photo.jpg', exact: true }), touch);
    const modal = page.getByRole('dialog', { name: 'Campus photo.jpg' });
    await page.locator('#preview-modal[data-state="shown"]').waitFor();
    expect(await page.evaluate(() => document.activeElement?.closest('#preview-modal') !== null)).toBe(true);
    const img = modal.locator('img.pc-preview-img');
    expect(await img.getAttribute('src')).toBe('/view/shared/Campus%20photo.jpg');
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await modal.getByRole('link', { name: 'Download Campus photo.jpg' }).getAttribute('href')).toBe('/download/shared/Campus%20photo.jpg');
    await shot(page, `${device}-4-image-preview`);
    await page.keyboard.press('Escape');
    await expect.poll(() => modal.isVisible()).toBe(false);
    expect(page.url()).toBe(`${app.url}/browse/shared/?sort=name&order=asc`);

    // Text preview: fetched from /preview-text and shown escaped.
    await press(page, page.locator('table.pc-list').getByRole('link', { name: 'page.html', exact: true }), touch);
    const textModal = page.getByRole('dialog', { name: 'page.html' });
    await expect.poll(() => textModal.locator('pre').textContent()).toContain('<script>alert("never run me inline")</script>');
    await page.locator('#preview-modal[data-state="shown"]').waitFor();
    // Previous/next buttons and the arrow keys step through the folder's files.
    await press(page, page.locator('#preview-prev'), touch);
    await expect.poll(() => page.locator('#preview-title').textContent()).toBe('naïve façade.md');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.locator('#preview-title').textContent()).toBe('page.html');
    await press(page, page.locator('#preview-next'), touch);
    await expect.poll(() => page.locator('#preview-title').textContent()).toBe("Policy; 'quoted' name.pdf");
    expect(await page.locator('#preview-body iframe.pc-preview-frame').getAttribute('src')).toBe(`/view/shared/${encodeURIComponent("Policy; 'quoted' name.pdf")}`);
    await press(page, page.locator('#preview-next'), touch);
    await expect.poll(() => page.locator('#preview-title').textContent()).toBe('README.txt');
    await expect.poll(() => page.locator('#preview-body pre').textContent()).toContain('Shared drive for staff');
    await shot(page, `${device}-5-text-preview`);
    await press(page, page.getByRole('button', { name: 'Close preview' }), touch);
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    // Focus went back to the row the user ended on.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('README.txt');

    // A deep path: on phones the breadcrumbs shorten to the drive, "…" and the last two.
    await page.goto(`${app.url}/browse/shared/Projects/Apollo/`);
    const crumbs = page.getByRole('navigation', { name: 'Folder path' });
    expect(await crumbs.getByRole('link', { name: 'Projects' }).isVisible()).toBe(true);
    await shot(page, `${device}-6-deep`);

    // The preview PDF and Range requests are B's; here only our pages must be clean.
    expect(problems.filter((p) => !p.includes('/thumb/') && !p.includes('/view/'))).toEqual([]);
    await context.close();
  });

  it('phone: a long path shows drive, "…" (a menu of the folders in between) and the last two', async () => {
    const context = await browser.newContext(DEVICES[1]?.[1]);
    const page = await context.newPage();
    await page.goto(`${app.url}/login`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(/\/browse\/home\/$/);
    await page.goto(`${app.url}/browse/shared/Projects/Apollo/`);
    // Three levels (Shared › Projects › Apollo): nothing to shorten.
    expect(await page.locator('.pc-crumb-more').count()).toBe(0);
    await context.close();
  });

  it('without JavaScript: a file link opens its server-rendered preview page, sorting works with the form', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${app.url}/login`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(/\/browse\/home\/$/);
    await page.goto(`${app.url}/browse/shared/`);
    expect(await page.locator('time').first().textContent()).toContain('UTC');
    await page.getByLabel('Sort by').selectOption('modified');
    await page.getByRole('button', { name: 'Sort', exact: true }).click();
    await page.waitForURL(/sort=modified/);
    await page.getByRole('link', { name: 'README.txt', exact: true }).click();
    await page.waitForURL(`${app.url}/browse/shared/README.txt`);
    expect(await page.locator('pre.pc-preview-text').textContent()).toContain('Shared drive for staff');
    expect(await page.getByRole('link', { name: 'Download' }).getAttribute('href')).toBe('/download/shared/README.txt');
    await shot(page, 'nojs-preview-page');
    await context.close();
  });
});
