// Issue 13 in real Chromium: bookmarks survive signing out and in, reorder with the arrow buttons (and show in the
// navbar menu in that order), also by dragging; settings saved on /settings (grid view, files open their own page,
// uploads replace) are what another browser context of the same user gets.
import { chownSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import { requireDomain } from '../fixtures/require-domain.js';
import { USERS, USERS_GID } from '../fixtures/domain-data.js';
import { startBrowseApp } from '../helpers/browse.js';
import { launchChromium, signInWithForm, watchProblems } from '../helpers/browser.js';
import type { WebApp } from '../helpers/web-app.js';

const REPLACED = `Replace me ${process.pid}.txt`;

describe('bookmarks and settings in Chromium', () => {
  let app: WebApp;
  let browser: Browser;
  let replacedPath: string;

  beforeAll(async () => {
    const domain = requireDomain();
    // An existing file of alice's, for the upload conflict setting.
    replacedPath = join(domain.homesDir, 'alice', REPLACED);
    writeFileSync(replacedPath, 'old contents');
    chownSync(replacedPath, USERS.find((u) => u.username === 'alice')?.uidNumber ?? 0, USERS_GID);
    app = await startBrowseApp(domain);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (replacedPath) rmSync(replacedPath, { force: true });
  });

  async function signedInPage(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${app.url}/login`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/home/`);
    return page;
  }

  /** The navbar's Bookmarks menu, opened, as its items' names. */
  async function menuNames(page: Page): Promise<string[]> {
    await page.getByRole('button', { name: 'Bookmarks', exact: true }).click();
    const items = page.locator('.pc-bookmarks-menu .pc-bookmark-item');
    await items.first().waitFor({ state: 'visible' });
    return (await items.allTextContents()).map((t) => t.trim());
  }

  it('bookmarks survive sign-out and sign-in, and reorder with the move buttons and by dragging', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    let page = await signedInPage(context);
    const problems = watchProblems(page);

    for (const folder of ['/browse/home/Documents/', '/browse/shared/Projects/']) {
      await page.goto(app.url + folder);
      await page.getByRole('button', { name: 'Bookmark this folder' }).click();
      await page.getByRole('link', { name: 'Bookmarked' }).waitFor();
      expect(page.url()).toBe(app.url + folder);
    }
    expect(await menuNames(page)).toEqual(['Documents', 'Projects']);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login\?signed-out=1$/);
    await context.close();

    const later = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await signedInPage(later);
    problems.push(...watchProblems(page));
    expect(await menuNames(page)).toEqual(['Documents', 'Projects']);
    await page.locator('.pc-bookmarks-menu').getByRole('link', { name: 'Documents' }).click();
    await page.waitForURL(`${app.url}/browse/home/Documents/`);

    await page.goto(`${app.url}/bookmarks`);
    await page.getByRole('button', { name: 'Move Projects up' }).click();
    await page.waitForURL(/\/bookmarks\?moved=/);
    const rows = page.locator('.pc-bookmark .pc-bookmark-link');
    expect((await rows.allTextContents()).map((t) => t.trim())).toEqual(['Projects', 'Documents']);
    // The keyboard user stays on the moved bookmark (its "up" arrow is now disabled, so the "down" one).
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Move Projects down');
    expect(await menuNames(page)).toEqual(['Projects', 'Documents']);
    await page.keyboard.press('Escape');

    // And down again with the keyboard.
    await page.getByRole('button', { name: 'Move Projects down' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/dir=down/);
    expect((await rows.allTextContents()).map((t) => t.trim())).toEqual(['Documents', 'Projects']);

    // Dragging a row by its handle reorders too (the page reloads with the stored order).
    const reloaded = page.waitForEvent('load');
    await page.locator('.pc-bookmark', { hasText: 'Projects' }).locator('.pc-drag-handle').dragTo(page.locator('.pc-bookmark', { hasText: 'Documents' }), { targetPosition: { x: 20, y: 2 } });
    await reloaded;
    await expect.poll(async () => (await rows.allTextContents()).map((t) => t.trim())).toEqual(['Projects', 'Documents']);
    expect(problems).toEqual([]);
    await later.close();
  });

  it('settings change the default view, how a file opens and upload conflicts, in every browser context of the user', async () => {
    const one = await browser.newContext();
    const page = await signedInPage(one);
    const problems = watchProblems(page);
    expect(await page.locator('table.pc-list').count()).toBe(1);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL(`${app.url}/settings`);
    await page.getByLabel('Grid').check();
    await page.getByLabel('Open its own page').check();
    await page.getByLabel('Replace it').check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.waitForURL(`${app.url}/settings?saved=1`);
    expect(await page.getByRole('status').textContent()).toContain('Settings saved.');

    const two = await browser.newContext();
    const other = await signedInPage(two);
    problems.push(...watchProblems(other));
    expect(await other.locator('ul.pc-grid').count()).toBe(1);
    expect(await other.locator('table.pc-list').count()).toBe(0);
    // A click on a file opens its own page rather than the preview dialog.
    await other.goto(`${app.url}/browse/shared/`);
    await other.locator('ul.pc-grid').getByRole('link', { name: 'README.txt', exact: true }).click();
    await other.waitForURL(`${app.url}/browse/shared/README.txt`);
    expect(await other.locator('pre.pc-preview-text').textContent()).toContain('Shared drive for staff');

    // The uploader replaces an existing file without asking.
    await other.goto(`${app.url}/browse/home/`);
    await other.locator('#pc-upload-input').setInputFiles({ name: REPLACED, mimeType: 'text/plain', buffer: Buffer.from('new contents') });
    const summary = other.locator('.pc-upload-summary');
    await summary.waitFor({ state: 'visible', timeout: 60_000 });
    expect(await summary.textContent()).toContain('Uploaded (1)');
    expect(readFileSync(replacedPath, 'utf8')).toBe('new contents');
    expect(problems).toEqual([]);
    await one.close();
    await two.close();
  });
});
