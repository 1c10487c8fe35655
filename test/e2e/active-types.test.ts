// Issue 10, item 13: files a browser would run (script, style sheets, HTML, SVG, XML) come from /download and
// /view as application/octet-stream with nosniff, so a page on this origin that points a <script src>, a module
// import or a style sheet at one (the CSP allows 'self') gets nothing to run. Checked over HTTP and in Chromium.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARES } from '../fixtures/domain-data.js';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import { requireDomain } from '../fixtures/require-domain.js';
import { signedIn, startBrowseApp } from '../helpers/browse.js';
import { launchChromium, signInWithForm } from '../helpers/browser.js';
import type { HttpClient } from '../helpers/http-client.js';
import type { WebApp } from '../helpers/web-app.js';
import { raw, urlOf } from '../integration/transfer/helpers.js';

const FOLDER = 'Active types';
const FILES: Record<string, string> = {
  'evil.js': "window.__ran = 'js';",
  'evil.mjs': "window.__ran = 'mjs'; export {};",
  'evil.css': 'html { --pc-evil: injected; }',
  'evil.html': "<!doctype html><script>parent.__ran = 'html'</script>",
  'evil.svg': '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
  'evil.xml': '<?xml version="1.0"?><?xml-stylesheet type="text/xsl" href="evil.xsl"?><x/>',
  'evil.xsl': '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"/>',
};

describe('active types from /download and /view', () => {
  let app: WebApp;
  let alice: HttpClient;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    const domain = requireDomain();
    dir = join(domain.sharesDir, SHARES.shared, FOLDER);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir, name), text);
    app = await startBrowseApp(domain);
    alice = await signedIn(app, 'alice');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(Object.keys(FILES))('%s: application/octet-stream, nosniff, attachment, exact bytes', async (name) => {
    for (const area of ['download', 'view']) {
      const r = await raw(alice, 'GET', urlOf(area, 'shared', FOLDER, name));
      expect(r.status, `${area} ${name}`).toBe(200);
      expect(r.headers.get('content-type'), `${area} ${name}`).toBe('application/octet-stream');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('content-disposition')).toMatch(/^attachment;/);
      expect(r.body.toString()).toBe(FILES[name]);
    }
  });

  it('JSON downloads as octet-stream; /view still previews it as inert, sandboxed text/plain', async () => {
    writeFileSync(join(dir, 'data.json'), '{"a":1}');
    const download = await raw(alice, 'GET', urlOf('download', 'shared', FOLDER, 'data.json'));
    expect(download.headers.get('content-type')).toBe('application/octet-stream');
    const view = await raw(alice, 'GET', urlOf('view', 'shared', FOLDER, 'data.json'));
    expect(view.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(view.headers.get('x-content-type-options')).toBe('nosniff');
    expect(view.headers.get('content-security-policy')).toMatch(/^sandbox;/);
  });

  it('in Chromium, a same-origin <script src>, module import or style sheet pointing at them runs nothing', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const blocked: string[] = [];
    page.on('console', (msg) => {
      if (/MIME type/.test(msg.text())) blocked.push(msg.text());
    });
    await page.goto(`${app.url}/login`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(/\/browse\//);
    const base = `/download/shared/${encodeURIComponent(FOLDER)}/`;
    // A string, not a function: the test runner would rewrite a dynamic import() inside a function.
    const outcome = await page.evaluate(`(async (base) => {
      const load = (el) => new Promise((resolve) => {
        el.onload = () => resolve('load');
        el.onerror = () => resolve('error');
        document.head.append(el);
      });
      const script = document.createElement('script');
      script.src = base + 'evil.js';
      const classic = await load(script);
      const moduleImport = await import(base + 'evil.mjs').then(() => 'load', () => 'error');
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = base + 'evil.css';
      const sheet = await load(link);
      const style = getComputedStyle(document.documentElement).getPropertyValue('--pc-evil');
      return { classic, moduleImport, sheet, ran: window.__ran ?? null, style };
    })(${JSON.stringify(base)})`);
    expect(outcome).toEqual({ classic: 'error', moduleImport: 'error', sheet: 'error', ran: null, style: '' });
    // Chromium says why: the type is not one it will run with strict MIME checking (nosniff).
    expect(blocked.join('\n')).toMatch(/application\/octet-stream/);
    await context.close();
  });
});
