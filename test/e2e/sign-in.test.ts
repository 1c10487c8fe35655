// The sign-in page in a real browser (headless Chromium) against the real app and the Samba AD DC:
// with JavaScript, without it, and on a phone-sized screen.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import { requireDomain } from '../fixtures/require-domain.js';
import { launchChromium, signInWithForm, watchProblems } from '../helpers/browser.js';
import { startWebApp, type WebApp } from '../helpers/web-app.js';

describe('sign-in in Chromium', () => {
  let app: WebApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startWebApp(requireDomain(), { env: { LOGIN_MAX_PER_IP: '1000' } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('alice signs in by the labelled form and lands on her home drive; the menu lists My home, Shared, Library; no console errors or CSP violations', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${app.url}/`);
    await page.waitForURL(/\/login$/);
    expect(await page.title()).toContain('Sign in');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain(app.config.site.name);
    expect(await page.getByLabel('Keep me signed in').isChecked()).toBe(false);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/home/`);
    const menu = page.getByRole('list', { name: 'Drives' }).getByRole('link');
    expect((await menu.allTextContents()).map((t) => t.trim())).toEqual(['My home', 'Shared', 'Library']);
    expect(await page.getByRole('link', { name: 'Documents', exact: true }).first().isVisible()).toBe(true);
    await page.getByRole('link', { name: 'Shared' }).click();
    await page.waitForURL(`${app.url}/browse/shared/`);
    expect(await page.getByRole('link', { name: 'Projects', exact: true }).first().isVisible()).toBe(true);
    // The session cookies are not readable by scripts.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    const cookies = await context.cookies();
    for (const name of ['portcullis.sid', 'portcullis.key']) {
      const c = cookies.find((x) => x.name === name);
      expect(c?.httpOnly, name).toBe(true);
      expect(c?.sameSite, name).toBe('Lax');
      // Without "keep me signed in" the key cookie ends with the browser.
      if (name === 'portcullis.key') expect(c?.expires).toBe(-1);
    }
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login\?signed-out=1$/);
    await page.goto(`${app.url}/browse/home/`);
    await page.waitForURL(/\/login\?next=/);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("bob's menu has no Shared", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.url}/login`);
    await signInWithForm(page, 'bob', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/home/`);
    const menu = page.getByRole('list', { name: 'Drives' }).getByRole('link');
    expect((await menu.allTextContents()).map((t) => t.trim())).toEqual(['My home', 'Library']);
    await context.close();
  });

  it('a wrong password shows the message and keeps the username', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${app.url}/login`);
    await signInWithForm(page, 'alice', 'not-the-password');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('The username or password is incorrect.');
    expect(await page.getByLabel('Username').inputValue()).toBe('alice');
    expect(problems.filter((p) => !p.includes('401'))).toEqual([]);
    await context.close();
  });

  it('signs in without JavaScript', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${app.url}/browse/home/Documents/`);
    await page.waitForURL(/\/login\?next=/);
    await signInWithForm(page, 'jürgen', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/home/Documents/`);
    expect(await page.getByText('Essay draft.txt').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login\?signed-out=1$/);
    await context.close();
  });

  it('"keep me signed in" gives the cookies a long life', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.url}/login`);
    await signInWithForm(page, 'carol', DEMO_PASSWORD, { remember: true });
    await page.waitForURL(`${app.url}/browse/home/`);
    const days = app.config.session.rememberDays * 86_400;
    for (const c of (await context.cookies()).filter((x) => x.name === 'portcullis.sid' || x.name === 'portcullis.key')) {
      expect(c.expires - Date.now() / 1000, c.name).toBeGreaterThan(days - 60);
    }
    await context.close();
  });

  it('works on a phone (390×844): no sideways scrolling, the menu opens from its toggle', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3 });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${app.url}/login`);
    const overflow = (): Promise<number> => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    const button = page.getByRole('button', { name: 'Sign in' });
    const box = await button.boundingBox();
    expect(box?.width).toBeGreaterThan(200);
    await page.getByLabel('Username').tap();
    await signInWithForm(page, 'manygroups', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/home/`);
    expect(await overflow()).toBeLessThanOrEqual(0);
    const myHome = page.getByRole('link', { name: 'My home' });
    expect(await myHome.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Toggle navigation' }).tap();
    await myHome.waitFor({ state: 'visible' });
    expect(await page.getByRole('link', { name: 'Documents', exact: true }).first().isVisible()).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('SESSION_REMEMBER_ME=false in Chromium', () => {
  let app: WebApp;
  let browser: Browser;
  beforeAll(async () => {
    app = await startWebApp(requireDomain(), { env: { SESSION_REMEMBER_ME: 'false' } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('has no "Keep me signed in" checkbox', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.url}/login`);
    expect(await page.getByLabel('Keep me signed in').count()).toBe(0);
    expect(await page.getByRole('checkbox').count()).toBe(0);
    await context.close();
  });
});
