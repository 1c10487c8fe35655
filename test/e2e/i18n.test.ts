// Issue 14, languages in real Chromium: a German browser (context locale de-DE, so Accept-Language and
// navigator.languages are German) gets the sign-in page and the folder in German, with German sizes and dates,
// and the browser code's own strings (selection, delete dialog, upload panel) in German; an English browser
// gets German once the user picks "Deutsch" in /settings, and English again after "Automatic".
import { chownSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import { requireDomain } from '../fixtures/require-domain.js';
import type { DomainInfo } from '../fixtures/domain.js';
import { USERS, USERS_GID } from '../fixtures/domain-data.js';
import { startBrowseApp } from '../helpers/browse.js';
import { launchChromium, signInWithForm, watchProblems } from '../helpers/browser.js';
import type { WebApp } from '../helpers/web-app.js';

const FOLDER = `Sprachen ${process.pid}`;
const folderPath = `/browse/home/${encodeURIComponent(FOLDER)}/`;
const MODIFIED = new Date(Date.UTC(2026, 11, 2, 9, 30, 0));

describe('languages in Chromium', () => {
  let domain: DomainInfo;
  let app: WebApp;
  let browser: Browser;
  let dir: string;
  let work: string;

  beforeAll(async () => {
    domain = requireDomain();
    // A folder of alice's own, so the upload may write into it.
    const uid = USERS.find((u) => u.username === 'alice')?.uidNumber ?? 0;
    dir = join(domain.homesDir, 'alice', FOLDER);
    mkdirSync(dir);
    chownSync(dir, uid, USERS_GID);
    writeFileSync(join(dir, 'bericht.txt'), 'x'.repeat(1536));
    chownSync(join(dir, 'bericht.txt'), uid, USERS_GID);
    utimesSync(join(dir, 'bericht.txt'), MODIFIED, MODIFIED);
    work = join(tmpdir(), `i18n-e2e-${process.pid}`);
    mkdirSync(work, { recursive: true });
    app = await startBrowseApp(domain);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const htmlLang = (page: Page): Promise<string | null> => page.locator('html').getAttribute('lang');
  /** What the folder's row of bericht.txt shows in its size and date cells. */
  const rowCells = async (page: Page): Promise<{ size: string; date: string }> => {
    const row = page.locator('tr[data-name="bericht.txt"]');
    return { size: ((await row.locator('.pc-size').textContent()) ?? '').trim(), date: ((await row.locator('time').textContent()) ?? '').trim() };
  };
  /** The date cell as the browser code writes it (Intl, medium date and short time) in that locale, in UTC. */
  const expectedDate = (locale: string): string => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(MODIFIED);

  it('a German browser gets German: sign-in, folder, sizes, dates, and the browser code’s strings', async () => {
    const context = await browser.newContext({ locale: 'de-DE', timezoneId: 'UTC', viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${app.url}/login`);
    expect(await htmlLang(page)).toBe('de');
    await page.getByRole('heading', { name: /^Bei .+ anmelden$/ }).waitFor();
    await page.getByLabel('Benutzername').fill('alice');
    await page.getByLabel('Passwort').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.waitForURL(`${app.url}/browse/home/`);

    await page.goto(app.url + folderPath);
    expect(await htmlLang(page)).toBe('de');
    await page.getByRole('button', { name: 'Abmelden' }).waitFor();
    await page.getByRole('button', { name: 'Neuer Ordner' }).waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Dateien hochladen' }).isVisible()).toBe(true);
    expect(await page.locator('.pc-count').textContent()).toContain('1 Element');
    // The size from the server, the date from the browser code (Intl in the page's language).
    await expect.poll(() => rowCells(page)).toEqual({ size: '1,5 KB', date: expectedDate('de-DE') });
    expect(expectedDate('de-DE')).toBe('02.12.2026, 09:30');

    // The selection line and the delete dialog are written by the browser code.
    await page.getByRole('checkbox', { name: 'bericht.txt auswählen' }).check();
    await expect.poll(() => page.locator('[data-sel-info]').textContent()).toBe('1 Element ausgewählt · 1,5 KB');
    await page.locator('.pc-ops-bar').getByRole('button', { name: 'Löschen' }).click();
    const dialog = page.getByRole('dialog', { name: 'Löschen' });
    await dialog.waitFor();
    await expect.poll(() => dialog.locator('[data-delete-summary]').textContent()).toBe('1 Element, 1,5 KB');
    await dialog.getByRole('button', { name: 'Abbrechen' }).click();
    await dialog.waitFor({ state: 'hidden' });

    // The upload panel.
    const file = join(work, 'hallo.txt');
    writeFileSync(file, 'Hallo aus dem Test\n');
    await page.locator('#pc-upload-input').setInputFiles([file]);
    await page.getByRole('progressbar', { name: 'Gesamtfortschritt des Hochladens' }).waitFor({ state: 'visible' });
    const summary = page.locator('.pc-upload-summary');
    await summary.waitFor({ state: 'visible', timeout: 60_000 });
    expect(await summary.textContent()).toContain('Hochgeladen (1): hallo.txt');
    expect(await page.locator('.pc-upload-title').textContent()).toBe('Hochladen abgeschlossen');
    expect(await page.locator('.pc-upload-item').textContent()).toContain('Fertig');

    expect(problems).toEqual([]);
    await context.close();
  });

  async function signedInEnglish(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${app.url}/login`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/home/`);
    return page;
  }

  it('an English browser gets German through the Language setting, and English again with "Automatic"', async () => {
    const context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 } });
    const page = await signedInEnglish(context);
    const problems = watchProblems(page);
    await page.goto(app.url + folderPath);
    expect(await htmlLang(page)).toBe('en');
    await expect.poll(() => rowCells(page)).toEqual({ size: '1.5 KB', date: expectedDate('en-US') });

    await page.goto(`${app.url}/settings`);
    await page.getByLabel('Language').selectOption({ label: 'Deutsch' });
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Einstellungen gespeichert.').waitFor();
    expect(await htmlLang(page)).toBe('de');
    expect(await page.getByLabel('Sprache').inputValue()).toBe('de');

    await page.goto(app.url + folderPath);
    expect(await htmlLang(page)).toBe('de');
    await page.getByRole('button', { name: 'Abmelden' }).waitFor();
    // The browser prefers English but the page is German: Intl follows the page.
    await expect.poll(() => rowCells(page)).toEqual({ size: '1,5 KB', date: expectedDate('de') });
    await page.getByRole('checkbox', { name: 'bericht.txt auswählen' }).check();
    await expect.poll(() => page.locator('[data-sel-info]').textContent()).toBe('1 Element ausgewählt · 1,5 KB');

    // The server's own messages to the page's calls come back in the page's language, though the browser asks for English.
    await page.getByRole('button', { name: 'Neuer Ordner' }).click();
    const dialog = page.getByRole('dialog', { name: 'Neuer Ordner' });
    await dialog.getByLabel('Name').fill('bericht.txt');
    await dialog.getByRole('button', { name: 'Erstellen' }).click();
    await expect.poll(() => dialog.locator('#pc-name-error').textContent()).toBe('„bericht.txt“ existiert bereits.');
    await dialog.getByRole('button', { name: 'Abbrechen' }).click();
    await dialog.waitFor({ state: 'hidden' });

    // Another sign-in of the same user (another device) gets German too.
    const elsewhere = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC' });
    const other = await signedInEnglish(elsewhere);
    expect(await htmlLang(other)).toBe('de');
    await elsewhere.close();

    await page.goto(`${app.url}/settings`);
    await page.getByLabel('Sprache').selectOption({ label: 'Automatisch (vom Browser)' });
    await page.getByRole('button', { name: 'Einstellungen speichern' }).click();
    await page.getByText('Settings saved.').waitFor();
    expect(await htmlLang(page)).toBe('en');

    // The one refusal is the name that exists, asked for on purpose above.
    expect(problems).toEqual([`HTTP 409: ${app.url}/api/files/mkdir`]);
    await context.close();
  });
});
