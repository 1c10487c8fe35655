// Three ways into the file operations that file-ops.test.ts does not drive, in real Chromium against the real
// app: holding a row on a phone (390×844, touch) opens its menu, whose "Rename" renames the file; on a laptop a
// selected file dragged onto the parent folder's breadcrumb moves up there; and F2 renames the selected row.
// Every result is checked on the file server with smbclient.
import { randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainInfo } from '../fixtures/domain.js';
import { SHARES, USERS, USERS_GID } from '../fixtures/domain-data.js';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import { requireDomain } from '../fixtures/require-domain.js';
import { launchChromium, signInWithForm, watchProblems } from '../helpers/browser.js';
import { smbGet, smbList } from '../helpers/smbclient.js';
import { startWebApp, type WebApp } from '../helpers/web-app.js';

const LAPTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 } };
const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };

describe('file operations by gesture and key in Chromium', () => {
  let domain: DomainInfo;
  let app: WebApp;
  let browser: Browser;
  const base = `ops-gestures-${randomBytes(3).toString('hex')}`;
  const dir = `alice/${base}`;
  const held = Buffer.from(`held ${base}\n`);
  const dragged = Buffer.from(`dragged ${base}\n`);
  const keyed = Buffer.from(`keyed ${base}\n`);

  beforeAll(async () => {
    domain = requireDomain();
    app = await startWebApp(domain, { env: { LOGIN_MAX_PER_IP: '1000' } });
    browser = await launchChromium();
    // The folder the tests work in, made on the server's disk as alice's own.
    const alice = USERS.find((u) => u.username === 'alice')?.uidNumber ?? -1;
    const root = join(domain.homesDir, 'alice', base);
    mkdirSync(root);
    mkdirSync(join(root, 'Sub'));
    writeFileSync(join(root, 'held.txt'), held);
    writeFileSync(join(root, 'keyed.txt'), keyed);
    writeFileSync(join(root, 'Sub', 'dragged.txt'), dragged);
    writeFileSync(join(root, 'Sub', 'stays.txt'), 'stays\n');
    for (const p of ['', 'Sub', 'held.txt', 'keyed.txt', 'Sub/dragged.txt', 'Sub/stays.txt']) chownSync(join(root, p), alice, USERS_GID);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (domain) rmSync(join(domain.homesDir, 'alice', base), { recursive: true, force: true });
  });

  const row = (page: Page, n: string): Locator => page.locator(`[data-browse-list] [data-name="${n}"]`);
  const dialog = (page: Page): Locator => page.getByRole('dialog');
  const names = async (d: string): Promise<string[]> => (await smbList(domain, SHARES.users, d)).map((e) => e.name).sort();

  async function signedIn(options: BrowserContextOptions, folder: string): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${app.url}/login`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/home/`);
    await page.goto(`${app.url}/browse/home/${folder}`);
    return { context, page, problems };
  }

  it('a long-press on a phone opens the row menu; its "Rename" renames the file', async () => {
    const { context, page, problems } = await signedIn(PHONE, `${encodeURIComponent(base)}/`);
    const menu = page.getByRole('menu');
    expect(await menu.isVisible()).toBe(false);

    // Playwright's tap() lets go at once, so the finger is held with raw CDP touch events: down at the row's
    // centre, kept down until the menu shows (whatever time that takes), and only then lifted.
    const box = await row(page, 'held.txt').boundingBox();
    if (!box) throw new Error('the row for held.txt has no box');
    const finger = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    const cdp = await context.newCDPSession(page);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [finger] });
    await expect.poll(() => menu.isVisible(), { timeout: 10_000 }).toBe(true);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    // The menu is the held row's, and lifting the finger neither closed it nor followed the row's link.
    expect(await menu.getAttribute('aria-label')).toBe('Actions for held.txt');
    expect(await menu.isVisible()).toBe(true);
    expect(page.url()).toBe(`${app.url}/browse/home/${encodeURIComponent(base)}/`);

    await menu.getByRole('menuitem', { name: 'Rename' }).tap();
    const name = dialog(page).getByLabel('Name');
    await expect.poll(() => name.inputValue()).toBe('held.txt');
    await name.fill('held (renamed).txt');
    await dialog(page).getByRole('button', { name: 'Rename' }).tap();
    await row(page, 'held (renamed).txt').waitFor();

    expect(await names(dir)).toEqual(['Sub', 'held (renamed).txt', 'keyed.txt'].sort());
    expect(await smbGet(domain, SHARES.users, `${dir}/held (renamed).txt`)).toEqual(held);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('a selected file dragged onto the parent folder’s breadcrumb moves up there', async () => {
    const { context, page, problems } = await signedIn(LAPTOP, `${encodeURIComponent(base)}/Sub/`);
    await page.getByRole('checkbox', { name: 'Select dragged.txt' }).check();
    await expect.poll(() => page.locator('[data-sel-info]').textContent()).toMatch(/^1 item selected/);

    const moved = page.waitForResponse((r) => r.url().endsWith('/api/files/move'));
    const crumb = page.locator('.pc-crumbs').getByRole('link', { name: base, exact: true });
    await row(page, 'dragged.txt').getByRole('link', { name: 'dragged.txt', exact: true }).dragTo(crumb);
    const reply = await moved;
    expect([200, 202]).toContain(reply.status());
    const { job } = (await reply.json()) as { job: { id: string } };
    const card = page.locator(`.pc-job[data-job-id="${job.id}"]`);
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
    await row(page, 'dragged.txt').waitFor({ state: 'detached' });
    // The page stayed in Sub: a drop on a breadcrumb moves, it does not follow the link.
    expect(page.url()).toBe(`${app.url}/browse/home/${encodeURIComponent(base)}/Sub/`);

    // On the server: gone from Sub, in its parent whole, and nothing else moved.
    expect(await names(`${dir}/Sub`)).toEqual(['stays.txt']);
    expect(await names(dir)).toContain('dragged.txt');
    expect(await smbGet(domain, SHARES.users, `${dir}/dragged.txt`)).toEqual(dragged);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('F2 renames the selected row in the "Name" dialog', async () => {
    const { context, page, problems } = await signedIn(LAPTOP, `${encodeURIComponent(base)}/`);
    await page.getByRole('checkbox', { name: 'Select keyed.txt' }).check();
    await page.keyboard.press('F2');
    const name = dialog(page).getByLabel('Name');
    await name.waitFor({ state: 'visible' });
    expect(await name.inputValue()).toBe('keyed.txt');
    await name.fill('keyed by F2.txt');
    await dialog(page).getByRole('button', { name: 'Rename' }).click();
    await dialog(page).waitFor({ state: 'hidden' });
    await row(page, 'keyed by F2.txt').waitFor();

    const left = await names(dir);
    expect(left).toContain('keyed by F2.txt');
    expect(left).not.toContain('keyed.txt');
    expect(await smbGet(domain, SHARES.users, `${dir}/keyed by F2.txt`)).toEqual(keyed);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
