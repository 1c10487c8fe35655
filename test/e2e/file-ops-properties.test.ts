// The Properties dialog and the delete confirmation against the real GET /api/files/properties, in Chromium on a
// laptop and on a phone (390×844, touch): a file alice made shows owner "alice", its size, its modified and
// accessed times, attributes and the UNC path, and "Copy" puts that path on the clipboard; a folder with known
// contents counts them with "Calculate size", and a count in flight is cancelled by aborting its request; the
// delete dialog says what will go, with the folder's file count and bytes from measure=1.
import { randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContextOptions, Locator, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainInfo } from '../fixtures/domain.js';
import { SHARES, USERS, USERS_GID } from '../fixtures/domain-data.js';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import { requireDomain } from '../fixtures/require-domain.js';
import { launchChromium, signInWithForm, watchProblems } from '../helpers/browser.js';
import { smbList } from '../helpers/smbclient.js';
import { startWebApp, type WebApp } from '../helpers/web-app.js';

const devices: { name: string; options: BrowserContextOptions; touch: boolean }[] = [
  { name: 'laptop', options: { viewport: { width: 1280, height: 800 } }, touch: false },
  { name: 'phone', options: { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 }, touch: true },
];

// Whole seconds: the times go through the file server and back as FILETIMEs.
const MODIFIED = new Date('2024-03-05T10:20:30Z');
const ACCESSED = new Date('2024-04-06T11:22:33Z');

describe('Properties and the delete confirmation, with the properties API', () => {
  let domain: DomainInfo;
  let app: WebApp;
  let browser: Browser;
  const base = `props-${randomBytes(3).toString('hex')}`;
  const photo = randomBytes(300 << 10);
  // Tree: 3 files (3000 + 5000 + 100 bytes) in it and one subfolder.
  const treeBytes = 3000 + 5000 + 100;

  beforeAll(async () => {
    domain = requireDomain();
    app = await startWebApp(domain, { env: { LOGIN_MAX_PER_IP: '1000' } });
    browser = await launchChromium();
    const alice = USERS.find((u) => u.username === 'alice')?.uidNumber ?? -1;
    const dir = join(domain.homesDir, 'alice', base);
    const made = [dir, join(dir, 'photo.bin'), join(dir, 'Tree'), join(dir, 'Tree', 'a.bin'), join(dir, 'Tree', 'sub'), join(dir, 'Tree', 'sub', 'b.bin'), join(dir, 'Tree', 'sub', 'c.txt')];
    mkdirSync(join(dir, 'Tree', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'photo.bin'), photo);
    utimesSync(join(dir, 'photo.bin'), ACCESSED, MODIFIED);
    writeFileSync(join(dir, 'Tree', 'a.bin'), randomBytes(3000));
    writeFileSync(join(dir, 'Tree', 'sub', 'b.bin'), randomBytes(5000));
    writeFileSync(join(dir, 'Tree', 'sub', 'c.txt'), 'c'.repeat(100));
    for (const p of made) chownSync(p, alice, USERS_GID);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (domain) rmSync(join(domain.homesDir, 'alice', base), { recursive: true, force: true });
  });

  it.each(devices)('on a $name', async ({ options, touch }) => {
    const context = await browser.newContext(options);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
    const page = await context.newPage();
    const problems = watchProblems(page);
    const press = (target: Locator): Promise<void> => (touch ? target.tap() : target.click());
    const row = (n: string): Locator => page.locator(`[data-browse-list] [data-name="${n}"]`);
    const dialog = page.getByRole('dialog');
    /** The dialog's "label → value" rows, as shown. */
    const shown = (): Promise<Record<string, string>> =>
      dialog.locator('[data-props-list]').evaluate((dl) => {
        const out: Record<string, string> = {};
        for (const dt of dl.querySelectorAll('dt')) out[dt.textContent ?? ''] = dt.nextElementSibling?.textContent ?? '';
        return out;
      });
    const format = (d: Date): Promise<string> =>
      page.evaluate((iso) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso)), d.toISOString());
    async function properties(n: string): Promise<void> {
      if (touch) await row(n).getByRole('button', { name: `More actions for ${n}` }).tap();
      else await row(n).locator('a').first().click({ button: 'right' });
      await page.getByRole('menu').waitFor({ state: 'visible' });
      await press(page.getByRole('menuitem', { name: 'Properties' }));
      await expect.poll(() => dialog.textContent()).toContain(`Properties of “${n}”`);
    }
    async function close(name: 'Close' | 'Cancel'): Promise<void> {
      await press(dialog.getByRole('button', { name, exact: true }).last());
      await dialog.waitFor({ state: 'hidden' });
    }

    await page.goto(`${app.url}/login`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/home/`);
    await page.goto(`${app.url}/browse/home/${encodeURIComponent(base)}/`);
    const uncOf = (...names: string[]): string => `\\\\${domain.fileServerName}\\${SHARES.users}\\alice\\${[base, ...names].join('\\')}`;

    // A file: what the endpoint says, shown (the rows only the endpoint knows prove it was used).
    await properties('photo.bin');
    await expect.poll(async () => (await shown()).Owner).toBe('alice');
    const file = await shown();
    expect(file.Size).toBe('300 KB (307,200 bytes)');
    expect(file.Modified).toBe(await format(MODIFIED));
    expect(file.Accessed).toBe(await format(ACCESSED));
    expect(file.Created).not.toBe('—');
    expect(file.Changed).not.toBe('—');
    const api = await page.evaluate(async (url) => (await fetch(url)).json() as Promise<{ attributes: Record<string, boolean> }>, `/api/files/properties?drive=home&path=${encodeURIComponent(`${base}/photo.bin`)}`);
    const attrs = [api.attributes.readOnly && 'Read-only', api.attributes.hidden && 'Hidden', api.attributes.system && 'System', api.attributes.archive && 'Archive'].filter(Boolean).join(', ');
    expect(file.Attributes).toBe(attrs || 'None');
    expect(await dialog.locator('.pc-props-unc').textContent()).toBe(uncOf('photo.bin'));
    await press(dialog.getByRole('button', { name: 'Copy', exact: true }));
    await expect.poll(() => dialog.locator('[data-props-list] button').textContent()).toBe('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(uncOf('photo.bin'));
    expect(await dialog.getByRole('button', { name: 'Calculate size' }).isVisible()).toBe(false);
    await close('Close');

    // A folder: no size until asked; "Calculate size" counts everything below it.
    await properties('Tree');
    await expect.poll(async () => (await shown()).Owner).toBe('alice');
    expect(await dialog.locator('.pc-props-unc').textContent()).toBe(uncOf('Tree'));
    await press(dialog.getByRole('button', { name: 'Calculate size' }));
    const result = dialog.locator('[data-props-measure-result]');
    await expect.poll(() => result.textContent(), { timeout: 30_000 }).toBe(`3 files in 1 folder, ${(treeBytes / 1024).toFixed(1)} KB`);

    // "Cancel" while a count is in flight aborts its request: held here so it is surely in flight.
    let held: Route | undefined;
    let failed = '';
    page.on('requestfailed', (req) => {
      if (req.url().includes('measure=1')) failed = req.failure()?.errorText ?? 'failed';
    });
    await page.route('**/api/files/properties?*measure=1*', (route) => {
      held = route;
    });
    await press(dialog.getByRole('button', { name: 'Count again' }));
    await expect.poll(() => held !== undefined).toBe(true);
    await press(dialog.getByRole('button', { name: 'Cancel', exact: true }).first());
    await expect.poll(() => result.textContent()).toBe('Counting cancelled.');
    await expect.poll(() => failed).toBe('net::ERR_ABORTED');
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await close('Close');

    // The delete confirmation: the folder's files and bytes from measure=1, with the selected file's bytes.
    // check(), not a click: opening a row's menu may already have selected it.
    for (const n of ['Tree', 'photo.bin']) await page.getByRole('checkbox', { name: `Select ${n}` }).check();
    await expect.poll(() => page.locator('[data-sel-info]').textContent()).toMatch(/^2 items selected/);
    await press(page.getByRole('button', { name: 'Delete', exact: true }));
    const summary = dialog.locator('[data-delete-summary]');
    // 307,200 + 8,100 bytes = 308 KB.
    await expect.poll(() => summary.textContent(), { timeout: 30_000 }).toBe(`2 items, 1 folder with 3 files, ${Math.round((photo.length + treeBytes) / 1024)} KB`);
    await close('Cancel');
    expect((await smbList(domain, SHARES.users, `alice/${base}`)).map((e) => e.name).sort()).toEqual(['Tree', 'photo.bin']);

    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('copies the UNC path also where the page has no Clipboard API (plain HTTP by name)', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
    // As on a non-secure origin: no navigator.clipboard for the page; the test keeps one to read the result.
    await context.addInitScript(() => {
      const w = window as unknown as { __clipboard: Clipboard };
      w.__clipboard = navigator.clipboard;
      Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined });
    });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${app.url}/login`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/home/`);
    await page.goto(`${app.url}/browse/home/${encodeURIComponent(base)}/`);
    const dialog = page.getByRole('dialog');
    await page.locator('[data-browse-list] [data-name="photo.bin"] a').first().click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Properties' }).click();
    await dialog.getByRole('button', { name: 'Copy', exact: true }).click();
    await expect.poll(() => dialog.locator('[data-props-list] button').textContent()).toBe('Copied');
    const unc = `\\\\${domain.fileServerName}\\${SHARES.users}\\alice\\${base}\\photo.bin`;
    expect(await page.evaluate(() => (window as unknown as { __clipboard: Clipboard }).__clipboard.readText())).toBe(unc);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});
