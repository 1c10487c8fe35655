// Name conflicts in real Chromium: alice uploads three files whose names already exist in her home drive,
// one of them large enough for the resumable protocol. Each row stops with Overwrite / Keep both / Skip;
// her choices decide what lands, nothing is overwritten without one, and no temporary is left behind.
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainInfo } from '../fixtures/domain.js';
import { USERS, USERS_GID } from '../fixtures/domain-data.js';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import { requireDomain } from '../fixtures/require-domain.js';
import { launchChromium, signInWithForm, watchProblems } from '../helpers/browser.js';
import { startWebApp, type WebApp } from '../helpers/web-app.js';
import { sha256 } from '../integration/upload/helpers.js';
import { isTempName } from '../../src/files/names.js';

describe('upload conflicts in Chromium', () => {
  let domain: DomainInfo;
  let app: WebApp;
  let browser: Browser;
  let work: string;
  let home: string;
  const tag = randomBytes(3).toString('hex');
  const small = `conflict-${tag} notes.txt`;
  const kept = `conflict-${tag} notes (1).txt`;
  // Over the client's 16 MiB threshold: goes through the resumable protocol, whose conflict is at finish.
  const big = `conflict-${tag} data.bin`;
  const skipped = `conflict-${tag} skip.txt`;

  beforeAll(async () => {
    domain = requireDomain();
    home = join(domain.homesDir, 'alice');
    app = await startWebApp(domain, { env: { LOGIN_MAX_PER_IP: '1000' } });
    browser = await launchChromium();
    work = mkdtempSync(join(tmpdir(), 'portcullis-e2e-conflict-'));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (work) rmSync(work, { recursive: true, force: true });
    for (const n of [small, kept, big, skipped]) rmSync(join(home, n), { force: true });
  });

  const row = (page: Page, name: string) => page.locator('.pc-upload-item', { hasText: name });

  it('asks per file: Keep both saves a numbered copy, Overwrite replaces (resumable too), Skip leaves the original', async () => {
    const old = { small: Buffer.from('old notes\n'), big: randomBytes(1 << 20), skipped: Buffer.from('keep me\n') };
    const alice = USERS.find((u) => u.username === 'alice')?.uidNumber ?? -1;
    for (const [name, data] of [[small, old.small], [big, old.big], [skipped, old.skipped]] as const) {
      writeFileSync(join(home, name), data);
      chownSync(join(home, name), alice, USERS_GID);
    }
    const fresh = { small: Buffer.from('new notes\n'), big: randomBytes(20 << 20), skipped: Buffer.from('do not save me\n') };
    const picked = [small, big, skipped].map((n) => join(work, n));
    writeFileSync(picked[0] ?? '', fresh.small);
    writeFileSync(picked[1] ?? '', fresh.big);
    writeFileSync(picked[2] ?? '', fresh.skipped);

    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${app.url}/login`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/home/`);
    await page.locator('#pc-upload-input').setInputFiles(picked);

    // Nothing is replaced without a choice: every row waits, and the originals are untouched.
    for (const n of [small, big, skipped]) {
      await expect.poll(() => row(page, n).getAttribute('data-state'), { timeout: 60_000 }).toBe('conflict');
    }
    await expect.poll(() => page.locator('.pc-upload-summary').textContent()).toContain('Waiting for your choice');
    expect(readFileSync(join(home, small))).toEqual(old.small);
    expect(sha256(readFileSync(join(home, big)))).toBe(sha256(old.big));

    await row(page, small).getByRole('button', { name: 'Keep both' }).click();
    await expect.poll(() => row(page, small).getAttribute('data-state')).toBe('done');
    expect(await row(page, small).textContent()).toContain(`Saved as “${kept}”`);

    await row(page, big).getByRole('button', { name: 'Overwrite' }).click();
    await expect.poll(() => row(page, big).getAttribute('data-state'), { timeout: 60_000 }).toBe('done');

    await row(page, skipped).getByRole('button', { name: 'Skip' }).click();
    await expect.poll(() => row(page, skipped).getAttribute('data-state')).toBe('skipped');

    expect(readFileSync(join(home, small))).toEqual(old.small);
    expect(readFileSync(join(home, kept))).toEqual(fresh.small);
    expect(sha256(readFileSync(join(home, big)))).toBe(sha256(fresh.big));
    expect(readFileSync(join(home, skipped))).toEqual(old.skipped);
    // The resumable upload's and the skipped file's temporaries are gone (DELETE and rename).
    await expect.poll(() => readdirSync(home).filter((n) => isTempName(n))).toEqual([]);
    // The 409s are how the server reports each conflict; anything else would be a fault.
    expect(problems.filter((p) => !/409 \(Conflict\)|^HTTP 409:/.test(p))).toEqual([]);
    await context.close();
  }, 120_000);
});
