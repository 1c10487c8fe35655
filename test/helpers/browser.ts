// Real headless Chromium (Debian's, driven by playwright-core) for end-to-end tests. Each test gets a fresh
// context: no cookies, storage or cache shared with any other.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type ConsoleMessage, type Page } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  const bundle = fileURLToPath(new URL('../../public/build/app.js', import.meta.url));
  if (!existsSync(bundle)) throw new Error('public/build/app.js is missing: run `npm run build` before the e2e tests');
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** Collects console errors, uncaught exceptions and failed requests of a page (CSP violations are console errors). */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg: ConsoleMessage) => {
    // Chromium's "Failed to load resource: … status of N" names no URL; the response listener below records the
    // same event with its URL, so a test can tell which request it was.
    if (/^Failed to load resource: the server responded with a status of/u.test(msg.text())) return;
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => {
    const why = req.failure()?.errorText ?? '';
    // A navigation cancels the previous page's loads in flight: that is the browser, not a fault.
    if (why !== 'net::ERR_ABORTED') problems.push(`request failed: ${req.url()} ${why}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return problems;
}

/** Fills the sign-in form by its labels and presses "Sign in", as a user would. */
export async function signInWithForm(page: Page, username: string, password: string, opts: { remember?: boolean } = {}): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  if (opts.remember) await page.getByLabel('Keep me signed in').check();
  await page.getByRole('button', { name: 'Sign in' }).click();
}
