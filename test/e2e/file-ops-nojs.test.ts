// New folder, rename and delete without JavaScript, in real Chromium with scripts off: the <noscript> forms
// post to /ops/ (src/web/ops/forms.ts), each answer is a 303 back to the folder with a message, refusals come
// back as a page that says why, and every result is checked on the file server with smbclient.
import { randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainInfo } from '../fixtures/domain.js';
import { SHARES, USERS, USERS_GID } from '../fixtures/domain-data.js';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import { requireDomain } from '../fixtures/require-domain.js';
import { launchChromium, signInWithForm, watchProblems } from '../helpers/browser.js';
import { smbList, smbListMaybe } from '../helpers/smbclient.js';
import { startWebApp, type WebApp } from '../helpers/web-app.js';

describe('file operations without JavaScript', () => {
  let domain: DomainInfo;
  let app: WebApp;
  let browser: Browser;
  const tag = randomBytes(3).toString('hex');
  const made = `nojs ${tag} folder`;
  const renamed = `nojs ${tag} renamed`;

  beforeAll(async () => {
    domain = requireDomain();
    app = await startWebApp(domain, { env: { LOGIN_MAX_PER_IP: '1000' } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function signedIn(): Promise<{ page: Page; problems: string[]; close: () => Promise<void> }> {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${app.url}/login`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/home/`);
    return { page, problems, close: () => context.close() };
  }

  const audits = (): Record<string, unknown>[] =>
    app.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => typeof e.audit === 'string' && e.via === 'form');

  it('creates, renames and deletes a folder tree through plain forms; the server has each result', async () => {
    const { page, problems, close } = await signedIn();
    // The script-only toolbar is hidden; the forms are there.
    expect(await page.getByRole('toolbar', { name: 'File actions' }).isVisible()).toBe(false);

    await page.getByLabel('New folder name').fill(made);
    await page.getByRole('button', { name: 'Create folder' }).click();
    await page.waitForURL(`${app.url}/browse/home/`);
    expect(await page.locator('.pc-flash').textContent()).toContain(`Created the folder “${made}”.`);
    expect(await page.getByRole('link', { name: made, exact: true }).count()).toBe(1);
    expect((await smbList(domain, SHARES.users, 'alice')).find((e) => e.name === made)?.dir).toBe(true);

    // The same name again: refused with its own message, at 409, with what the user typed kept.
    await page.getByLabel('New folder name').fill(made);
    const [again] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Create folder' }).click()]);
    expect(again.status()).toBe(409);
    expect(await page.getByRole('alert').textContent()).toContain(`“${made}” already exists.`);
    expect(await page.getByLabel('Name').inputValue()).toBe(made);
    // A name Windows refuses: 400 with the upload rules' sentence.
    await page.getByLabel('Name').fill('a:b');
    const [bad] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Create' }).click()]);
    expect(bad.status()).toBe(400);
    expect(await page.getByRole('alert').textContent()).toContain('contains one of');
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.waitForURL(`${app.url}/browse/home/`);

    // Rename: tick the row, type the new name.
    await page.getByRole('checkbox', { name: `Select ${made}` }).check();
    await page.getByLabel('New name for the ticked item').fill(renamed);
    await page.getByRole('button', { name: 'Rename ticked item' }).click();
    await page.waitForURL(`${app.url}/browse/home/`);
    expect(await page.locator('.pc-flash').textContent()).toContain(`Renamed “${made}” to “${renamed}”.`);
    const home = await smbList(domain, SHARES.users, 'alice');
    expect(home.some((e) => e.name === made)).toBe(false);
    expect(home.find((e) => e.name === renamed)?.dir).toBe(true);

    // Something inside, so the delete is recursive.
    const alice = USERS.find((u) => u.username === 'alice')?.uidNumber ?? -1;
    const inner = join(domain.homesDir, 'alice', renamed, 'inner');
    mkdirSync(inner);
    writeFileSync(join(inner, 'note.txt'), 'hello\n');
    for (const p of [inner, join(inner, 'note.txt')]) chownSync(p, alice, USERS_GID);
    expect((await smbList(domain, SHARES.users, `alice/${renamed}/inner`)).map((e) => e.name)).toEqual(['note.txt']);

    // Delete asks first, naming what will go; its "Delete" does it.
    await page.getByRole('checkbox', { name: `Select ${renamed}` }).check();
    await page.getByRole('button', { name: 'Delete ticked items' }).click();
    expect(await page.locator('.pc-ops-delete-list').textContent()).toContain(renamed);
    expect(await smbListMaybe(domain, SHARES.users, `alice/${renamed}`)).toBeDefined();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.waitForURL(`${app.url}/browse/home/`);
    expect(await page.locator('.pc-flash').textContent()).toContain(`Deleted “${renamed}”.`);
    expect(await smbListMaybe(domain, SHARES.users, `alice/${renamed}`)).toBeUndefined();

    // One audit line per mutation, the refused one with its code.
    const lines = audits().map((e) => [e.audit, e.from ?? null, e.to ?? null, e.result, e.user, e.drive]);
    expect(lines).toEqual([
      ['mkdir', null, made, 'ok', 'alice', 'home'],
      ['mkdir', null, made, 'exists', 'alice', 'home'],
      ['rename', made, renamed, 'ok', 'alice', 'home'],
      ['delete', renamed, null, 'ok', 'alice', 'home'],
    ]);
    // The two refusals are the statuses asked for; nothing else failed.
    expect(problems.filter((p) => !/^HTTP (409|400): .*\/ops\/home\/$/.test(p) && !/status of 40[09]/.test(p))).toEqual([]);
    await close();
  }, 120_000);

  it("a share the user can only read offers no changes, and a post anyway says \"You can't change files here\" (403)", async () => {
    const { page, close } = await signedIn();
    await page.goto(`${app.url}/browse/library/`);
    // The share refuses writes (tree-connect maximal access): the forms are not offered at all.
    expect(await page.getByLabel('New folder name').count()).toBe(0);
    expect(await page.getByRole('checkbox').count()).toBeGreaterThan(0);
    const token = (await page.locator('input[name="_csrf"]').first().getAttribute('value')) ?? '';
    const res = await page.request.post(`${app.url}/ops/library/`, { form: { _csrf: token, op: 'mkdir', name: `nojs ${tag} denied` }, maxRedirects: 0 });
    expect(res.status()).toBe(403);
    expect(await res.text()).toContain('You can&#39;t change files here');
    expect((await smbList(domain, SHARES.readonly, '')).some((e) => e.name === `nojs ${tag} denied`)).toBe(false);
    expect(audits().some((e) => e.audit === 'mkdir' && e.drive === 'library' && e.result === 'denied')).toBe(true);
    await close();
  }, 60_000);

  it('refuses a form post without the CSRF token', async () => {
    const { page, close } = await signedIn();
    const status = await page.evaluate(async () => (await fetch('/ops/home/', { method: 'POST', body: new URLSearchParams({ op: 'mkdir', name: 'csrf-less' }) })).status);
    expect(status).toBe(403);
    expect(await smbListMaybe(domain, SHARES.users, 'alice/csrf-less')).toBeUndefined();
    await close();
  }, 60_000);
});
