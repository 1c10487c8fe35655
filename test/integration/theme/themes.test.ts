// Issue 14, themes and colour modes over HTTP with the real app and DC: THEMES_ALLOWED limits the /settings
// choices and the form refuses anything else; the stored theme and colour mode are rendered into <html> and the
// stylesheet link (no script involved), the theme's name on <html> too (app.css's per-theme contrast corrections);
// the navbar's colour mode form works without JavaScript and only ever redirects back to a path on this site.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDomain } from '../../fixtures/require-domain.js';
import { signedIn, startBrowseApp } from '../../helpers/browse.js';
import { csrfTokenIn, decodeEntities, type HttpClient } from '../../helpers/http-client.js';
import type { WebApp } from '../../helpers/web-app.js';

/** What the page's <html> and theme link say. */
function lookOf(html: string): { html: string; theme: string | undefined; auto: boolean } {
  const tag = /<html[^>]*>/.exec(html)?.[0] ?? '';
  return {
    html: tag,
    theme: /<link rel="stylesheet" href="([^"]+)" data-pc-theme=/.exec(html)?.[1],
    auto: html.includes('<link rel="stylesheet" href="/build/vendor/bootswatch/flatly/auto.css">') || html.includes('/build/vendor/bootstrap-auto.css'),
  };
}

describe('themes and colour modes', () => {
  let app: WebApp;
  let alice: HttpClient;
  let token: string;

  beforeAll(async () => {
    app = await startBrowseApp(requireDomain(), { env: { THEME: 'flatly', THEMES_ALLOWED: 'default, flatly,darkly' } });
    alice = await signedIn(app, 'alice');
    token = csrfTokenIn((await alice.get('/settings')).text);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('signed out, the login page has the site theme and follows the device (auto)', async () => {
    const login = await app.client().get('/login');
    expect(lookOf(login.text)).toEqual({ html: '<html lang="en" data-pc-theme="flatly" data-bs-theme-auto>', theme: '/build/vendor/bootswatch/flatly/bootstrap.min.css', auto: true });
  });

  it('offers only the allowed themes and refuses others', async () => {
    const page = await alice.get('/settings');
    const options = [...(/<select[^>]*id="s-theme"[^>]*>([\s\S]*?)<\/select>/.exec(page.text)?.[1] ?? '').matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]);
    expect(options).toEqual(['', 'default', 'flatly', 'darkly']);
    expect(decodeEntities(page.text)).toContain('Darkly (always dark)');

    // cyborg is installed but not allowed.
    const refused = await alice.post('/settings', { _csrf: token, theme: 'cyborg' });
    expect(refused.status).toBe(400);
    expect(decodeEntities(refused.text)).toContain('“Theme” has a value that is not one of its choices.');
    expect(lookOf((await alice.get('/browse/home/')).text).theme).toBe('/build/vendor/bootswatch/flatly/bootstrap.min.css');
  });

  it('the colour mode form saves without JavaScript and goes back to the page it came from', async () => {
    const saved = await alice.post('/settings/colour-mode', { _csrf: token, colourMode: 'dark', back: '/browse/home/Documents/?view=grid' });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe('/browse/home/Documents/?view=grid');
    const page = await alice.get('/browse/home/Documents/');
    expect(lookOf(page.text).html).toBe('<html lang="en" data-pc-theme="flatly" data-bs-theme="dark">');
    expect(page.text).toMatch(/value="dark" aria-pressed="true"/);

    // Never off-site, whatever `back` says.
    for (const back of ['//evil.example/', 'https://evil.example/', '/\\evil.example', '/x\r\nSet-Cookie: a=b']) {
      expect((await alice.post('/settings/colour-mode', { _csrf: token, colourMode: 'light', back })).location).toBe('/');
    }
    expect(lookOf((await alice.get('/browse/home/')).text).html).toBe('<html lang="en" data-pc-theme="flatly" data-bs-theme="light">');
    expect((await alice.post('/settings/colour-mode', { _csrf: token, colourMode: 'sepia' })).status).toBe(400);
    expect((await alice.post('/settings/colour-mode', { colourMode: 'dark' })).status).toBe(403);
    expect((await app.client().post('/settings/colour-mode', { colourMode: 'dark' })).status).toBeGreaterThanOrEqual(400);
  });

  it('a dark-only theme renders as designed, without mode attributes (data-pc-dark-only for app.css), and says so in the control', async () => {
    expect((await alice.post('/settings', { _csrf: token, theme: 'darkly' })).status).toBe(303);
    const page = await alice.get('/browse/home/');
    expect(lookOf(page.text)).toEqual({ html: '<html lang="en" data-pc-theme="darkly" data-pc-dark-only>', theme: '/build/vendor/bootswatch/darkly/bootstrap.min.css', auto: false });
    expect(page.text).toContain('This theme is always dark.');
    // Back to plain Bootstrap: the stored mode (light) applies again.
    expect((await alice.post('/settings', { _csrf: token, theme: 'default' })).status).toBe(303);
    const plain = lookOf((await alice.get('/browse/home/')).text);
    expect(plain).toEqual({ html: '<html lang="en" data-pc-theme="default" data-bs-theme="light">', theme: '/build/vendor/bootstrap.min.css', auto: true });
  });

  // A form posted without JavaScript may be answered with a page (the delete's confirmation): it is a page like any
  // other, in the user's own theme and language (it came in the defaults: default theme, the browser's language).
  it('a page answering a form post (the no-JS delete confirmation) wears the user\'s theme and speaks the user\'s language', async () => {
    expect((await alice.post('/settings', { _csrf: token, theme: 'darkly', language: 'de' })).status).toBe(303);
    try {
      const confirm = await alice.post('/ops/home/', { _csrf: token, op: 'delete', items: 'Documents' }, { headers: { Accept: 'text/html', 'Accept-Language': 'en-GB' } });
      expect(confirm.status).toBe(200);
      expect(confirm.text).toContain('name="confirm"');
      expect(lookOf(confirm.text).html).toBe('<html lang="de" data-pc-theme="darkly" data-pc-dark-only>');
      // A refused name: the form page again, with its error, in German.
      const refused = await alice.post('/ops/home/', { _csrf: token, op: 'mkdir', name: 'no/slashes' }, { headers: { Accept: 'text/html', 'Accept-Language': 'en-GB' } });
      expect(refused.status).toBe(400);
      expect(lookOf(refused.text).html).toBe('<html lang="de" data-pc-theme="darkly" data-pc-dark-only>');
    } finally {
      expect((await alice.post('/settings', { _csrf: token, theme: 'default', language: 'auto' })).status).toBe(303);
    }
  });
});

// Themes the build ships but themes/themes.json does not offer (their colours fail axe's contrast check, measured by
// test/e2e/themes-contrast.test.ts): not in the settings list, and refused with the reason when posted anyway.
describe('themes not offered', () => {
  const registry = JSON.parse(readFileSync(new URL('../../../themes/themes.json', import.meta.url), 'utf8')) as { themes: string[]; notOffered: Record<string, { why: string }> };
  const notOffered = Object.keys(registry.notOffered);
  let app: WebApp;
  let alice: HttpClient;
  let token: string;

  beforeAll(async () => {
    app = await startBrowseApp(requireDomain());
    alice = await signedIn(app, 'alice');
    token = csrfTokenIn((await alice.get('/settings')).text);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('are not in the settings list; every offered theme is', async () => {
    expect(notOffered.length).toBeGreaterThan(0);
    const page = await alice.get('/settings');
    const options = [...(/<select[^>]*id="s-theme"[^>]*>([\s\S]*?)<\/select>/.exec(page.text)?.[1] ?? '').matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]);
    expect(options).toEqual(['', ...registry.themes.filter((t) => !notOffered.includes(t))]);
  });

  it('cannot be chosen: 400 naming the theme and why, and the page keeps its theme', async () => {
    for (const theme of notOffered) {
      const refused = await alice.post('/settings', { _csrf: token, theme });
      expect(refused.status).toBe(400);
      const text = decodeEntities(refused.text);
      expect(text).toContain(`“Theme”: the theme "${theme}" is not offered, because its colours fail the accessibility check: ${registry.notOffered[theme]?.why}`);
    }
    expect(/<html[^>]*>/.exec((await alice.get('/browse/home/')).text)?.[0]).toContain('data-pc-theme="default"');
  });
});
