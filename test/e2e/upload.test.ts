// Upload in real Chromium against the app and the Samba AD DC: alice picks three files (one of 200 MiB, which
// goes through the resumable protocol in chunks), sees the progress bar and the summary, and what landed on
// the share has the same sha256 as what she picked.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainInfo } from '../fixtures/domain.js';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import { requireDomain } from '../fixtures/require-domain.js';
import { launchChromium, signInWithForm, watchProblems } from '../helpers/browser.js';
import { startWebApp, type WebApp } from '../helpers/web-app.js';
import { randomFile, sha256, sha256File } from '../integration/upload/helpers.js';

describe('upload in Chromium', () => {
  let domain: DomainInfo;
  let app: WebApp;
  let browser: Browser;
  let work: string;
  const tag = randomBytes(3).toString('hex');
  const names = [`e2e-${tag} notes.txt`, `e2e-${tag} photo.bin`, `e2e-${tag} video 😀.bin`];
  const busyName = `e2e-${tag} busy.bin`;

  beforeAll(async () => {
    domain = requireDomain();
    app = await startWebApp(domain, { env: { LOGIN_MAX_PER_IP: '1000' } });
    browser = await launchChromium();
    work = mkdtempSync(join(tmpdir(), 'portcullis-e2e-upload-'));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (work) rmSync(work, { recursive: true, force: true });
    for (const n of [...names, busyName]) rmSync(join(domain.homesDir, 'alice', n), { force: true });
  });

  it('alice uploads 3 files (one 200 MiB) with the button; progress is visible, the summary lists them, checksums match', async () => {
    const small = Buffer.from('Notes for the e2e upload\n');
    const medium = randomBytes(3 << 20);
    const paths = names.map((n) => join(work, n));
    writeFileSync(paths[0] ?? '', small);
    writeFileSync(paths[1] ?? '', medium);
    const bigSum = await randomFile(paths[2] ?? '', 200 << 20);

    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${app.url}/login`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/home/`);
    await expect.poll(() => page.getByRole('button', { name: 'Upload files' }).isVisible()).toBe(true);

    await page.locator('#pc-upload-input').setInputFiles(paths);
    const total = page.getByRole('progressbar', { name: 'Total upload progress' });
    await total.waitFor({ state: 'visible' });
    expect(await page.locator('.pc-upload-item').count()).toBe(3);
    await expect.poll(() => page.locator('.pc-upload-stats').textContent()).toMatch(/of 203/);

    const summary = page.locator('.pc-upload-summary');
    await summary.waitFor({ state: 'visible', timeout: 120_000 });
    const text = (await summary.textContent()) ?? '';
    expect(text).toContain('Uploaded (3)');
    for (const n of names) expect(text).toContain(n);
    expect(await total.getAttribute('aria-valuenow')).toBe('100');

    const home = join(domain.homesDir, 'alice');
    expect(sha256(Buffer.from(await (await import('node:fs/promises')).readFile(join(home, names[0] ?? ''))))).toBe(sha256(small));
    expect(await sha256File(join(home, names[1] ?? ''))).toBe(sha256(medium));
    expect(await sha256File(join(home, names[2] ?? ''))).toBe(bigSum);

    // After a refresh the files are listed.
    await page.getByRole('button', { name: 'Close' }).click();
    await page.waitForLoadState('load');
    await expect.poll(() => page.getByText(names[2] ?? '').first().isVisible()).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);
  it('a chunk the server keeps turning away (503) ends as failed with a Retry button after bounded tries; Retry finishes it', async () => {
    const name = busyName;
    const path = join(work, name);
    const sum = await randomFile(path, 17 << 20);
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${app.url}/login`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/home/`);
    // Every chunk is answered 503 with "Retry-After: 0": the uploader's tries are bounded, not the test's patience.
    let refused = 0;
    await page.route('**/uploads/**', async (route) => {
      if (route.request().method() !== 'PUT') return route.continue();
      refused++;
      return route.fulfill({ status: 503, headers: { 'Retry-After': '0', 'Content-Type': 'application/json' }, body: JSON.stringify({ error: { code: 'smb_busy', message: 'The file server is busy.' } }) });
    });
    await page.locator('#pc-upload-input').setInputFiles([path]);
    const retry = page.getByRole('button', { name: `Retry ${name}` });
    await retry.waitFor({ state: 'visible', timeout: 60_000 });
    expect(await page.locator('.pc-upload-item').filter({ hasText: 'The server stayed busy (503)' }).count()).toBe(1);
    expect(await page.locator('.pc-upload-summary').textContent()).toContain(`Failed (1): ${name}`);
    // The first try and 8 retries, then it stopped.
    expect(refused).toBe(9);

    await page.unroute('**/uploads/**');
    await retry.click();
    await expect.poll(() => page.locator('.pc-upload-summary').textContent(), { timeout: 60_000 }).toContain('Uploaded (1)');
    expect(await sha256File(join(domain.homesDir, 'alice', name))).toBe(sum);
    expect(problems.filter((p) => !/^HTTP 503: .*\/uploads\//u.test(p))).toEqual([]);
    await context.close();
  }, 120_000);
});
