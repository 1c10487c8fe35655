// Production behind a TLS proxy, in a real browser: Chromium must accept the __Host- cookies (a wrong Path or a
// missing Secure would make it drop them silently, and sign-in would loop), and honour their deletion at sign-out.
// The proxy is simulated by X-Forwarded-Proto from loopback (TRUST_PROXY=loopback); Chromium treats
// http://localhost as a secure context, so it keeps Secure cookies there as it would over https.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import { requireDomain } from '../fixtures/require-domain.js';
import { launchChromium, signInWithForm, watchProblems } from '../helpers/browser.js';
import { startWebApp, type WebApp } from '../helpers/web-app.js';

describe('Secure cookies in Chromium (NODE_ENV=production behind a trusted proxy)', () => {
  let app: WebApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    app = await startWebApp(requireDomain(), { env: { NODE_ENV: 'production', TRUST_PROXY: 'loopback', LOGIN_MAX_PER_IP: '1000' } });
    base = app.url.replace('127.0.0.1', 'localhost');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('signs in, browses and signs out with only __Host- cookies', async () => {
    const context = await browser.newContext({ extraHTTPHeaders: { 'X-Forwarded-Proto': 'https' } });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${base}/login`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`${base}/browse/home/`);
    expect(await page.getByRole('link', { name: 'Documents', exact: true }).first().isVisible()).toBe(true);

    const names = (await context.cookies()).map((c) => c.name).sort();
    expect(names).toEqual(['__Host-portcullis.csrf', '__Host-portcullis.key', '__Host-portcullis.pre', '__Host-portcullis.sid']);
    for (const c of await context.cookies()) {
      expect(c.secure, c.name).toBe(true);
      expect(c.path, c.name).toBe('/');
      expect(c.httpOnly, c.name).toBe(true);
    }

    // The folder view is remembered in the user's stored settings, not in a cookie.
    await page.goto(`${base}/browse/home/?view=grid`);
    await page.goto(`${base}/browse/home/`);
    expect(await page.locator('.pc-grid').count()).toBe(1);
    expect((await context.cookies()).map((c) => c.name).sort()).toEqual(names);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login\?signed-out=1$/);
    const left = (await context.cookies()).map((c) => c.name);
    expect(left).not.toContain('__Host-portcullis.sid');
    expect(left).not.toContain('__Host-portcullis.key');
    await page.goto(`${base}/browse/home/`);
    await page.waitForURL(/\/login\?next=/);
    expect(problems).toEqual([]);
    await context.close();
  });
});
