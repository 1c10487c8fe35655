// Issue 15, "On the NTLM-disabled domain: alice signs in with her password in Chromium, browses, uploads and
// downloads (sha256)". The DC is switched to `ntlm auth = disabled` with the fixture's switch (as an admin would:
// the line in smb.conf and a config reload), smbclient first proves NTLM is refused, then a real Chromium does the
// whole round with the app's defaults (SMB_AUTH=auto: Kerberos from the password's TGT).
//
// The switch is the shared DC's: test files run one at a time (vitest fileParallelism: false), and afterAll turns
// NTLM back on even when a test failed, as test/integration/faults/ntlm-refused.test.ts does.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainInfo } from '../fixtures/domain.js';
import { ntlmSessionSetup, setNtlm, smbclient } from '../fixtures/kerberos.js';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import { requireDomain } from '../fixtures/require-domain.js';
import { launchChromium, signInWithForm, watchProblems } from '../helpers/browser.js';
import { startWebApp, type WebApp } from '../helpers/web-app.js';
import { sha256, sha256File } from '../integration/upload/helpers.js';

describe('Chromium on a domain with NTLM switched off', () => {
  let domain: DomainInfo;
  let app: WebApp;
  let browser: Browser;
  let work: string;
  const uploaded = `ntlm-off-${randomBytes(3).toString('hex')} ✓.bin`;

  beforeAll(async () => {
    domain = requireDomain();
    await setNtlm(domain, false);
    app = await startWebApp(domain, { env: { LOGIN_MAX_PER_IP: '1000' }, logLevel: 'info' });
    browser = await launchChromium();
    work = mkdtempSync(join(tmpdir(), 'portcullis-e2e-ntlm-off-'));
  }, 60_000);
  afterAll(async () => {
    // Even after a failure: every later test file expects the DC's default (NTLMv2 accepted).
    if (domain !== undefined) await setNtlm(domain, true);
    await browser?.close();
    await app?.close();
    if (work) rmSync(work, { recursive: true, force: true });
    if (domain !== undefined) rmSync(join(domain.homesDir, 'alice', uploaded), { force: true });
  }, 60_000);

  it('smbclient: an NTLM session set-up is refused (NT_STATUS_NTLM_BLOCKED)', async () => {
    expect(await ntlmSessionSetup(domain)).toBe('refused');
    await expect(smbclient(domain, ['--use-kerberos=off', '-U', `${domain.netbiosDomain}\\alice%${DEMO_PASSWORD}`])).rejects.toThrow(/NT_STATUS_NTLM_BLOCKED/);
  });

  it('alice signs in with her password, browses, uploads and downloads (sha256)', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    const page = await context.newPage();
    const problems = watchProblems(page);
    const home = join(domain.homesDir, 'alice');

    await page.goto(`${app.url}/`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/home/`);
    await expect.poll(() => page.getByRole('link', { name: 'Welcome.txt' }).first().isVisible()).toBe(true);

    // Browse into a folder and back up.
    await page.getByRole('link', { name: 'Documents' }).first().click();
    await page.waitForURL(`${app.url}/browse/home/Documents/`);
    await page.goto(`${app.url}/browse/home/`);

    // Upload through the page's picker; the share holds exactly those bytes.
    const local = join(work, uploaded);
    const content = randomBytes(3 << 20);
    writeFileSync(local, content);
    await page.locator('#pc-upload-input').setInputFiles(local);
    const summary = page.locator('.pc-upload-summary');
    await summary.waitFor({ state: 'visible', timeout: 120_000 });
    expect(await summary.textContent()).toContain('Uploaded (1)');
    expect(await sha256File(join(home, uploaded))).toBe(sha256(content));

    // Download it, and a file that was there before, with their rows' buttons.
    await page.goto(`${app.url}/browse/home/`);
    for (const name of [uploaded, 'Welcome.txt']) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: `Download ${name}` }).first().click()]);
      expect(sha256(readFileSync(await download.path())), name).toBe(sha256(readFileSync(join(home, name))));
    }

    expect(problems).toEqual([]);
    expect(app.logs.map((l) => JSON.parse(l) as { level?: string }).filter((l) => l.level === 'error')).toEqual([]);
    // Still refused at the end: the round above was not NTLM let back in.
    expect(await ntlmSessionSetup(domain)).toBe('refused');
    await context.close();
  }, 180_000);
});
