// Organising files in real Chromium, on a laptop and on a phone (390×844, touch): new folder, rename, copy a
// file into it (a name clash answered "Keep both"), move a file into it (drag and drop on the laptop, "Move to…"
// on the phone), select several and download them as a zip, then delete the folder tree. Every result is
// checked on the file server with smbclient, copied and moved data by sha256.
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainInfo } from '../fixtures/domain.js';
import { SHARES, USERS, USERS_GID } from '../fixtures/domain-data.js';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import { requireDomain } from '../fixtures/require-domain.js';
import { launchChromium, signInWithForm, watchProblems } from '../helpers/browser.js';
import { smbGet, smbList, smbListMaybe } from '../helpers/smbclient.js';
import { startWebApp, type WebApp } from '../helpers/web-app.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const devices: { name: string; options: BrowserContextOptions; touch: boolean }[] = [
  { name: 'laptop', options: { viewport: { width: 1280, height: 800 } }, touch: false },
  { name: 'phone', options: { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 }, touch: true },
];

/** Problems a page may have that are the answers asked for: name clashes (409). */
const expected = (p: string): boolean => /HTTP 409: .*\/api\/files\/copy|status of 409/.test(p);

describe.each(devices)('file operations on a $name', ({ name, options, touch }) => {
  let domain: DomainInfo;
  let app: WebApp;
  let browser: Browser;
  let work: string;
  const tag = randomBytes(3).toString('hex');
  const base = `ops-${name}-${tag}`;
  const created = 'New stuff';
  const renamed = 'Kept ✓';
  const photo = randomBytes(300 << 10);
  const notes = Buffer.from(`notes ${tag}\n`);

  beforeAll(async () => {
    domain = requireDomain();
    app = await startWebApp(domain, { env: { LOGIN_MAX_PER_IP: '1000' } });
    browser = await launchChromium();
    work = mkdtempSync(join(tmpdir(), 'portcullis-e2e-ops-'));
    // The folder the test works in, made on the server's disk as alice's own.
    const alice = USERS.find((u) => u.username === 'alice')?.uidNumber ?? -1;
    const dir = join(domain.homesDir, 'alice', base);
    mkdirSync(dir);
    writeFileSync(join(dir, 'photo.bin'), photo);
    writeFileSync(join(dir, 'notes.txt'), notes);
    writeFileSync(join(dir, 'extra.txt'), 'extra\n');
    for (const p of [dir, join(dir, 'photo.bin'), join(dir, 'notes.txt'), join(dir, 'extra.txt')]) chownSync(p, alice, USERS_GID);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (work) rmSync(work, { recursive: true, force: true });
    rmSync(join(domain.homesDir, 'alice', base), { recursive: true, force: true });
  });

  const press = (target: Locator): Promise<void> => (touch ? target.tap() : target.click());
  const row = (page: Page, n: string): Locator => page.locator(`[data-browse-list] [data-name="${n}"]`);
  // The toolbar's buttons: on a phone the bottom bar (phone.test.ts) has a "New folder" of its own.
  const button = (page: Page, n: string): Locator => page.getByRole('toolbar', { name: 'File actions' }).getByRole('button', { name: n, exact: true });
  const dialog = (page: Page): Locator => page.getByRole('dialog');
  const names = async (dir: string): Promise<string[]> => (await smbList(domain, SHARES.users, dir)).map((e) => e.name);

  async function openMenu(page: Page, n: string): Promise<void> {
    if (touch) await row(page, n).getByRole('button', { name: `More actions for ${n}` }).tap();
    else await row(page, n).locator('a').first().click({ button: 'right' });
    await page.getByRole('menu').waitFor({ state: 'visible' });
  }

  async function pickFolder(page: Page, folder: string, confirm: 'Copy here' | 'Move here'): Promise<void> {
    const picker = dialog(page);
    await press(picker.getByRole('button', { name: folder, exact: true }));
    await expect.poll(() => picker.locator('[data-picker-where]').textContent()).toContain(folder);
    await press(picker.getByRole('button', { name: confirm }));
    await picker.waitFor({ state: 'hidden' });
  }

  async function jobDone(page: Page, count: number): Promise<void> {
    await expect.poll(() => page.locator('.pc-job[data-state="done"]').count(), { timeout: 60_000 }).toBe(count);
  }

  it('creates, renames, copies into, moves into, zips and deletes a folder tree', async () => {
    const context = await browser.newContext({ ...options, acceptDownloads: true });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${app.url}/login`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/home/`);
    await page.goto(`${app.url}/browse/home/${encodeURIComponent(base)}/`);
    const dir = `alice/${base}`;

    if (touch) {
      // Tap targets of at least 44 px: the toolbar's buttons, the rows' checkboxes and "⋯" buttons.
      const small: string[] = [];
      for (const target of await page.locator('.pc-ops-bar button, .pc-check-hit, .pc-more').all()) {
        const box = await target.boundingBox();
        if (box && (box.width < 44 || box.height < 44)) small.push(`${(await target.getAttribute('aria-label')) ?? (await target.innerHTML())}: ${box.width}×${box.height}`);
      }
      expect(small).toEqual([]);
      // And nothing scrolls the page sideways.
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    }

    // New folder.
    await press(button(page, 'New folder'));
    await dialog(page).getByLabel('Name').fill(created);
    await press(dialog(page).getByRole('button', { name: 'Create' }));
    await row(page, created).waitFor();
    expect((await smbList(domain, SHARES.users, dir)).find((e) => e.name === created)?.dir).toBe(true);

    // Rename it from its row's menu (right-click; the "⋯" button on a phone).
    await openMenu(page, created);
    await press(page.getByRole('menuitem', { name: 'Rename' }));
    await dialog(page).getByLabel('Name').fill(renamed);
    await press(dialog(page).getByRole('button', { name: 'Rename' }));
    await row(page, renamed).waitFor();
    expect(await names(dir)).toEqual(['extra.txt', renamed, 'notes.txt', 'photo.bin'].sort());

    // Copy a file into it, with the toolbar and the destination picker.
    await page.getByRole('checkbox', { name: 'Select photo.bin' }).check();
    await expect.poll(() => page.locator('[data-sel-info]').textContent()).toBe('1 item selected · 300 KB');
    await press(button(page, 'Copy to…'));
    await pickFolder(page, renamed, 'Copy here');
    await jobDone(page, 1);
    expect(sha256(await smbGet(domain, SHARES.users, `${dir}/${renamed}/photo.bin`))).toBe(sha256(photo));
    expect(sha256(await smbGet(domain, SHARES.users, `${dir}/photo.bin`))).toBe(sha256(photo));

    // The same again: the name clash is asked about, "Keep both" makes a numbered copy.
    await page.getByRole('checkbox', { name: 'Select photo.bin' }).check();
    await press(button(page, 'Copy to…'));
    await pickFolder(page, renamed, 'Copy here');
    await expect.poll(() => dialog(page).textContent()).toContain('“photo.bin” already exists');
    await press(dialog(page).getByRole('button', { name: 'Keep both' }));
    await jobDone(page, 2);
    expect(await names(`${dir}/${renamed}`)).toEqual(['photo (2).bin', 'photo.bin']);
    expect(sha256(await smbGet(domain, SHARES.users, `${dir}/${renamed}/photo (2).bin`))).toBe(sha256(photo));

    // Move a file into it: dragged onto the folder's row on a laptop, "Move to…" on a phone.
    if (touch) {
      await openMenu(page, 'notes.txt');
      await press(page.getByRole('menuitem', { name: 'Move to…' }));
      await pickFolder(page, renamed, 'Move here');
    } else {
      await row(page, 'notes.txt').locator('a').first().dragTo(row(page, renamed));
    }
    await jobDone(page, 3);
    await row(page, 'notes.txt').waitFor({ state: 'detached' });
    expect(await names(dir)).toEqual(['extra.txt', renamed, 'photo.bin'].sort());
    expect(await smbGet(domain, SHARES.users, `${dir}/${renamed}/notes.txt`)).toEqual(notes);

    // Into the folder: select everything, see the count and size, download the selection as a zip.
    await press(row(page, renamed).getByRole('link', { name: renamed, exact: true }));
    await page.waitForURL(/Kept/);
    if (touch) {
      await press(button(page, 'Select all'));
    } else {
      // A click and a shift-click select the range between.
      await page.getByRole('checkbox', { name: 'Select notes.txt' }).click();
      await page.getByRole('checkbox', { name: 'Select photo.bin' }).click({ modifiers: ['Shift'] });
    }
    await expect.poll(() => page.locator('[data-sel-info]').textContent()).toMatch(/^3 items selected · 600 KB$/);
    const [download] = await Promise.all([page.waitForEvent('download'), press(button(page, 'Download'))]);
    const zipFile = join(work, 'selection.zip');
    await download.saveAs(zipFile);
    execFileSync('unzip', ['-tq', zipFile]);
    const script = 'import sys,zipfile,hashlib,json\nz=zipfile.ZipFile(sys.argv[1])\nprint(json.dumps({i.filename:hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}))';
    expect(JSON.parse(execFileSync('python3', ['-c', script, zipFile], { encoding: 'utf8' }))).toEqual({
      'notes.txt': sha256(notes),
      'photo.bin': sha256(photo),
      'photo (2).bin': sha256(photo),
    });

    if (!touch) {
      // Escape clears, Ctrl+A selects all (not while typing in a field).
      await page.keyboard.press('Escape');
      await expect.poll(() => page.locator('[data-sel-info]').textContent()).toBe('Nothing selected');
      await page.keyboard.press('Control+a');
      await expect.poll(() => page.locator('[data-sel-info]').textContent()).toBe('3 items selected · 600 KB');
      await page.keyboard.press('Escape');
    } else {
      await press(button(page, 'Clear selection'));
    }
    await expect.poll(() => page.locator('[data-sel-info]').textContent()).toBe('Nothing selected');

    // Properties of a file.
    await openMenu(page, 'photo.bin');
    await press(page.getByRole('menuitem', { name: 'Properties' }));
    await expect.poll(() => dialog(page).textContent()).toContain('Properties of “photo.bin”');
    expect(await dialog(page).textContent()).toContain('300 KB (307,200 bytes)');
    await press(dialog(page).getByRole('button', { name: 'Close' }).last());
    await dialog(page).waitFor({ state: 'hidden' });

    // Back up (by the breadcrumb) and delete the whole tree: the Delete key on a laptop, the toolbar on a phone.
    await press(page.locator('.pc-crumbs').getByRole('link', { name: base }));
    await page.waitForURL(`${app.url}/browse/home/${encodeURIComponent(base)}/`);
    await page.getByRole('checkbox', { name: `Select ${renamed}` }).check();
    if (touch) await press(button(page, 'Delete'));
    else await page.keyboard.press('Delete');
    await expect.poll(() => dialog(page).locator('[data-delete-summary]').textContent()).toMatch(/^1 item, 1 folder/);
    await press(dialog(page).getByRole('button', { name: 'Delete' }));
    await jobDone(page, 1);
    await row(page, renamed).waitFor({ state: 'detached' });
    expect(await smbListMaybe(domain, SHARES.users, `${dir}/${renamed}`)).toBeUndefined();
    expect(await names(dir)).toEqual(['extra.txt', 'photo.bin']);
    await expect.poll(() => page.locator('[data-announce]').textContent()).toContain('Deleted');

    // A job no page watched (started by a script here; or in a page closed since) shows on the next page.
    const alice = USERS.find((u) => u.username === 'alice')?.uidNumber ?? -1;
    writeFileSync(join(domain.homesDir, 'alice', base, 'gone.txt'), 'bye\n');
    chownSync(join(domain.homesDir, 'alice', base, 'gone.txt'), alice, USERS_GID);
    const token = (await page.locator('[data-ops]').getAttribute('data-csrf')) ?? '';
    const status = await page.evaluate(
      async ([csrf, path]) =>
        (await fetch('/api/files/delete', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf ?? '' }, body: JSON.stringify({ drive: 'home', paths: [path] }) })).status,
      [token, `${base}/gone.txt`],
    );
    expect([200, 202]).toContain(status);
    await page.reload();
    await expect.poll(() => page.locator('.pc-job .pc-job-outcome').first().textContent(), { timeout: 30_000 }).toBe('Deleted: 1 deleted.');
    expect(await names(dir)).toEqual(['extra.txt', 'photo.bin']);

    expect(problems.filter((p) => !expected(p))).toEqual([]);
    await context.close();
  }, 240_000);
});

describe('long and partly failing operations in Chromium', () => {
  let domain: DomainInfo;
  let app: WebApp;
  let browser: Browser;
  const base = `ops-cancel-${randomBytes(3).toString('hex')}`;
  const FOLDERS = 30;
  const FILES = 100;

  beforeAll(async () => {
    domain = requireDomain();
    app = await startWebApp(domain, { env: { LOGIN_MAX_PER_IP: '1000' } });
    browser = await launchChromium();
    const alice = USERS.find((u) => u.username === 'alice')?.uidNumber ?? -1;
    const dir = join(domain.homesDir, 'alice', base);
    const made = [dir, join(dir, 'Dest'), join(dir, 'Tree')];
    for (let f = 0; f < FOLDERS; f++) {
      const sub = join(dir, 'Tree', `f${String(f).padStart(2, '0')}`);
      made.push(sub);
      for (let i = 0; i < FILES; i++) made.push(join(sub, `${i}.txt`));
    }
    for (const p of made) {
      if (p.endsWith('.txt')) writeFileSync(p, `${p.slice(-12)}\n`);
      else mkdirSync(p);
      chownSync(p, alice, USERS_GID);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    rmSync(join(domain.homesDir, 'alice', base), { recursive: true, force: true });
  });

  it('shows live progress, and Cancel stops it with what was done kept and reported', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${app.url}/login`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/home/`);
    await page.goto(`${app.url}/browse/home/${base}/`);
    await page.getByRole('checkbox', { name: 'Select Tree' }).check();
    await page.getByRole('button', { name: 'Copy to…' }).click();
    const picker = page.getByRole('dialog');
    await picker.getByRole('button', { name: 'Dest', exact: true }).click();
    await expect.poll(() => picker.locator('[data-picker-where]').textContent()).toContain('Dest');
    const started = page.waitForResponse((r) => r.url().endsWith('/api/files/copy') && r.status() !== 409);
    await picker.getByRole('button', { name: 'Copy here' }).click();

    // 3,000 files copy for seconds: the card runs, with a progress bar and Cancel. Its own card: the page also
    // lists the user's earlier jobs, in any order.
    const { job: copyJob } = (await (await started).json()) as { job: { id: string } };
    const card = page.locator(`.pc-job[data-job-id="${copyJob.id}"]`);
    await card.locator('.pc-job-cancel').click();
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 60_000 }).toBe('cancelled');
    expect(await card.locator('.pc-job-outcome').textContent()).toMatch(/^Cancelled: .*What was done stays done\.$/);
    expect(await card.getByRole('progressbar').count()).toBe(1);
    await expect.poll(() => page.locator('[data-announce]').textContent()).toMatch(/^Cancelled/);

    // On the server: a partial copy, every file in it whole.
    const copied = (await smbList(domain, SHARES.users, `alice/${base}/Dest/Tree`).catch(() => [])).filter((e) => e.dir).map((e) => e.name);
    let files = 0;
    for (const sub of copied) {
      for (const e of await smbList(domain, SHARES.users, `alice/${base}/Dest/Tree/${sub}`)) {
        expect(e.size).toBe(statSync(join(domain.homesDir, 'alice', base, 'Tree', sub, e.name)).size);
        files++;
      }
    }
    expect(files).toBeLessThan(FOLDERS * FILES);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('a partial failure lists each failed item with its reason; "Apply to all" answers every clash; a read-only drive offers no changes', async () => {
    // A folder of root's inside alice's home: she may read it, not delete what is in it.
    const dir = join(domain.homesDir, 'alice', base);
    const alice = USERS.find((u) => u.username === 'alice')?.uidNumber ?? -1;
    mkdirSync(join(dir, 'Locked'), { mode: 0o755 });
    writeFileSync(join(dir, 'Locked', 'kept.txt'), 'root owns me\n');
    writeFileSync(join(dir, 'gone.txt'), 'bye\n');
    chownSync(join(dir, 'gone.txt'), alice, USERS_GID);

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${app.url}/login`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/home/`);
    await page.goto(`${app.url}/browse/home/${base}/`);
    await page.getByRole('checkbox', { name: 'Select Locked' }).check();
    await page.getByRole('checkbox', { name: 'Select gone.txt' }).check();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/files/delete'));
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    // This job's own card: the page also lists the user's earlier jobs (the cancelled copy above), in any order.
    const { job } = (await (await answered).json()) as { job: { id: string } };
    const card = page.locator(`.pc-job[data-job-id="${job.id}"]`);
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 60_000 }).not.toBe('running');
    const failures = await card.locator('.pc-job-failures li').allTextContents();
    // The file root owns (denied), and so its folder (not empty): each by path, with the reason.
    expect(await card.locator('.pc-job-outcome').textContent()).toBe(`Deleted: 1 deleted; ${failures.length} items failed.`);
    expect(failures.some((f) => /^.*Locked\/kept\.txt: .+/.test(f))).toBe(true);
    expect(failures.every((f) => f.includes('Locked'))).toBe(true);
    // What could go went; what could not is still there, on the server.
    const left = (await smbList(domain, SHARES.users, `alice/${base}`)).map((e) => e.name);
    expect(left).toContain('Locked');
    expect(left).not.toContain('gone.txt');
    expect((await smbList(domain, SHARES.users, `alice/${base}/Locked`)).map((e) => e.name)).toEqual(['kept.txt']);

    // Two name clashes answered at once: "Apply to all" with Skip copies nothing and says so.
    mkdirSync(join(dir, 'Twins'));
    for (const n of ['one.txt', 'two.txt']) {
      writeFileSync(join(dir, n), `${n} new\n`);
      writeFileSync(join(dir, 'Twins', n), `${n} old\n`);
      chownSync(join(dir, n), alice, USERS_GID);
      chownSync(join(dir, 'Twins', n), alice, USERS_GID);
    }
    chownSync(join(dir, 'Twins'), alice, USERS_GID);
    await page.goto(`${app.url}/browse/home/${base}/`);
    await page.getByRole('checkbox', { name: 'Select one.txt' }).check();
    await page.getByRole('checkbox', { name: 'Select two.txt' }).check();
    await page.getByRole('button', { name: 'Copy to…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Twins', exact: true }).click();
    await expect.poll(() => dialog.locator('[data-picker-where]').textContent()).toContain('Twins');
    await dialog.getByRole('button', { name: 'Copy here' }).click();
    await expect.poll(() => dialog.textContent()).toContain('“one.txt” already exists');
    await dialog.getByLabel('Apply to all (1 more conflict)').check();
    const resolved = page.waitForResponse((r) => r.url().endsWith('/api/files/copy') && r.status() !== 409);
    await dialog.getByRole('button', { name: 'Skip' }).click();
    const { job: skipJob } = (await (await resolved).json()) as { job: { id: string } };
    const copyCard = page.locator(`.pc-job[data-job-id="${skipJob.id}"]`);
    await expect.poll(() => copyCard.locator('.pc-job-outcome').textContent(), { timeout: 30_000 }).toBe('Copied: 2 skipped.');
    for (const n of ['one.txt', 'two.txt']) expect((await smbGet(domain, SHARES.users, `alice/${base}/Twins/${n}`)).toString()).toBe(`${n} old\n`);

    // Library: readable, not writable. Only what reads is offered.
    await page.goto(`${app.url}/browse/library/`);
    for (const hidden of ['New folder', 'Rename', 'Move to…', 'Delete']) expect(await page.getByRole('button', { name: hidden, exact: true }).count()).toBe(0);
    for (const shown of ['Select all', 'Copy to…', 'Download', 'Properties']) expect(await page.getByRole('button', { name: shown, exact: true }).count()).toBe(1);
    await context.close();
  }, 120_000);
});
