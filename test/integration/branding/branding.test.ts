// Branding over HTTP: the web app manifest and icons, footer text and links, BRANDING_DIR overrides, the
// settings' validation, and the login page's background rotating over the folder's images.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, rootPath } from '../../../src/config/index.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { csrfTokenIn, signInOk } from '../../helpers/http-client.js';
import { startWebApp, type WebApp } from '../../helpers/web-app.js';
import { startTestApp, type TestApp } from '../app/helpers.js';

const statusOk = async () => ({ ok: true, checkedAt: new Date().toISOString(), ldap: [], smb: [] });
const DEFAULTS = rootPath('themes', 'branding');

async function get(url: string): Promise<{ status: number; type: string; body: Buffer; headers: Headers }> {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

describe('the shipped footer (themes/branding/footer.json) and the privacy section', () => {
  let plain: TestApp;
  let withDesk: TestApp;
  let withHelpUrl: TestApp;
  beforeAll(async () => {
    plain = await startTestApp({}, { statusChecks: statusOk });
    withDesk = await startTestApp({ SUPPORT_EMAIL: 'desk@example.edu', HELP_URL: 'https://it.example.edu/files' }, { statusChecks: statusOk });
    withHelpUrl = await startTestApp({ HELP_URL: 'https://it.example.edu/files' }, { statusChecks: statusOk });
  });
  afterAll(async () => {
    await plain?.close();
    await withDesk?.close();
    await withHelpUrl?.close();
  });
  const footerOf = async (app: TestApp, path = '/status', lang = 'en'): Promise<string> => {
    const res = await fetch(app.url + path, { headers: { 'accept-language': lang } });
    const html = await res.text();
    return /<footer[\s\S]*<\/footer>/.exec(html)?.[0] ?? '';
  };

  it('shows the default text and links to this site\'s help and privacy section, and no service desk when none is configured', async () => {
    const footer = await footerOf(plain);
    expect(footer).toContain('<span class="pc-footer-text">Web access to your home drive and shared drives.</span>');
    expect(footer).toContain('<a class="text-reset" href="/help">Help</a>');
    expect(footer).toContain('<a class="text-reset" href="/help#privacy">Privacy</a>');
    expect(footer).not.toContain('IT service desk');
    expect([...footer.matchAll(/<a /g)].length).toBe(2);
  });

  it('links the IT service desk by SUPPORT_EMAIL (mailto), else by HELP_URL', async () => {
    expect(await footerOf(withDesk)).toContain('<a class="text-reset" href="mailto:desk@example.edu">IT service desk</a>');
    expect(await footerOf(withHelpUrl)).toContain('<a class="text-reset" href="https://it.example.edu/files">IT service desk</a>');
  });

  it('translates the default text and labels', async () => {
    const footer = await footerOf(withDesk, '/help', 'de');
    expect(footer).toContain('Webzugang zu Ihrem persönlichen Laufwerk und gemeinsamen Laufwerken.');
    expect(footer).toContain('<a class="text-reset" href="/help">Hilfe</a>');
    expect(footer).toContain('<a class="text-reset" href="/help#privacy">Datenschutz</a>');
    expect(footer).toContain('<a class="text-reset" href="mailto:desk@example.edu">IT-Service</a>');
  });

  it('the privacy section the footer links to is on /help, in English and German', async () => {
    const html = await (await fetch(`${plain.url}/help`)).text();
    expect(html).toContain('<h2 class="h5" id="privacy">Privacy</h2>');
    expect(html).toContain('objectGUID');
    expect(html).toMatch(/never the password itself/);
    expect(html).toMatch(/Never passwords\./);
    const de = await (await fetch(`${plain.url}/help`, { headers: { 'accept-language': 'de' } })).text();
    expect(de).toContain('<h2 class="h5" id="privacy">Datenschutz</h2>');
  });
});

describe('manifest, icons, and FOOTER_TEXT and FOOTER_LINKS over the shipped footer', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(
      {
        SITE_NAME: 'University of Testing Files',
        THEME: 'flatly',
        FOOTER_TEXT: '© Uni <b>IT</b>',
        FOOTER_LINKS: 'Help|https://help.example.edu/files?a=1&b=2, <Privacy>|http://example.edu/privacy,IT service desk|https://desk.example.edu/',
        SUPPORT_EMAIL: 'desk@example.edu',
      },
      { statusChecks: statusOk },
    );
  });
  afterAll(() => app?.close());

  it('serves a manifest with the site name, standalone display, the theme colour and icons that exist', async () => {
    const res = await get(`${app.url}/manifest.webmanifest`);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^application\/manifest\+json/);
    const manifest = JSON.parse(res.body.toString('utf8')) as Record<string, unknown> & { icons: { src: string; sizes: string; type: string }[] };
    expect(manifest).toMatchObject({
      name: 'University of Testing Files',
      short_name: 'University…',
      start_url: '/',
      display: 'standalone',
      theme_color: '#2c3e50',
      background_color: '#ffffff',
    });
    expect(manifest.icons.map((i) => i.sizes)).toEqual(['192x192', '512x512']);
    for (const icon of manifest.icons) {
      const png = await get(app.url + icon.src);
      expect(png.status, icon.src).toBe(200);
      expect(png.type).toBe('image/png');
      const meta = await sharp(png.body).metadata();
      expect(`${meta.width}x${meta.height}`).toBe(icon.sizes);
      expect(meta.format).toBe('png');
    }
  });

  it('serves the favicon (SVG and 32 px PNG), the touch icon and the logo with their types, and nothing else from the folder', async () => {
    const favicon = await get(`${app.url}/branding/favicon.svg`);
    expect(favicon.type).toMatch(/^image\/svg\+xml/);
    expect(favicon.body.toString('utf8')).toContain('<svg');
    expect((await sharp((await get(`${app.url}/branding/favicon-32.png`)).body).metadata()).width).toBe(32);
    expect((await sharp((await get(`${app.url}/branding/apple-touch-icon.png`)).body).metadata()).width).toBe(180);
    expect((await get(`${app.url}/branding/logo.svg`)).type).toMatch(/^image\/svg\+xml/);
    // The source SVG of the app tile and the folder itself are not served.
    expect((await get(`${app.url}/branding/app-icon.svg`)).status).toBe(404);
    expect((await get(`${app.url}/branding/..%2Fthemes.json`)).status).toBe(404);
  });

  it('links the manifest and icons from the layout, with theme-color from the theme, and renders the footer escaped', async () => {
    const html = (await get(`${app.url}/status`)).body.toString('utf8');
    expect(html).toContain('<link rel="manifest" href="/manifest.webmanifest">');
    expect(html).toContain('<link rel="icon" href="/branding/favicon.svg" type="image/svg+xml">');
    expect(html).toContain('<link rel="apple-touch-icon" href="/branding/apple-touch-icon.png">');
    expect(html).toContain('<meta name="theme-color" content="#2c3e50">');
    expect(html).toContain('© Uni &lt;b&gt;IT&lt;/b&gt;');
    expect(html).not.toContain('<b>IT</b>');
    expect(html).toContain('<a class="text-reset" href="https://help.example.edu/files?a=1&amp;b=2">Help</a>');
    expect(html).toContain('<a class="text-reset" href="http://example.edu/privacy">&lt;Privacy&gt;</a>');
    expect(html).toContain('<a class="text-reset" href="https://desk.example.edu/">IT service desk</a>');
    // The settings replace the shipped text and links as a whole.
    expect(html).not.toContain('Web access to your home drive');
    expect(html).not.toContain('href="/help#privacy"');
    expect(html).not.toContain('href="mailto:');
  });
});

describe('branding settings', () => {
  const refused = (env: Record<string, string>): string => {
    try {
      loadConfig({ NODE_ENV: 'test', ...env });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error(`accepted ${JSON.stringify(env)}`);
  };

  it('refuses footer links that are not http(s), lack a label or a URL, and a BRANDING_DIR that is not a directory', () => {
    expect(refused({ FOOTER_LINKS: 'Help|javascript:alert(1)' })).toMatch(/^FOOTER_LINKS: expected .*http or https/);
    expect(refused({ FOOTER_LINKS: 'Help|https://ok.example/,Data|data:text/html,x' })).toMatch(/^FOOTER_LINKS/);
    expect(refused({ FOOTER_LINKS: 'Files|ftp://files.example/' })).toMatch(/^FOOTER_LINKS/);
    expect(refused({ FOOTER_LINKS: 'https://no-label.example/' })).toMatch(/^FOOTER_LINKS/);
    expect(refused({ FOOTER_LINKS: '|https://empty-label.example/' })).toMatch(/^FOOTER_LINKS/);
    expect(refused({ FOOTER_TEXT: 'x'.repeat(201) })).toMatch(/^FOOTER_TEXT/);
    expect(refused({ BRANDING_DIR: '/nonexistent/branding' })).toMatch(/^BRANDING_DIR: expected an existing directory/);
    expect(refused({ BRANDING_DIR: path.join(DEFAULTS, 'logo.svg') })).toMatch(/^BRANDING_DIR/);
    const ok = loadConfig({ NODE_ENV: 'test', FOOTER_LINKS: 'Help|HTTPS://Help.Example.edu' });
    expect(ok.branding.footerLinks).toEqual([{ label: 'Help', url: 'https://help.example.edu/' }]);
  });
});

describe('BRANDING_DIR overrides file by file', () => {
  let dir: string;
  let app: TestApp;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pc-brand-'));
    await sharp({ create: { width: 40, height: 20, channels: 3, background: '#ff0000' } }).png().toFile(path.join(dir, 'logo.png'));
    writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg" id="own-favicon"/>');
    writeFileSync(
      path.join(dir, 'footer.json'),
      JSON.stringify({ text: 'Run by Uni <IT>', links: [{ label: 'Campus map', url: 'https://map.example.edu/' }, { labelKey: 'footer.help', url: '/help' }, { labelKey: 'footer.serviceDesk', url: 'service-desk:' }] }),
    );
    mkdirSync(path.join(dir, 'login-backgrounds'));
    writeFileSync(path.join(dir, 'login-backgrounds', 'campus.svg'), '<svg xmlns="http://www.w3.org/2000/svg" id="campus"/>');
    app = await startTestApp({ BRANDING_DIR: dir }, { statusChecks: statusOk });
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the own logo and favicon, keeps the defaults for the rest, and uses only the own backgrounds', async () => {
    const html = (await get(`${app.url}/status`)).body.toString('utf8');
    expect(html).toContain('<img src="/branding/logo.png"');
    expect((await get(`${app.url}/branding/logo.png`)).type).toBe('image/png');
    expect((await get(`${app.url}/branding/favicon.svg`)).body.toString('utf8')).toContain('own-favicon');
    expect((await get(`${app.url}/branding/icon-192.png`)).body.equals(readFileSync(path.join(DEFAULTS, 'icon-192.png')))).toBe(true);
    expect((await get(`${app.url}/branding/login-background/0`)).body.toString('utf8')).toContain('id="campus"');
    expect((await get(`${app.url}/branding/login-background/1`)).status).toBe(404);
    expect((await get(`${app.url}/branding/login.css`)).body.toString('utf8')).not.toContain('pc-login-bg-1');
  });

  it("uses BRANDING_DIR's footer.json instead of the shipped one: literal and catalogue labels, the desk left out unset", async () => {
    const footer = /<footer[\s\S]*<\/footer>/.exec((await get(`${app.url}/status`)).body.toString('utf8'))?.[0] ?? '';
    expect(footer).toContain('<span class="pc-footer-text">Run by Uni &lt;IT&gt;</span>');
    expect(footer).toContain('<a class="text-reset" href="https://map.example.edu/">Campus map</a>');
    expect(footer).toContain('<a class="text-reset" href="/help">Help</a>');
    expect(footer).not.toContain('Privacy');
    expect(footer).not.toContain('IT service desk');
  });

  it('refuses to start with a footer.json that names an unknown message, an unsafe URL or is not JSON', async () => {
    const bad = mkdtempSync(path.join(tmpdir(), 'pc-brand-bad-'));
    try {
      const refusedWith = async (content: string): Promise<string> => {
        writeFileSync(path.join(bad, 'footer.json'), content);
        try {
          const started = await startTestApp({ BRANDING_DIR: bad }, { statusChecks: statusOk });
          await started.close();
        } catch (err) {
          return (err as Error).message;
        }
        throw new Error(`started with ${content}`);
      };
      expect(await refusedWith(JSON.stringify({ links: [{ labelKey: 'footer.nope', url: '/help' }] }))).toMatch(/footer\.json: links\[0\]: labelKey "footer\.nope" is not a message/);
      expect(await refusedWith(JSON.stringify({ links: [{ label: 'X', url: 'javascript:alert(1)' }] }))).toMatch(/links\[0\]: url must be/);
      expect(await refusedWith(JSON.stringify({ links: [{ label: 'X', url: '//evil.example/' }] }))).toMatch(/links\[0\]: url must be/);
      expect(await refusedWith('{ not json')).toMatch(/footer\.json: /);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });
});

describe('login page backgrounds and the user\'s theme colour', () => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp(requireDomain());
  });
  afterAll(() => app?.close());

  it('rotates over every image in the folder, through a class and a stylesheet, never an inline style', async () => {
    const folder = path.join(DEFAULTS, 'login-backgrounds');
    const images = readdirSync(folder).sort();
    expect(images.length).toBe(3);
    const seen: number[] = [];
    for (let i = 0; i < images.length * 2; i++) {
      const res = await get(`${app.url}/login`);
      const html = res.body.toString('utf8');
      expect(res.headers.get('content-security-policy')).not.toMatch(/unsafe-inline/);
      expect(html).toContain('<link rel="stylesheet" href="/branding/login.css">');
      expect(html).not.toMatch(/\sstyle\s*=/i);
      const m = /<body class="[^"]*\bpc-login-page pc-login-bg-(\d+)"/.exec(html);
      expect(m, html.slice(0, 2000)).not.toBeNull();
      seen.push(Number(m?.[1]));
    }
    // Consecutive visits differ, and every image gets its turn.
    for (let i = 1; i < seen.length; i++) expect(seen[i]).not.toBe(seen[i - 1]);
    expect(new Set(seen)).toEqual(new Set(images.map((_, i) => i)));

    const css = (await get(`${app.url}/branding/login.css`)).body.toString('utf8');
    for (let i = 0; i < images.length; i++) {
      expect(css).toContain(`.pc-login-bg-${i}{background-image:url("/branding/login-background/${i}")}`);
      const img = await get(`${app.url}/branding/login-background/${i}`);
      expect(img.type).toMatch(/^image\/svg\+xml/);
      expect(img.body.equals(readFileSync(path.join(folder, images[i] ?? '')))).toBe(true);
    }
    // Other pages carry no login background.
    expect((await get(`${app.url}/status`)).body.toString('utf8')).not.toContain('login.css');
  });

  it("sets theme-color from the user's own theme once chosen in settings", async () => {
    const client = app.client();
    await signInOk(client, 'alice', DEMO_PASSWORD);
    const themeColor = async (): Promise<string | undefined> => /<meta name="theme-color" content="([^"]+)">/.exec((await client.get('/browse/home/')).text)?.[1];
    expect(await themeColor()).toBe('#0d6efd');
    const saved = await client.post('/settings', { _csrf: csrfTokenIn((await client.get('/settings')).text), theme: 'darkly' });
    expect(saved.status).toBe(303);
    expect(await themeColor()).toBe('#375a7f');
  });
});
