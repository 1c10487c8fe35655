// Single sign-on by OpenID Connect in Chromium (issue 15 section 4): the sign-in page's button leads to the
// university's provider (a real oidc-provider on loopback), back to Portcullis and into alice's home drive, by
// S4U delegation. No password ever reaches Portcullis: not in a request to it, its logs, its session store, its
// data files or its cookies.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_ACCOUNT } from '../fixtures/domain-data.js';
import { startOidcProvider, type OidcProviderFixture } from '../fixtures/oidc-provider.js';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import { requireDomain } from '../fixtures/require-domain.js';
import { launchChromium, watchProblems } from '../helpers/browser.js';
import { startWebApp, type WebApp } from '../helpers/web-app.js';

const LABEL = 'Sign in with your university account';

/** Every form a password could take in bytes at rest or on the wire. */
const PASSWORD_FORMS = [DEMO_PASSWORD, encodeURIComponent(DEMO_PASSWORD), Buffer.from(DEMO_PASSWORD).toString('base64')];
const containsPassword = (text: string): boolean => PASSWORD_FORMS.some((p) => text.includes(p));
const bytesContainPassword = (bytes: Buffer): boolean =>
  PASSWORD_FORMS.some((p) => bytes.includes(Buffer.from(p, 'utf8')) || bytes.includes(Buffer.from(p, 'utf16le')));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('OpenID Connect sign-in in Chromium', () => {
  let idp: OidcProviderFixture;
  let app: WebApp;
  let browser: Browser;

  beforeAll(async () => {
    idp = await startOidcProvider();
    const domain = requireDomain();
    app = await startWebApp(domain, {
      env: {
        AUTH_METHODS: 'password,oidc',
        KRB_SERVICE_PRINCIPAL: SERVICE_ACCOUNT,
        KRB_KEYTAB: domain.kerberos.keytab,
        OIDC_ISSUER: idp.issuer,
        OIDC_CLIENT_ID: idp.clientId,
        OIDC_CLIENT_SECRET: idp.clientSecret,
      },
    });
    idp.register([`${app.url}/auth/oidc/callback`]);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await idp?.close();
  });

  it("the button leads to the provider, back to Portcullis and into alice's home drive; no password reaches Portcullis", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watchProblems(page);
    // Everything the browser sends to Portcullis, as sent.
    const toPortcullis: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith(app.url)) return;
      toPortcullis.push([req.method(), req.url(), JSON.stringify(req.headers()), req.postData() ?? ''].join('\n'));
    });

    await page.goto(`${app.url}/browse/home/`);
    await page.waitForURL(/\/login\?next=/);
    await page.getByRole('link', { name: LABEL }).click();

    // The provider's own page: the password goes there and nowhere else.
    await page.waitForURL((url) => url.href.startsWith(`${idp.issuer}/interaction/`));
    expect(await page.title()).toBe('Example University login');
    await page.getByLabel('University username').fill('alice');
    await page.getByLabel('University password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();

    await page.waitForURL(`${app.url}/browse/home/`);
    await expect.poll(() => page.getByRole('link', { name: 'Welcome.txt', exact: true }).first().isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: 'Documents', exact: true }).first().isVisible()).toBe(true);
    // A file opens too: the delegated ticket reaches the file server for real reads.
    const download = await context.request.get(`${app.url}/download/home/Welcome.txt`);
    expect(download.status()).toBe(200);
    expect(await download.text()).toContain('Hello Alice Archer!');
    expect(problems).toEqual([]);

    // The provider did check her password (the test would prove nothing otherwise)…
    expect(idp.requests.some((r) => /^POST \/interaction\/[\w-]+\/login$/.test(r))).toBe(true);
    // …and Portcullis saw none: not in any request the browser sent it,
    expect(toPortcullis.length).toBeGreaterThan(3);
    expect(toPortcullis.filter(containsPassword)).toEqual([]);
    // nor in anything it logged (at debug level),
    expect(app.logs.length).toBeGreaterThan(0);
    expect(app.logs.filter(containsPassword)).toEqual([]);
    // nor in its session store, read back whole,
    const sessions = await new Promise<Record<string, unknown>>((resolve, reject) =>
      app.services.sessions.store.all?.((err, all) => (err ? reject(err as Error) : resolve((all ?? {}) as Record<string, unknown>))),
    );
    const stored = JSON.stringify(sessions);
    expect(stored).toContain('alice');
    expect(containsPassword(stored)).toBe(false);
    // nor in any byte of its data directory (the SQLite store with its WAL, settings, thumbnails),
    const files = filesUnder(app.config.dataDir);
    expect(files.some((f) => f.endsWith('sessions.sqlite'))).toBe(true);
    expect(files.filter((f) => bytesContainPassword(readFileSync(f)))).toEqual([]);
    // nor in a cookie.
    const cookies = await context.cookies(app.url);
    expect(cookies.map((c) => c.name)).toContain('portcullis.sid');
    expect(cookies.filter((c) => containsPassword(c.value))).toEqual([]);
    await context.close();
  });
});
