// The login page as a browser shows it: a background image from the rotation (computed style, and the image
// really loaded), the logo on a solid card, theme-color from the theme, and no CSP violation or console error.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDomain } from '../fixtures/require-domain.js';
import { launchChromium, watchProblems } from '../helpers/browser.js';
import { startWebApp, type WebApp } from '../helpers/web-app.js';

declare global {
  interface Window {
    __cspViolations?: string[];
  }
}

describe('branded login page in Chromium', () => {
  let app: WebApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startWebApp(requireDomain(), { env: { THEME: 'flatly', FOOTER_LINKS: 'Help|https://help.example.edu/' } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('shows a rotating background image and the logo, with the theme colour, and violates nothing', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(() => {
      window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations?.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const page = await context.newPage();
    const problems = watchProblems(page);
    const backgrounds: string[] = [];
    page.on('response', (res) => {
      if (res.url().includes('/branding/login-background/') && res.ok()) backgrounds.push(new URL(res.url()).pathname);
    });

    const shown: string[] = [];
    for (let visit = 0; visit < 2; visit++) {
      await page.goto(`${app.url}/login`);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundImage);
      expect(bg).toMatch(/^url\("http:\/\/127\.0\.0\.1:\d+\/branding\/login-background\/\d+"\)$/);
      shown.push(bg);
      // The image itself arrived (not just a CSS rule naming it).
      const path = new URL(/url\("([^"]+)"\)/.exec(bg)?.[1] ?? '').pathname;
      await expect.poll(() => backgrounds.includes(path)).toBe(true);

      const logo = page.locator('.login-card img.login-logo');
      await logo.waitFor();
      expect(await logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
      expect(await logo.getAttribute('alt')).toBe('Portcullis');
      // The card is opaque: the form's text never sits on the image.
      const cardBg = await page.locator('.login-card').evaluate((el) => getComputedStyle(el).backgroundColor);
      expect(cardBg).toMatch(/^rgb\(/);
      expect(await page.locator('meta[name="theme-color"]').getAttribute('content')).toBe('#2c3e50');
      // FOOTER_LINKS' Help, not the navbar's own /help page.
      expect(await page.getByRole('navigation', { name: 'Site links' }).getByRole('link', { name: 'Help' }).getAttribute('href')).toBe('https://help.example.edu/');
    }
    expect(shown[0]).not.toBe(shown[1]);
    expect(await page.evaluate(() => window.__cspViolations)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
