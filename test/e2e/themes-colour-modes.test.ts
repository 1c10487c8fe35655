// Issue 14, themes and colour modes in real Chromium. The first paint is checked on a probe page whose scripts
// are all refused: what it shows once its stylesheets have loaded is what the server's HTML and CSS alone paint,
// so a right background there means no flash of the wrong theme (nothing runs later to fix it). The navbar's
// "Colour mode" switches the page at once with JS and by a plain form post without; the choices survive signing
// out and in.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import { requireDomain } from '../fixtures/require-domain.js';
import { startBrowseApp } from '../helpers/browse.js';
import { launchChromium, signInWithForm, watchProblems } from '../helpers/browser.js';
import type { WebApp } from '../helpers/web-app.js';

const WHITE = 'rgb(255, 255, 255)';
/** Bootstrap's (and flatly's) dark body background, #212529. */
const BOOTSTRAP_DARK = 'rgb(33, 37, 41)';
/** darkly's own background, #222. */
const DARKLY = 'rgb(34, 34, 34)';

interface Look {
  theme: string | null;
  mode: string | null;
  auto: boolean;
  background: string;
}

const lookNow = (page: Page): Promise<Look> =>
  page.evaluate(() => ({
    theme: document.querySelector('link[data-pc-theme]')?.getAttribute('href') ?? null,
    mode: document.documentElement.getAttribute('data-bs-theme'),
    auto: document.documentElement.hasAttribute('data-bs-theme-auto'),
    // The sign-in page's body carries the branding background; its card has the theme's body colour.
    background: getComputedStyle(document.querySelector('.login-card') ?? document.body).backgroundColor,
  }));

describe('themes and colour modes in Chromium', () => {
  let app: WebApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let probe: Page;
  let problems: string[];

  beforeAll(async () => {
    app = await startBrowseApp(requireDomain(), { env: { THEME: 'flatly', THEMES_ALLOWED: 'default,flatly,darkly' } });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    problems = watchProblems(page);
    probe = await context.newPage();
    await probe.route(/\.js(\?|$)/, (route) => route.abort());
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.close();
  });

  /** The page as first painted, with the device in `scheme`: no script of ours (or Bootstrap's) runs. */
  async function firstPaint(path: string, scheme: 'light' | 'dark'): Promise<Look> {
    await probe.emulateMedia({ colorScheme: scheme });
    await probe.goto(app.url + path, { waitUntil: 'load' });
    return lookNow(probe);
  }

  it('signed out, the login page follows the device in the site theme', async () => {
    const flatly = '/build/vendor/bootswatch/flatly/bootstrap.min.css';
    expect(await firstPaint('/login', 'dark')).toEqual({ theme: flatly, mode: null, auto: true, background: BOOTSTRAP_DARK });
    expect(await firstPaint('/login', 'light')).toEqual({ theme: flatly, mode: null, auto: true, background: WHITE });
  });

  it('the navbar control switches at once with JS, and by a plain post without; the first paint matches', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${app.url}/login`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/home/`);
    expect(await lookNow(page)).toMatchObject({ mode: null, auto: true, background: BOOTSTRAP_DARK });

    await page.locator('summary', { hasText: 'Colour mode' }).click();
    const saved = page.waitForResponse((r) => r.url().endsWith('/settings/colour-mode') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Light' }).click();
    await page.waitForFunction(() => document.documentElement.getAttribute('data-bs-theme') === 'light');
    expect(await lookNow(page)).toMatchObject({ auto: false, background: WHITE });
    expect((await saved).status()).toBe(200);
    expect(page.url()).toBe(`${app.url}/browse/home/`);
    // Saved: a fresh load is light from the first paint, though the device prefers dark.
    expect(await firstPaint('/browse/home/', 'dark')).toMatchObject({ mode: 'light', auto: false, background: WHITE });

    // Without JavaScript: the <details> opens, the button posts, the server saves and comes back.
    await firstPaint('/browse/home/Documents/', 'light');
    await probe.locator('summary', { hasText: 'Colour mode' }).click();
    await probe.getByRole('button', { name: 'Dark' }).click();
    await probe.waitForURL(`${app.url}/browse/home/Documents/`);
    await probe.waitForLoadState('load');
    expect(await lookNow(probe)).toMatchObject({ mode: 'dark', background: BOOTSTRAP_DARK });
    // The (closed) control marks the mode in effect.
    expect(await probe.locator('button[name="colourMode"][value="dark"]').getAttribute('aria-pressed')).toBe('true');

    // Auto with JS: follows the device at once.
    await page.locator('summary', { hasText: 'Colour mode' }).click();
    await page.getByRole('button', { name: /^Auto/ }).click();
    await page.waitForFunction(() => document.documentElement.hasAttribute('data-bs-theme-auto'));
    expect(await lookNow(page)).toMatchObject({ mode: null, background: BOOTSTRAP_DARK });
    await page.emulateMedia({ colorScheme: 'light' });
    expect((await lookNow(page)).background).toBe(WHITE);
  });

  it('a theme chosen in settings changes the stylesheet; theme and mode persist across sign-out and sign-in', async () => {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${app.url}/settings`);
    // Only the allowed themes are offered (besides the site's default).
    expect(await page.locator('#s-theme option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['', 'default', 'flatly', 'darkly']);
    await page.locator('#s-theme').selectOption('darkly');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.waitForURL(/\/settings\?saved=1$/);
    const darkly = { theme: '/build/vendor/bootswatch/darkly/bootstrap.min.css', mode: null, auto: false, background: DARKLY };
    // Dark by design: the same whatever the device prefers.
    expect(await firstPaint('/browse/home/', 'light')).toEqual(darkly);
    expect(await lookNow(page)).toEqual(darkly);

    await page.locator('#s-theme').selectOption('default');
    await page.getByLabel('Dark', { exact: true }).check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.waitForURL(/\/settings\?saved=1$/);
    const plainDark = { theme: '/build/vendor/bootstrap.min.css', mode: 'dark', auto: false, background: BOOTSTRAP_DARK };
    expect(await firstPaint('/browse/home/', 'light')).toEqual(plainDark);

    await page.goto(`${app.url}/browse/home/`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login\?signed-out=1$/);
    // Signed out: back to the site theme, following the device.
    expect(await lookNow(page)).toMatchObject({ theme: '/build/vendor/bootswatch/flatly/bootstrap.min.css', auto: true, background: WHITE });
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/home/`);
    expect(await lookNow(page)).toEqual(plainDark);
    expect(await firstPaint('/browse/home/', 'light')).toEqual(plainDark);
    expect(problems).toEqual([]);
  });
});
