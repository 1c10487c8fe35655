// The operations UI under the strict CSP: the folder page carries no inline script, handler or style, and
// opening every dialog and the row menu raises no CSP violation and no script error.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainInfo } from '../fixtures/domain.js';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import { requireDomain } from '../fixtures/require-domain.js';
import { launchChromium, signInWithForm, watchProblems } from '../helpers/browser.js';
import { startWebApp, type WebApp } from '../helpers/web-app.js';

declare global {
  interface Window {
    __cspViolations?: string[];
  }
}

describe('operations UI and the CSP', () => {
  let domain: DomainInfo;
  let app: WebApp;
  let browser: Browser;

  beforeAll(async () => {
    domain = requireDomain();
    app = await startWebApp(domain, { env: { LOGIN_MAX_PER_IP: '1000' } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('has no inline script, handler or style, and its dialogs and menu violate nothing', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(() => {
      window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations?.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${app.url}/login`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`${app.url}/browse/home/`);
    const res = await page.goto(`${app.url}/browse/shared/`);
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);

    const html = (await res?.text()) ?? '';
    expect(html).toContain('data-ops');
    // Data is not script: the browser code's messages ride in <script type="application/json"> (never run).
    expect(html.match(/<script(?![^>]*\ssrc=)(?![^>]*\stype="application\/json")[^>]*>/gi) ?? []).toEqual([]);
    expect(html.match(/\son[a-z]+\s*=/gi) ?? []).toEqual([]);
    expect(html.match(/\sstyle\s*=/gi) ?? []).toEqual([]);

    const dialog = page.getByRole('dialog');
    const close = async (): Promise<void> => {
      await dialog.getByRole('button', { name: 'Cancel' }).first().click();
      await dialog.waitFor({ state: 'hidden' });
    };
    await page.getByRole('toolbar', { name: 'File actions' }).getByRole('button', { name: 'New folder' }).click();
    await dialog.getByLabel('Name').waitFor();
    await close();
    await page.getByRole('checkbox', { name: 'Select Report.pdf' }).check();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(() => dialog.locator('[data-delete-summary]').textContent()).toBe('1 item, 588 B');
    await close();
    await page.getByRole('button', { name: 'Copy to…' }).click();
    await expect.poll(() => dialog.getByRole('button', { name: 'Projects' }).count()).toBe(1);
    await close();
    await page.getByRole('button', { name: 'Properties' }).click();
    await dialog.getByRole('button', { name: 'Close' }).last().click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('[data-name="Report.pdf"] a').first().click({ button: 'right' });
    await page.getByRole('menu').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('menu').waitFor({ state: 'hidden' });

    expect(await page.evaluate(() => window.__cspViolations)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);
});
