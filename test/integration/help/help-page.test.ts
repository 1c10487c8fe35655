// /help (issue 13) on the real app: the admin's HELP_URL and SUPPORT_EMAIL appear escaped (a quote in either
// cannot end the attribute), the version is package.json's, every shortcut of the one table is listed, and bad
// values stop the server at start-up. No sign-in is needed: the page is open to signed-out users.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/index.js';
import { SHORTCUTS } from '../../../src/format/shortcuts.js';
import { startTestApp, type TestApp } from '../app/helpers.js';

const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

async function page(app: TestApp): Promise<string> {
  const res = await fetch(`${app.url}/help`, { headers: { Accept: 'text/html' } });
  expect(res.status).toBe(200);
  return res.text();
}

describe('/help', () => {
  let configured: TestApp;
  let plain: TestApp;
  beforeAll(async () => {
    configured = await startTestApp({ HELP_URL: "https://help.example.test/it's/<b>?a=1&b=2", SUPPORT_EMAIL: "o'brien+help@example.test" });
    plain = await startTestApp();
  });
  afterAll(async () => {
    await configured?.close();
    await plain?.close();
  });

  it('shows HELP_URL and SUPPORT_EMAIL escaped, the version, and every shortcut', async () => {
    const html = await page(configured);
    // The URL as the config normalised it (< and > percent-encoded), its ' and & escaped in the attribute.
    expect(html).toContain('<a href="https://help.example.test/it&#39;s/%3Cb%3E?a=1&amp;b=2" rel="noopener" data-help-url>');
    expect(html).toContain('<a href="mailto:o&#39;brien+help@example.test" data-support-email>o&#39;brien+help@example.test</a>');
    expect(html).not.toContain("it's");
    expect(html).not.toContain("o'brien");
    expect(html).toContain(`is Portcullis version ${version}.`);
    const listed = [...html.matchAll(/data-shortcut-id="([^"]+)"/g)].map((m) => m[1]);
    expect(listed).toEqual(SHORTCUTS.map((s) => s.id));
    expect(html).toContain('<kbd>g</kbd> then <kbd>h</kbd>');
    expect(html).toContain('<kbd>Backspace</kbd> or <kbd>Alt</kbd>+<kbd>↑</kbd>');
    // The navbar's Help link.
    expect(html).toContain('<a class="nav-link" href="/help">');
    // How to upload, search and use the shortcuts, and which browsers are supported: one section each.
    const sections = [...html.matchAll(/<h2 class="h5" id="(help-[a-z]+)">([^<]*)<\/h2>/g)].map((m) => [m[1], m[2]]);
    expect(sections).toEqual([['help-contact', 'Getting help'], ['help-upload', 'Uploading'], ['help-search', 'Searching'], ['help-keys', 'Keyboard shortcuts'], ['help-browsers', 'Supported browsers']]);
    expect(html).toContain('or press <kbd>u</kbd>');
    expect(html).toContain('<strong>Search</strong> box');
    expect(html).toMatch(/Chrome, Edge, Firefox and Safari/);
  });

  it('without the settings, points to the service desk and links nowhere', async () => {
    const html = await page(plain);
    expect(html).toContain('Ask your IT service desk.');
    expect(html).not.toContain('data-help-url');
    expect(html).not.toContain('mailto:');
  });

  it('refuses a HELP_URL that is not http(s) or carries credentials, and a SUPPORT_EMAIL that is not an address', () => {
    for (const bad of ['javascript:alert(1)', 'data:text/html,hi', 'ftp://files.example.test/', 'https://user:pw@help.example.test/', 'help.example.test']) {
      expect(() => loadConfig({ HELP_URL: bad }), bad).toThrow(ConfigError);
    }
    expect(() => loadConfig({ SUPPORT_EMAIL: 'helpdesk' })).toThrow(/SUPPORT_EMAIL: expected an e-mail address/);
    expect(loadConfig({ HELP_URL: 'https://help.example.test', SUPPORT_EMAIL: 'it@example.test' }).help).toEqual({ url: 'https://help.example.test/', supportEmail: 'it@example.test' });
  });
});
