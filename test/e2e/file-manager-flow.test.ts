// The whole flow a student or a member of staff goes through, in real Chromium: sign in, browse, switch
// list/grid, sort, preview, upload, download — on a laptop and on a phone (390×844, touch). Every file that
// crosses the wire is checked by sha256 against what is on the share.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainInfo } from '../fixtures/domain.js';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import { requireDomain } from '../fixtures/require-domain.js';
import { launchChromium, signInWithForm, watchProblems } from '../helpers/browser.js';
import { startWebApp, type WebApp } from '../helpers/web-app.js';
import { sha256, sha256File } from '../integration/upload/helpers.js';

const devices: { name: string; options: BrowserContextOptions; touch: boolean }[] = [
  { name: 'laptop', options: { viewport: { width: 1280, height: 800 } }, touch: false },
  { name: 'phone', options: { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 3 }, touch: true },
];

describe.each(devices)('file manager flow on a $name', ({ name, options, touch }) => {
  let domain: DomainInfo;
  let app: WebApp;
  let browser: Browser;
  let work: string;
  const uploaded = `flow-${name}-${randomBytes(3).toString('hex')} ✓.bin`;

  beforeAll(async () => {
    domain = requireDomain();
    app = await startWebApp(domain, { env: { LOGIN_MAX_PER_IP: '1000' } });
    browser = await launchChromium();
    work = mkdtempSync(join(tmpdir(), 'portcullis-e2e-flow-'));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (work) rmSync(work, { recursive: true, force: true });
    rmSync(join(domain.sharesDir, domain.shares.shared, uploaded), { force: true });
  });

  const press = (target: Locator): Promise<void> => (touch ? target.tap() : target.click());

  async function downloadOf(page: Page, link: Locator): Promise<Buffer> {
    const [download] = await Promise.all([page.waitForEvent('download'), press(link)]);
    const path = await download.path();
    return readFileSync(path);
  }

  it('signs in, browses Shared, switches views, sorts, previews, uploads and downloads', async () => {
    const context = await browser.newContext({ ...options, acceptDownloads: true });
    const page = await context.newPage();
    const problems = watchProblems(page);
    const shared = join(domain.sharesDir, domain.shares.shared);

    await page.goto(`${app.url}/`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/home/`);

    // The drives menu: collapsed behind the toggler on a phone.
    if (touch) await press(page.getByRole('button', { name: 'Toggle navigation' }));
    await press(page.getByRole('link', { name: 'Shared' }));
    await page.waitForURL(`${app.url}/browse/shared/`);
    await expect.poll(() => page.getByText('Meeting notes 2026.txt').first().isVisible()).toBe(true);

    // Grid, then back to a list sorted by size, largest first.
    await press(page.getByRole('link', { name: 'Grid view' }));
    await page.waitForURL(/view=grid/);
    await expect.poll(() => page.locator('.pc-grid').isVisible()).toBe(true);
    await page.goto(`${app.url}/browse/shared/?view=list&sort=size&order=desc`);
    const firstFile = page.locator('[data-browse-list] a[href*="/browse/shared/"]:not([href$="/"])').first();
    await expect.poll(() => firstFile.textContent()).toContain('Lecture recording (large).bin');

    // Preview an image in the page.
    await press(page.getByRole('link', { name: 'Campus photo.jpg' }).first());
    const preview = page.locator('#preview-modal');
    await preview.waitFor({ state: 'visible' });
    await expect.poll(() => preview.locator('img').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    await press(page.getByRole('button', { name: 'Close preview' }));
    await preview.waitFor({ state: 'hidden' });

    // Upload one file into Shared.
    const local = join(work, uploaded);
    const content = randomBytes((touch ? 2 : 24) << 20);
    writeFileSync(local, content);
    await page.locator('#pc-upload-input').setInputFiles(local);
    await page.getByRole('progressbar', { name: 'Total upload progress' }).waitFor({ state: 'visible' });
    const summary = page.locator('.pc-upload-summary');
    await summary.waitFor({ state: 'visible', timeout: 120_000 });
    expect(await summary.textContent()).toContain('Uploaded (1)');
    expect(await sha256File(join(shared, uploaded))).toBe(sha256(content));

    // Download a file with its row's button; the bytes are the share's.
    await page.goto(`${app.url}/browse/shared/`);
    const got = await downloadOf(page, page.getByRole('link', { name: 'Download Report.pdf' }).first());
    expect(sha256(got)).toBe(sha256(readFileSync(join(shared, 'Report.pdf'))));

    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);
});
