// Issue 14: "Colour contrast holds in every offered theme. Drop themes from the offered list that cannot pass, and
// say why in themes/themes.json." axe-core runs over the folder list, the settings page with its "saved" alert,
// help, a file selected with its menu open (danger as text) and the delete's confirmation (a solid danger button)
// in EVERY theme themes.json offers: in light, in dark, and in auto with the device dark (where the dark rules
// arrive through the auto stylesheet instead); a dark-only theme once, as designed. It runs the rules a look can
// change (LOOK_RULES in test/helpers/axe.ts: contrast, links in text, tap targets, scrolling regions); every rule
// runs on every page in the default theme (accessibility.test.ts). A serious or critical violation in any of them
// fails the test, naming theme, mode, page, rule and the measured ratio. The sign-in page, which wears the site's
// THEME rather than the user's, is checked with each offered theme as THEME.
//
// One browser, one signed-in context, one page: the theme and mode are set through the settings POST (as the form
// would, with its CSRF token), so a visit costs one navigation and one axe run.
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import { requireDomain } from '../fixtures/require-domain.js';
import { axeContextOptions, axeProblems, contrastFailures, LOOK_RULES } from '../helpers/axe.js';
import { startBrowseApp } from '../helpers/browse.js';
import { launchChromium, signInWithForm } from '../helpers/browser.js';
import type { WebApp } from '../helpers/web-app.js';

interface Registry {
  themes: string[];
  darkOnly: string[];
  notOffered?: Record<string, { why?: string }>;
}
const registry = JSON.parse(readFileSync(new URL('../../themes/themes.json', import.meta.url), 'utf8')) as Registry;
const notOffered = registry.notOffered ?? {};
const OFFERED = registry.themes.filter((t) => !(t in notOffered));

interface Visit {
  name: string;
  path: string;
  /** Brings the loaded page into the state to check. */
  then?: (page: Page) => Promise<void>;
}

/** A file row ticked: the toolbar's Delete (danger outline) is enabled. */
async function selectFile(page: Page): Promise<void> {
  // A DOM click, as a user's: sketchy draws its checkboxes in ::before on a 0×0 input, which Playwright will not click.
  await page.locator('table.pc-list tbody tr:not([data-kind="dir"]) input[type="checkbox"]').first().evaluate((el: HTMLInputElement) => el.click());
  await page.locator('.pc-ops-bar [data-op="delete"]:not([disabled])').first().waitFor();
}

const PAGES: Visit[] = [
  { name: 'folder list', path: '/browse/shared/?view=list' },
  // "Settings saved": an alert in the theme's success colours.
  { name: 'settings saved', path: '/settings?saved=1' },
  // The longest text page: headings, lists, <kbd> and <code> in the theme's colours.
  { name: 'help', path: '/help' },
  // Danger as text: Delete enabled in the toolbar and in a row's menu.
  {
    name: 'file selected, item menu open',
    path: '/browse/shared/?view=list',
    then: async (page) => {
      await selectFile(page);
      await page.locator('table.pc-list tbody tr:not([data-kind="dir"]) .pc-more').first().click();
      await page.locator('[data-row-menu].show').waitFor();
    },
  },
  // Danger as a solid button: the delete's confirmation.
  {
    name: 'delete confirmation',
    path: '/browse/shared/?view=list',
    then: async (page) => {
      await selectFile(page);
      await page.locator('.pc-ops-bar [data-op="delete"]').first().click();
      await page.locator('#pc-delete-dialog.show').waitFor();
      await expect.poll(() => page.locator('#pc-delete-dialog').evaluate((el) => getComputedStyle(el).opacity)).toBe('1');
    },
  },
];

/** Saves theme and colour mode the way the settings form does (its CSRF token, a form post). */
async function chooseLook(page: Page, url: string, theme: string, colourMode: string): Promise<void> {
  if (!page.url().includes('/settings')) await page.goto(`${url}/settings`);
  const status = await page.evaluate(async ({ theme, colourMode }) => {
    const token = document.querySelector<HTMLInputElement>('input[name="_csrf"]')?.value ?? '';
    const res = await fetch('/settings', {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: token, theme, colourMode }).toString(),
    });
    return res.status;
  }, { theme, colourMode });
  expect(status, `saving theme ${theme} ${colourMode}`).toBe(200);
}

describe('colour contrast in every offered theme (Chromium, axe-core)', () => {
  let app: WebApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    app = await startBrowseApp(requireDomain());
    browser = await launchChromium();
    context = await browser.newContext({ ...axeContextOptions, viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    await page.goto(`${app.url}/login`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(/\/browse\//);
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.close();
  });

  it('themes.json says why each theme it does not offer is left out', () => {
    for (const [theme, entry] of Object.entries(notOffered)) {
      expect(registry.themes, `${theme} is a theme the build ships`).toContain(theme);
      expect(entry.why ?? '', `why ${theme} is not offered`).toMatch(/\d(\.\d+)?:1/);
    }
    expect(OFFERED).toContain('default');
  });

  it(`no serious or critical axe violation in any of the ${OFFERED.length} offered themes, light and dark`, async () => {
    const problems: string[] = [];
    const failing = new Set<string>();
    for (const theme of OFFERED) {
      const darkOnly = registry.darkOnly.includes(theme);
      // Dark-only themes ignore the mode; one run shows them as designed.
      const modes = darkOnly ? ['dark'] : ['light', 'dark', 'auto'];
      for (const mode of modes) {
        await page.emulateMedia({ colorScheme: mode === 'auto' ? 'dark' : 'light' });
        await chooseLook(page, app.url, theme, mode);
        for (const visit of PAGES) {
          await page.goto(`${app.url}${visit.path}`);
          await visit.then?.(page);
          expect(await page.locator('html').getAttribute('data-pc-theme')).toBe(theme);
          const label = `${theme} ${mode === 'auto' ? 'auto (device dark)' : mode} ${visit.name}`;
          // Colour contrast as measured pairs (ratio, colours, how many, an example), the other rules in full.
          const all = await axeProblems(page, label, LOOK_RULES);
          const found = all.filter((p) => !p.includes(' color-contrast: '));
          const faint = found.length < all.length ? await contrastFailures(page) : [];
          found.push(...faint.map((f) => `[${label}] color-contrast ${f.ratio}:1 < ${f.required}:1, ${f.fg} on ${f.bg}, ${f.count}× e.g. ${f.example}`));
          if (found.length > 0) failing.add(`${theme}/${mode}`);
          problems.push(...found);
        }
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await chooseLook(page, app.url, '', 'auto');
    expect(`${[...failing].join(', ')}\n\n${problems.join('\n')}`.trim()).toBe('');
  }, 900_000);

  // The sign-in page wears the site's THEME, not a user's, and follows the device: an admin may set THEME to any
  // offered theme, so each one as THEME, with the device light and dark (a dark-only theme once).
  it(`the sign-in page in each of the ${OFFERED.length} offered themes as THEME, device light and dark`, async () => {
    const problems: string[] = [];
    for (const theme of OFFERED) {
      const themed = await startBrowseApp(requireDomain(), { env: { THEME: theme } });
      try {
        const schemes = registry.darkOnly.includes(theme) ? (['dark'] as const) : (['light', 'dark'] as const);
        for (const colorScheme of schemes) {
          const signedOut = await browser.newContext({ ...axeContextOptions, viewport: { width: 1280, height: 800 }, colorScheme });
          const login = await signedOut.newPage();
          await login.goto(`${themed.url}/login`);
          expect(await login.locator('html').getAttribute('data-pc-theme')).toBe(theme);
          const label = `${theme} sign-in page, device ${colorScheme}`;
          const all = await axeProblems(login, label, LOOK_RULES);
          const found = all.filter((p) => !p.includes(' color-contrast: '));
          const faint = found.length < all.length ? await contrastFailures(login) : [];
          found.push(...faint.map((f) => `[${label}] color-contrast ${f.ratio}:1 < ${f.required}:1, ${f.fg} on ${f.bg}, ${f.count}× e.g. ${f.example}`));
          problems.push(...found);
          await signedOut.close();
        }
      } finally {
        await themed.close();
      }
    }
    expect(problems.join('\n')).toBe('');
  }, 600_000);
});
