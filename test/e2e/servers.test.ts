// "Connect to server" in Chromium (issue 13): from the navbar, type the DC's name, see its shares (netlogon,
// sysvol and the fixture's, not IPC$), open one and download a file from it through the usual machinery.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE_SERVER_NAME, LIBRARY_FILES, SHARES } from '../fixtures/domain-data.js';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import { requireDomain } from '../fixtures/require-domain.js';
import { startBrowseApp } from '../helpers/browse.js';
import { launchChromium, signInWithForm, watchProblems } from '../helpers/browser.js';
import type { WebApp } from '../helpers/web-app.js';

describe('connect to server in Chromium', () => {
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

  it(`/servers/${FILE_SERVER_NAME} lists the DC's shares, not IPC$, and one of them browses`, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${app.url}/login`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(/\/browse\//);

    await page.getByRole('link', { name: 'Connect to server' }).click();
    await page.waitForURL(`${app.url}/servers`);
    await page.getByLabel('Server', { exact: true }).fill(FILE_SERVER_NAME);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.waitForURL(`${app.url}/servers/${FILE_SERVER_NAME}`);
    await expect.poll(() => page.getByRole('heading', { name: `Shares on ${FILE_SERVER_NAME}` }).isVisible()).toBe(true);

    const list = page.getByRole('list', { name: `Shares on ${FILE_SERVER_NAME}` });
    const names = (await list.locator('[data-share]').evaluateAll((els) => els.map((e) => e.getAttribute('data-share') ?? ''))).sort();
    expect(names).toEqual(['netlogon', 'sysvol', ...Object.values(SHARES)].sort());
    expect(await page.content()).not.toContain('IPC$');

    await list.getByRole('link', { name: SHARES.readonly, exact: true }).click();
    await page.waitForURL(`${app.url}/browse/@${FILE_SERVER_NAME}/${SHARES.readonly}/`);
    const row = page.locator('table.pc-list tbody tr', { hasText: LIBRARY_FILES.oneMiB });
    await expect.poll(() => row.isVisible()).toBe(true);
    const href = await row.locator('a.pc-action').first().getAttribute('href');
    expect(href).toBe(`/download/@${FILE_SERVER_NAME}/${SHARES.readonly}/${encodeURIComponent(LIBRARY_FILES.oneMiB)}`);
    const download = await page.request.get(`${app.url}${href ?? ''}`);
    expect(download.status()).toBe(200);
    expect((await download.body()).length).toBe(LIBRARY_FILES.oneMiBBytes);
    expect(problems).toEqual([]);
    await context.close();
  });
});
