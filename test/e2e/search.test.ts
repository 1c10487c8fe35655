// Search in Chromium against the real DC: from the course drive's top, the folder view's search box (role
// searchbox, label "Search") finds a file three levels down, streamed into the page while the folder stays
// usable; with a result limit of 3 the search stops there and says so, with "Search deeper"; without JavaScript
// the same box leads to a plain results page with the file and its folder as links; Stop on a search the file
// server is slow to answer (its replies held at a relay) sends SMB2 CANCEL and says "Stopped.".
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainInfo } from '../fixtures/domain.js';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import { requireDomain } from '../fixtures/require-domain.js';
import { opsEnv } from '../fixtures/second-server.js';
import { launchChromium, signInWithForm, watchProblems } from '../helpers/browser.js';
import { Cmd, startSmbReplyGate, type SmbReplyGate } from '../helpers/smb-reply-gate.js';
import { startWebApp, type WebApp } from '../helpers/web-app.js';

const DRIVE = 'course-materials';
/** Our own port range (search helper: 5100–5199). */
const GATE_PORT = 5112;

describe('search in the folder view', () => {
  let domain: DomainInfo;
  let app: WebApp;
  let browser: Browser;
  let gate: SmbReplyGate;

  beforeAll(async () => {
    domain = requireDomain();
    gate = await startSmbReplyGate({ port: GATE_PORT, target: { host: domain.ip, port: 445 } });
    const env = { ...opsEnv(domain), SMB_HOST_MAP: `${domain.fileServerName}=127.0.0.1:${GATE_PORT}`, LOGIN_MAX_PER_IP: '1000', SEARCH_MAX_RESULTS: '3' };
    app = await startWebApp(domain, { env });
    browser = await launchChromium();
  });
  afterAll(async () => {
    gate?.release();
    await browser?.close();
    await app?.close();
    await gate?.close();
  });

  it('finds a file three levels down, streamed into the page, and stops at the result limit with the note', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${app.url}/login?next=${encodeURIComponent(`/browse/${DRIVE}/`)}`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`**/browse/${DRIVE}/`);

    const box = page.getByRole('searchbox', { name: 'Search' });
    // One match only, in Archive/Term 04/Week 09/.
    await box.fill('NOTE-023');
    await box.press('Enter');
    const panel = page.getByRole('region', { name: 'Search results' });
    await expect.poll(() => panel.getByRole('status').first().textContent(), { timeout: 30_000 }).toMatch(/\d+ results?\.|Nothing found/);
    // Still the folder page, with its listing, and the search is a part of it.
    expect(new URL(page.url()).pathname).toBe(`/browse/${DRIVE}/`);
    await expect.poll(() => page.locator('[data-browse-list] [data-name="Archive"]').count()).toBe(1);
    const hits = panel.locator('.pc-search-hit');
    // 100 of them exist (one per Week folder); the limit of 3 cut it short and says so.
    await expect.poll(() => hits.count()).toBe(3);
    const first = hits.first();
    expect(await first.locator('.pc-search-hit-name').textContent()).toBe('note-023.txt');
    expect(await first.locator('.pc-search-hit-folder').textContent()).toMatch(/^Archive \/ Term \d\d \/ Week \d\d$/);
    expect(await first.locator('.pc-search-hit-name').getAttribute('href')).toMatch(new RegExp(`^/browse/${DRIVE}/Archive/Term%20\\d\\d/Week%20\\d\\d/note-023\\.txt$`));
    expect(await panel.locator('.pc-search-limit-note').textContent()).toContain('The search stopped at 3 results, its result limit');
    const deeper = panel.getByRole('link', { name: 'Search deeper' });
    expect(await deeper.getAttribute('href')).toContain('results=12');
    await deeper.click();
    await expect.poll(() => hits.count(), { timeout: 30_000 }).toBe(12);

    // Stop while the file server is slow to answer: the page says so at once, the server is sent CANCEL.
    const cancels = gate.sent(Cmd.CANCEL);
    gate.holdFromQuery(gate.sent(Cmd.QUERY_DIRECTORY) + 1);
    await box.fill('week');
    await box.press('Enter');
    await expect.poll(() => gate.held, { timeout: 30_000 }).toBeGreaterThan(0);
    await panel.getByRole('button', { name: 'Stop' }).click();
    expect(await panel.getByRole('status').first().textContent()).toBe('Stopped.');
    await expect.poll(() => gate.sent(Cmd.CANCEL), { timeout: 30_000 }).toBeGreaterThan(cancels);
    gate.release();
    // Nothing of the search is left in flight; what stays is the open folder's live-update watch (one CHANGE_NOTIFY).
    await expect.poll(() => app.services.pool.stats().outstanding - app.services.live.stats().watches, { timeout: 30_000 }).toBe(0);
    // A new search runs at once afterwards (the slot and the connection are free).
    await box.fill('NOTE-023');
    await box.press('Enter');
    await expect.poll(() => hits.count(), { timeout: 30_000 }).toBe(3);

    // The folder link goes to the folder holding the file.
    await first.locator('.pc-search-hit-folder').click();
    await page.waitForURL(/\/browse\/course-materials\/Archive\/Term%20\d\d\/Week%20\d\d\/$/);
    await expect.poll(() => page.locator('[data-browse-list] [data-name="note-023.txt"]').count()).toBe(1);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('without JavaScript the box leads to a plain results page', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${app.url}/login?next=${encodeURIComponent(`/browse/${DRIVE}/Archive/Term%2004/`)}`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`**/browse/${DRIVE}/Archive/Term%2004/`);
    const box = page.getByRole('searchbox', { name: 'Search' });
    await box.fill('note-023');
    await box.press('Enter');
    await page.waitForURL(`**/search/${DRIVE}/Archive/Term%2004/?q=note-023`);
    const hit = page.locator('.pc-search-hit').first();
    expect(await hit.locator('.pc-search-hit-name').textContent()).toBe('note-023.txt');
    expect(await page.locator('.pc-search-limit-note').textContent()).toContain('result limit');
    await hit.locator('.pc-search-hit-folder').click();
    await page.waitForURL(/\/browse\/course-materials\/Archive\/Term%2004\/Week%20\d\d\/$/);
    await context.close();
  });
});
