// Keyboard shortcuts (issue 13) in real Chromium against the real app. One test walks the shortcut table
// (src/format/shortcuts.ts, which the "?" dialog and /help show): every entry has a check here, and each check
// presses the table's own keys and looks at the effect. Another types in the search box and sees none fire. A third
// checks what a screen reader meets: a grid with rows, aria-selected, and the selection read out with its size.
import { randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHORTCUTS, type ShortcutId } from '../../src/format/shortcuts.js';
import type { DomainInfo } from '../fixtures/domain.js';
import { SHARES, USERS, USERS_GID } from '../fixtures/domain-data.js';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import { requireDomain } from '../fixtures/require-domain.js';
import { launchChromium, signInWithForm, watchProblems } from '../helpers/browser.js';
import { smbList } from '../helpers/smbclient.js';
import { startWebApp, type WebApp } from '../helpers/web-app.js';

/** Twelve files of 1–12 bytes: enough tiles for two lines of the grid at this width. */
const FILES = Array.from({ length: 12 }, (_, i) => `f${String(i + 1).padStart(2, '0')}.txt`);

describe('keyboard shortcuts in Chromium', () => {
  let domain: DomainInfo;
  let app: WebApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  const base = `keys-${randomBytes(3).toString('hex')}`;
  let folderUrl = '';

  beforeAll(async () => {
    domain = requireDomain();
    app = await startWebApp(domain, { env: { LOGIN_MAX_PER_IP: '1000' } });
    browser = await launchChromium();
    const alice = USERS.find((u) => u.username === 'alice')?.uidNumber ?? -1;
    const root = join(domain.homesDir, 'alice', base);
    mkdirSync(join(root, 'Sub'), { recursive: true });
    writeFileSync(join(root, 'Sub', 'inner.txt'), 'inner\n');
    FILES.forEach((f, i) => writeFileSync(join(root, f), 'x'.repeat(i + 1)));
    for (const p of ['', 'Sub', 'Sub/inner.txt', ...FILES]) chownSync(join(root, p), alice, USERS_GID);
    folderUrl = `${app.url}/browse/home/${encodeURIComponent(base)}/`;
    // One signed-in context for the whole file.
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    problems = watchProblems(page);
    // Playwright turns on file-chooser interception when the first listener is added, without waiting for it:
    // added here, it is on long before "u" is pressed.
    page.on('filechooser', () => undefined);
    await page.goto(`${app.url}/login`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/home/`);
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.close();
    if (domain) rmSync(join(domain.homesDir, 'alice', base), { recursive: true, force: true });
  });

  const row = (n: string): Locator => page.locator(`[data-browse-list] [data-name="${n}"]`);
  const dialog = (): Locator => page.getByRole('dialog');
  const focusedName = (): Promise<string | null> => page.evaluate(() => document.activeElement?.closest('[data-name]')?.getAttribute('data-name') ?? null);
  const rowNames = (): Promise<string[]> => page.locator('[data-browse-list] [data-name]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name') ?? ''));
  const selInfo = (): Promise<string | null> => page.locator('[data-sel-info]').textContent();
  const announced = (): Promise<string | null> => page.locator('[data-announce]').textContent();

  async function openFolder(query = '?view=list'): Promise<void> {
    await page.goto(`${folderUrl}${query}`);
    // The module scripts have run once the operations toolbar shows its state.
    await page.locator('[data-ops]').waitFor({ state: 'visible' });
  }
  /** Presses a chord from the table, in Playwright's words ("Mod+a" → "ControlOrMeta+a", "Space" → "Space"). */
  async function press(keys: string): Promise<void> {
    for (const chord of keys.split(' ')) await page.keyboard.press(chord.replace('Mod+', 'ControlOrMeta+'));
  }
  async function focusRow(name: string): Promise<void> {
    await row(name).locator('a:not(.pc-action)').first().focus();
    expect(await focusedName()).toBe(name);
  }
  /** Bootstrap ignores a close while a dialog is still fading in; it moves the focus into the dialog once shown. */
  async function dialogShown(): Promise<void> {
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('.modal.show') != null)).toBe(true);
  }
  async function cancelDialog(): Promise<void> {
    await dialogShown();
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    await dialog().waitFor({ state: 'hidden' });
  }

  const checks: Record<ShortcutId, (keys: readonly string[]) => Promise<void>> = {
    async move() {
      await openFolder();
      const names = await rowNames();
      // From nowhere, ↓ takes the focus to the first row; then ↓ and ↑ step; ← → do nothing in the list.
      await press('ArrowDown');
      expect(await focusedName()).toBe(names[0]);
      await press('ArrowDown');
      await press('ArrowDown');
      expect(await focusedName()).toBe(names[2]);
      await press('ArrowUp');
      expect(await focusedName()).toBe(names[1]);
      await press('ArrowRight');
      expect(await focusedName()).toBe(names[1]);
      // A visible ring, and one Tab stop: the focused row's link is in the Tab order, the others' are not.
      expect(await row(names[1] ?? '').evaluate((r) => getComputedStyle(r).outlineStyle)).toBe('solid');
      expect(await row(names[1] ?? '').locator('a:not(.pc-action)').getAttribute('tabindex')).toBe('0');
      expect(await row(names[2] ?? '').locator('a:not(.pc-action)').getAttribute('tabindex')).toBe('-1');

      // Grid view: ← → step one tile, ↑ ↓ one line of tiles (as many as fit this width).
      await openFolder('?view=grid');
      const tiles = await rowNames();
      const tops = await page.locator('[data-browse-list] [data-name]').evaluateAll((ts) => ts.map((t) => Math.round(t.getBoundingClientRect().top)));
      const cols = tops.filter((t) => t === tops[0]).length;
      expect(cols).toBeGreaterThan(1);
      expect(tiles.length).toBeGreaterThan(cols + 1);
      await press('ArrowRight');
      expect(await focusedName()).toBe(tiles[0]);
      await press('ArrowRight');
      expect(await focusedName()).toBe(tiles[1]);
      await press('ArrowDown');
      expect(await focusedName()).toBe(tiles[1 + cols]);
      await press('ArrowLeft');
      expect(await focusedName()).toBe(tiles[cols]);
      await press('ArrowUp');
      expect(await focusedName()).toBe(tiles[0]);
      expect(await row(tiles[0] ?? '').evaluate((r) => getComputedStyle(r).outlineStyle)).toBe('solid');
    },
    async open(keys) {
      await openFolder();
      await focusRow('Sub');
      await press(keys[0] ?? '');
      await page.waitForURL(`${folderUrl}Sub/`);
      await row('inner.txt').waitFor();
    },
    async up(keys) {
      for (const k of keys) {
        await page.goto(`${folderUrl}Sub/`);
        await row('inner.txt').waitFor();
        await focusRow('inner.txt');
        await press(k);
        await page.waitForURL(folderUrl);
      }
    },
    async toggle(keys) {
      await openFolder();
      await focusRow('f03.txt');
      await press(keys[0] ?? '');
      await expect.poll(selInfo).toBe('1 item selected · 3 B');
      expect(await row('f03.txt').getAttribute('aria-selected')).toBe('true');
      expect(await row('f03.txt').getByRole('checkbox').isChecked()).toBe(true);
      await expect.poll(announced).toBe('1 item selected, 3 B.');
      await press(keys[0] ?? '');
      await expect.poll(selInfo).toBe('Nothing selected');
      expect(await row('f03.txt').getAttribute('aria-selected')).toBe('false');
      // The focus stayed on the row's link (Space did not scroll the page away or move on).
      expect(await focusedName()).toBe('f03.txt');
    },
    async 'select-all'(keys) {
      await openFolder();
      await focusRow('f01.txt');
      await press(keys[0] ?? '');
      // 1 + 2 + … + 12 bytes in the files, and a folder.
      await expect.poll(selInfo).toBe('13 items selected · 78 B + folders');
      expect(await page.locator('[data-browse-list] [aria-selected="true"]').count()).toBe(13);
      await expect.poll(announced).toBe('13 items selected, 78 B + folders.');
    },
    async clear(keys) {
      await openFolder();
      await focusRow('f02.txt');
      await press('Space');
      await press('ArrowDown');
      await press('Space');
      await expect.poll(selInfo).toBe('2 items selected · 5 B');
      await press(keys[0] ?? '');
      await expect.poll(selInfo).toBe('Nothing selected');
      await expect.poll(announced).toBe('Selection cleared.');
    },
    async delete(keys) {
      // With nothing selected, Delete asks about the row that has the focus; Cancel deletes nothing.
      await openFolder();
      await focusRow('f05.txt');
      await press(keys[0] ?? '');
      await expect.poll(() => dialog().locator('[data-delete-names]').textContent()).toBe('f05.txt');
      await cancelDialog();
      expect((await smbList(domain, SHARES.users, `alice/${base}`)).map((e) => e.name)).toContain('f05.txt');
    },
    async rename(keys) {
      await openFolder();
      await focusRow('f06.txt');
      await press(keys[0] ?? '');
      const name = dialog().getByLabel('Name');
      await name.waitFor({ state: 'visible' });
      expect(await name.inputValue()).toBe('f06.txt');
      await cancelDialog();
    },
    async search(keys) {
      await openFolder();
      await focusRow('f01.txt');
      await press(keys[0] ?? '');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('pc-search');
      // The "/" went to the shortcut, not into the box.
      expect(await page.locator('#pc-search').inputValue()).toBe('');
    },
    async upload(keys) {
      await openFolder();
      const chooser = page.waitForEvent('filechooser');
      await press(keys[0] ?? '');
      expect((await chooser).isMultiple()).toBe(true);
    },
    async 'new-folder'(keys) {
      await openFolder();
      await press(keys[0] ?? '');
      await expect.poll(() => dialog().locator('.modal-title').textContent()).toBe('New folder');
      expect(await dialog().getByLabel('Name').inputValue()).toBe('');
      await cancelDialog();
    },
    async home(keys) {
      await openFolder();
      await press(keys[0] ?? '');
      await page.waitForURL(`${app.url}/browse/home/`);
    },
    async help(keys) {
      await openFolder();
      await press(keys[0] ?? '');
      const shown = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await shown.waitFor({ state: 'visible' });
      expect(await shown.locator('[data-shortcut-id]').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-shortcut-id')))).toEqual(SHORTCUTS.map((s) => s.id));
      await dialogShown();
      await page.keyboard.press('Escape');
      await shown.waitFor({ state: 'hidden' });
    },
  };

  it('every shortcut in the table does what it says', async () => {
    expect(Object.keys(checks).sort()).toEqual(SHORTCUTS.map((s) => s.id).sort());
    for (const s of SHORTCUTS) {
      try {
        await checks[s.id](s.keys);
      } catch (err) {
        throw new Error(`shortcut "${s.id}" (${s.keys.join(' or ')}): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
    }
    expect(problems).toEqual([]);
  }, 240_000);

  it('no shortcut fires while typing in the search box', async () => {
    await openFolder();
    await page.locator('#pc-search').focus();
    // Each of these is a shortcut outside a field.
    await page.keyboard.type('un?/gh ');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.press('Delete');
    await page.keyboard.press('F2');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.type('nu');
    await page.keyboard.press('Backspace');
    expect(await page.locator('#pc-search').inputValue()).toBe('n');
    expect(await selInfo()).toBe('Nothing selected');
    expect(await dialog().count()).toBe(0);
    expect(page.url()).toBe(`${folderUrl}?view=list`);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('pc-search');
    expect(problems).toEqual([]);
  }, 60_000);

  it('screen readers meet a grid of rows that say whether they are selected, and /help lists the same shortcuts', async () => {
    await openFolder();
    const grid = page.getByRole('grid');
    expect(await grid.getAttribute('aria-multiselectable')).toBe('true');
    // 13 items and the header row.
    expect(await grid.getByRole('row').count()).toBe(14);
    await page.getByRole('checkbox', { name: 'Select f04.txt' }).check();
    expect(await grid.getByRole('row', { selected: true }).count()).toBe(1);
    await expect.poll(announced).toBe('1 item selected, 4 B.');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Help' }).click();
    await page.waitForURL(`${app.url}/help`);
    expect(await page.locator('[data-shortcut-id]').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-shortcut-id')))).toEqual(SHORTCUTS.map((s) => s.id));
    expect(problems).toEqual([]);
  }, 60_000);
});
