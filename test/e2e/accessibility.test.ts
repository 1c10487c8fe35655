// Accessibility in real Chromium (issue 14): every page, and the file operations' dialogs opened, passes axe-core
// with no serious or critical violation, on a desktop (1280×800) and on a phone (390×844, touch), in default,
// flatly and darkly, light and dark (darkly is dark by design): every signed-in page and dialog as the user's own
// choice, the sign-in page and /status as the site's THEME with the device light and dark; no page scrolls sideways
// at 320, 390 or 768 px; and keyboard focus shows a ring that stands out (3:1) in default and darkly. Every other
// offered theme: test/e2e/themes-contrast.test.ts.
//
// The axe context is made with bypassCSP (test/helpers/axe.ts): the app's CSP rightly refuses an injected script.
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE_SERVER_NAME, SHARES } from '../fixtures/domain-data.js';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import { requireDomain } from '../fixtures/require-domain.js';
import { axeContextOptions, axeProblems, horizontalOverflow, LOOK_RULES } from '../helpers/axe.js';
import { startBrowseApp } from '../helpers/browse.js';
import { launchChromium, signInWithForm } from '../helpers/browser.js';
import type { WebApp } from '../helpers/web-app.js';

interface Visit {
  name: string;
  /** Brings the page into the state to check (the caller is signed in as alice). */
  open: (page: Page, url: string) => Promise<void>;
}

const go = (path: string) => async (page: Page, url: string): Promise<void> => {
  await page.goto(`${url}${path}`);
};

/** Opens a file operations dialog and waits until Bootstrap has shown it. */
async function openDialog(page: Page, id: string, open: () => Promise<void>): Promise<void> {
  await open();
  await page.locator(`#${id}.show`).waitFor();
  await expect.poll(() => page.locator(`#${id}`).evaluate((el) => getComputedStyle(el).opacity)).toBe('1');
}

/** Posts a form from the page as a browser without JavaScript would (the page's own CSRF token) and waits for the answer. */
async function postForm(page: Page, action: string, fields: [string, string][], landsOn = action): Promise<void> {
  // The answer (or the page a 303 leads to) commits as one navigation of the main frame.
  const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() });
  await page.evaluate(({ action, fields }) => {
    const form = document.createElement('form');
    form.method = 'post';
    form.action = action;
    const token = document.querySelector<HTMLInputElement>('input[name="_csrf"]')?.value ?? '';
    for (const [name, value] of [['_csrf', token], ...fields]) {
      const input = document.createElement('input');
      input.type = 'hidden';
      input.name = name ?? '';
      input.value = value ?? '';
      form.append(input);
    }
    document.body.append(form);
    // After this evaluate has returned: the navigation would otherwise destroy the context it answers from.
    setTimeout(() => form.submit(), 0);
  }, { action, fields });
  await navigated;
  await page.waitForLoadState('load');
  expect(new URL(page.url()).pathname).toBe(landsOn);
}

const PAGES: Visit[] = [
  { name: 'folder list', open: go('/browse/shared/?view=list') },
  { name: 'folder grid', open: go('/browse/shared/?view=grid') },
  { name: 'file page', open: go('/browse/shared/README.txt') },
  { name: 'image page', open: go('/browse/shared/Campus%20photo.jpg') },
  { name: 'settings', open: go('/settings') },
  { name: 'help', open: go('/help') },
  { name: 'bookmarks', open: go('/bookmarks') },
  { name: 'servers', open: go('/servers') },
  { name: 'server shares', open: go(`/servers/${FILE_SERVER_NAME}`) },
  { name: 'search results (no JS form)', open: go('/search/shared/?q=README') },
  { name: 'not found (404)', open: go('/browse/shared/No%20such%20folder/') },
  // The no-JavaScript operations' own page: a delete asks first, listing what will go (src/web/ops/forms.ts).
  {
    name: 'delete confirmation without JavaScript',
    open: async (page, url) => {
      await page.goto(`${url}/browse/shared/?view=list`);
      await postForm(page, '/ops/shared/', [['op', 'delete'], ['items', 'README.txt']]);
      await page.locator('form[action="/ops/shared/"] input[name="confirm"]').waitFor({ state: 'attached' });
    },
  },
  // The same page refusing a new folder's name, with its error (an alert).
  {
    name: 'new folder refused without JavaScript',
    open: async (page, url) => {
      await page.goto(`${url}/browse/shared/?view=list`);
      await postForm(page, '/ops/shared/', [['op', 'mkdir'], ['name', 'no/slashes']]);
      await page.locator('.pc-ops-error').waitFor();
    },
  },
  // An operation's result as the folder page shows it (a success alert): a folder made and deleted again.
  {
    name: 'operation result (flash)',
    open: async (page, url) => {
      const name = `Axe check ${process.pid} ${Date.now()}`;
      await page.goto(`${url}/browse/shared/?view=list`);
      await postForm(page, '/ops/shared/', [['op', 'mkdir'], ['name', name]], '/browse/shared/');
      await postForm(page, '/ops/shared/', [['op', 'delete'], ['items', name], ['confirm', '1']], '/browse/shared/');
      await page.locator('.pc-flash.alert-success').waitFor();
    },
  },
  // A bookmark whose folder is gone (404 page with "Remove this bookmark"); adding it again finds the same one.
  {
    name: 'missing bookmark',
    open: async (page, url) => {
      await page.goto(`${url}/browse/shared/?view=list`);
      const id = await page.evaluate(async () => {
        const token = document.querySelector<HTMLInputElement>('input[name="_csrf"]')?.value ?? '';
        const res = await fetch('/bookmarks', {
          method: 'POST',
          headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': token },
          body: new URLSearchParams({ drive: 'shared', path: 'Gone%20for%20axe' }).toString(),
        });
        return ((await res.json()) as { bookmark: { id: string } }).bookmark.id;
      });
      const res = await page.goto(`${url}/bookmarks/${encodeURIComponent(id)}`);
      expect(res?.status()).toBe(404);
    },
  },
  // bob's home folder is his alone (0700): alice is refused.
  { name: 'access denied (403)', open: go(`/browse/@${FILE_SERVER_NAME}/${SHARES.users}/bob/`) },
];

// The operators' /status: rendered before sign-in is looked at, so it wears the site's THEME (and follows the
// device), never the user's own: checked signed in here, and signed out with the device dark and as THEME below.
const STATUS: Visit = { name: 'status', open: go('/status') };

const DIALOGS: Visit[] = [
  {
    name: 'new folder dialog',
    open: async (page, url) => {
      await page.goto(`${url}/browse/shared/?view=list`);
      await openDialog(page, 'pc-name-dialog', () => page.locator('.pc-ops-bar [data-op="mkdir"]').click());
    },
  },
  {
    name: 'preview dialog',
    open: async (page, url) => {
      await page.goto(`${url}/browse/shared/?view=list`);
      await openDialog(page, 'preview-modal', () => page.locator('table.pc-list tbody a', { hasText: 'README.txt' }).first().click());
      await expect.poll(() => page.locator('#preview-body').textContent()).not.toBe('');
    },
  },
  {
    name: 'delete confirmation',
    open: async (page, url) => {
      await page.goto(`${url}/browse/shared/?view=list`);
      await page.locator('table.pc-list tbody tr:not([data-kind="dir"]) input[type="checkbox"]').first().check();
      await openDialog(page, 'pc-delete-dialog', () => page.locator('[data-op="delete"]:visible').first().click());
    },
  },
  {
    name: 'item menu',
    open: async (page, url) => {
      await page.goto(`${url}/browse/shared/?view=list`);
      await page.locator('table.pc-list tbody tr:not([data-kind="dir"]) .pc-more').first().click();
      await page.locator('[data-row-menu].show').waitFor();
    },
  },
  {
    name: 'navigation menu (collapsed on a phone) opened',
    open: async (page, url) => {
      await page.goto(`${url}/settings`);
      const toggler = page.locator('.navbar-toggler');
      if (!(await toggler.isVisible())) return;
      await toggler.click();
      await page.locator('#main-nav.show').waitFor();
    },
  },
];

const DEVICES: { name: string; options: BrowserContextOptions }[] = [
  { name: 'desktop', options: { viewport: { width: 1280, height: 800 } } },
  { name: 'phone', options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } },
];

describe('accessibility in Chromium', () => {
  let app: WebApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startBrowseApp(requireDomain());
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  /** A fresh context with the sign-in page checked first (signed out), then signed in as alice. */
  async function signedIn(options: BrowserContextOptions, check: (page: Page, label: string) => Promise<void>): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ ...options, ...axeContextOptions });
    const page = await context.newPage();
    await page.goto(`${app.url}/login`);
    await check(page, 'login');
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(/\/browse\//);
    return { context, page };
  }

  it.each(DEVICES)('$name: no serious or critical axe violations on any page or dialog (default theme)', async ({ name, options }) => {
    const problems: string[] = [];
    const check = async (page: Page, label: string): Promise<void> => {
      problems.push(...(await axeProblems(page, `${name} ${label}`)));
    };
    const { context, page } = await signedIn(options, check);
    for (const visit of [...PAGES, ...DIALOGS, STATUS]) {
      await visit.open(page, app.url);
      await check(page, visit.name);
    }
    await context.close();
    expect(problems.join('\n\n')).toBe('');
  }, 240_000);

  // Issue 14: default, flatly and darkly, each in light and dark (darkly is dark by design), on desktop and phone.
  // The user's own choice through /settings, as a user makes it; every page and dialog in each, with the rules a
  // look can change (LOOK_RULES: the markup is the same in every look, and the test above runs every rule on it).
  const LOOKS = [
    { theme: 'default', mode: 'dark' },
    { theme: 'flatly', mode: 'light' },
    { theme: 'flatly', mode: 'dark' },
    { theme: 'darkly', mode: 'auto' },
  ] as const;
  // Every page and dialog of the first test, in each look (default light is the first test's).
  const LOOK_PAGES = [...PAGES, ...DIALOGS];

  it.each(DEVICES)('$name: no serious or critical axe violations in default, flatly and darkly, light and dark', async ({ name, options }) => {
    const problems: string[] = [];
    const { context, page } = await signedIn(options, async () => undefined);
    for (const look of LOOKS) {
      await page.goto(`${app.url}/settings`);
      await page.locator('#s-theme').selectOption(look.theme);
      await page.locator(`#s-colourMode-${look.mode}`).check();
      await Promise.all([page.waitForURL(/\/settings\?saved=1$/), page.getByRole('button', { name: 'Save settings' }).click()]);
      // "Settings saved" (an alert) in the look just chosen.
      problems.push(...(await axeProblems(page, `${name} ${look.theme}/${look.mode} settings saved`, LOOK_RULES)));
      for (const visit of LOOK_PAGES) {
        await visit.open(page, app.url);
        expect(await page.locator('link[data-pc-theme]').getAttribute('data-pc-theme'), visit.name).toBe(look.theme);
        problems.push(...(await axeProblems(page, `${name} ${look.theme}/${look.mode} ${visit.name}`, LOOK_RULES)));
      }
    }
    // The sign-in page and the operators' /status follow the device in the site's theme: check them with the device dark.
    const signedOut = await browser.newContext({ ...options, ...axeContextOptions, colorScheme: 'dark' });
    const login = await signedOut.newPage();
    for (const path of ['/login', '/status']) {
      await login.goto(`${app.url}${path}`);
      problems.push(...(await axeProblems(login, `${name} ${path}, device dark`)));
    }
    await signedOut.close();
    // Back to the defaults for the tests after this one.
    await page.goto(`${app.url}/settings`);
    await page.locator('#s-theme').selectOption('');
    await page.locator('#s-colourMode-auto').check();
    await Promise.all([page.waitForURL(/\/settings/), page.getByRole('button', { name: 'Save settings' }).click()]);
    await context.close();
    expect(problems.join('\n\n')).toBe('');
  }, 900_000);

  // Signed out, the sign-in page wears the site's THEME and follows the device: flatly and darkly as THEME, with
  // the device light and dark, on desktop and phone (default is checked above).
  it.each(['flatly', 'darkly'])('sign-in page and /status with THEME=%s: no serious or critical axe violations, device light and dark, desktop and phone', async (theme) => {
    const themed = await startBrowseApp(requireDomain(), { env: { THEME: theme } });
    const problems: string[] = [];
    try {
      for (const device of DEVICES) {
        for (const colorScheme of ['light', 'dark'] as const) {
          const context = await browser.newContext({ ...device.options, ...axeContextOptions, colorScheme });
          const page = await context.newPage();
          for (const path of ['/login', '/status']) {
            await page.goto(`${themed.url}${path}`);
            expect(await page.locator('html').getAttribute('data-pc-theme')).toBe(theme);
            problems.push(...(await axeProblems(page, `${device.name} ${path} ${theme}, device ${colorScheme}`)));
          }
          await context.close();
        }
      }
    } finally {
      await themed.close();
    }
    expect(problems.join('\n\n')).toBe('');
  }, 180_000);

  it('no page scrolls sideways at 320, 390 or 768 px', async () => {
    const problems: string[] = [];
    const check = async (page: Page, label: string): Promise<void> => {
      for (const width of [320, 390, 768]) {
        await page.setViewportSize({ width, height: 800 });
        const overflow = await horizontalOverflow(page, `${width}px ${label}`);
        if (overflow) problems.push(overflow);
      }
    };
    const { context, page } = await signedIn({ viewport: { width: 320, height: 800 }, hasTouch: true, isMobile: true }, check);
    for (const visit of [...PAGES, STATUS]) {
      await visit.open(page, app.url);
      await check(page, visit.name);
    }
    await context.close();
    expect(problems.join('\n')).toBe('');
  }, 240_000);

  // A keyboard focus shows a ring: a solid outline (or a box-shadow) that is not 'none', whose colour stands out
  // at least 3:1 (WCAG 1.4.11, non-text contrast) against the background it is drawn on, in default and darkly.
  it.each(['default', 'darkly'])('keyboard focus shows a visible ring on a link, a button, a row checkbox, a form field and the navbar (%s)', async (theme) => {
    const { context, page } = await signedIn({ viewport: { width: 1280, height: 800 } }, async () => {});
    await page.goto(`${app.url}/settings`);
    await page.locator('#s-theme').selectOption(theme);
    await Promise.all([page.waitForURL(/\/settings/), page.getByRole('button', { name: 'Save settings' }).click()]);
    const missing: string[] = [];
    const targets = [
      { page: '/browse/shared/?view=list', selector: 'table.pc-list tbody td.text-break a', what: 'a file link' },
      { page: '/browse/shared/?view=list', selector: '[data-op="select-all"]', what: 'a button' },
      { page: '/browse/shared/?view=list', selector: 'table.pc-list tbody tr input[type="checkbox"]', what: 'a row checkbox' },
      { page: '/browse/shared/?view=list', selector: '#pc-search', what: 'the search field' },
      { page: '/browse/shared/?view=list', selector: 'nav.navbar a.nav-link', what: 'a navbar link' },
      { page: '/settings', selector: '#s-sort', what: 'a select' },
      { page: '/settings', selector: 'button[type="submit"].btn-primary', what: 'the primary button' },
    ];
    for (const target of targets) {
      if (!page.url().endsWith(target.page)) await page.goto(`${app.url}${target.page}`);
      const el = page.locator(target.selector).first();
      await el.focus();
      // A keyboard focus (not a click): Tab away and back makes :focus-visible apply, as a user tabbing there would.
      await page.keyboard.press('Tab');
      await page.keyboard.press('Shift+Tab');
      const ring = await page.evaluate((selector) => {
        const a = document.activeElement;
        if (!a || a === document.body) return { ok: false, what: 'nothing focused' };
        if (!a.matches(selector)) return { ok: false, what: `focus went to ${a.tagName} ${a.className}` };
        const s = getComputedStyle(a);
        const rgb = (c: string): number[] => (c.match(/[\d.]+/g) ?? []).map(Number);
        const lum = ([r = 0, g = 0, b = 0]: number[]): number => {
          const ch = (v: number): number => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
          return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b);
        };
        // The background the ring is drawn on: the nearest ancestor with an opaque background.
        let bg = 'rgb(255, 255, 255)';
        for (let p = a.parentElement; p; p = p.parentElement) {
          const c = getComputedStyle(p).backgroundColor;
          const parts = rgb(c);
          if (parts.length >= 3 && (parts.length === 3 || (parts[3] ?? 0) >= 0.99)) { bg = c; break; }
        }
        const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1;
        const shadow = s.boxShadow !== 'none' && s.boxShadow !== '';
        const colour = outline ? s.outlineColor : (/rgba?\([^)]*\)/.exec(s.boxShadow)?.[0] ?? '');
        const [l1, l2] = [lum(rgb(colour)), lum(rgb(bg))];
        const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
        const alpha = rgb(colour)[3] ?? 1;
        return {
          ok: a.matches(':focus-visible') && (outline || shadow) && alpha >= 0.99 && ratio >= 3,
          what: `${a.tagName} ${a.className}: outline=${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor} shadow=${s.boxShadow} on ${bg}, ${ratio.toFixed(2)}:1`,
        };
      }, target.selector);
      if (!ring.ok) missing.push(`${theme} ${target.what} (${target.selector}): ${ring.what}`);
    }
    await page.goto(`${app.url}/settings`);
    await page.locator('#s-theme').selectOption('');
    await Promise.all([page.waitForURL(/\/settings/), page.getByRole('button', { name: 'Save settings' }).click()]);
    await context.close();
    expect(missing).toEqual([]);
  }, 120_000);
});
