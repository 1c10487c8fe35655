// Issue 14, languages over HTTP with the real app and DC: Accept-Language picks German (regions and q-values
// included), <html lang> and Content-Language say so and caches are told (Vary); the "Language" setting
// overrides the header and persists across sign-ins; sizes, counts and error pages follow the language; English
// stays the default for a browser that asks for nothing we ship.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDomain } from '../../fixtures/require-domain.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { SHARES } from '../../fixtures/domain-data.js';
import { signedIn, startBrowseApp } from '../../helpers/browse.js';
import { csrfTokenIn, decodeEntities, type HttpClient } from '../../helpers/http-client.js';
import type { WebApp } from '../../helpers/web-app.js';

const FOLDER = `Languages test ${process.pid}`;
const base = `/browse/shared/${encodeURIComponent(FOLDER)}/`;
const GERMAN = { 'Accept-Language': 'de-AT,de;q=0.9,en;q=0.5' };
const ENGLISH = { 'Accept-Language': 'en-GB,en;q=0.9' };

const htmlLang = (html: string): string | undefined => /<html lang="([^"]+)"/.exec(html)?.[1];
const text = (html: string): string => decodeEntities(html);
/** The selected option of the settings page's Language select. */
const chosenLanguage = (html: string): string | undefined => /<select[^>]*id="s-language"[^>]*>[\s\S]*?<option value="([^"]+)" selected/.exec(html)?.[1];

describe('languages', () => {
  let domain: DomainInfo;
  let app: WebApp;
  let alice: HttpClient;
  let dir: string;

  beforeAll(async () => {
    domain = requireDomain();
    dir = join(domain.sharesDir, SHARES.shared, FOLDER);
    mkdirSync(dir, { mode: 0o777 });
    writeFileSync(join(dir, 'report.txt'), 'x'.repeat(1536));
    writeFileSync(join(dir, 'notes.txt'), 'x'.repeat(10));
    app = await startBrowseApp(domain);
    alice = await signedIn(app, 'alice');
  });
  afterAll(async () => {
    if (alice) await alice.post('/settings', { _csrf: csrfTokenIn((await alice.get('/settings')).text), language: 'auto' });
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('signed out, the sign-in page is German for a German browser and English otherwise', async () => {
    const de = await app.client().get('/login', { headers: GERMAN });
    expect(de.status).toBe(200);
    expect(htmlLang(de.text)).toBe('de');
    expect(de.headers.get('content-language')).toBe('de');
    expect(de.headers.get('vary')).toMatch(/Accept-Language/i);
    expect(text(de.text)).toContain('<title>Anmelden · ');
    expect(text(de.text)).toContain('>Benutzername</label>');
    expect(text(de.text)).toContain('>Passwort</label>');
    expect(de.text).toContain('<script type="application/json" id="pc-messages">');

    for (const headers of [{}, ENGLISH, { 'Accept-Language': 'fr-FR,fr;q=0.9' }, { 'Accept-Language': 'de;q=0.1, en;q=0.8' }]) {
      const en = await app.client().get('/login', { headers });
      expect(htmlLang(en.text), JSON.stringify(headers)).toBe('en');
      expect(en.headers.get('content-language')).toBe('en');
      expect(text(en.text)).toContain('>Username</label>');
      expect(text(en.text)).toMatch(/Sign in to /);
    }
  });

  it('signed in with "Automatic", the folder page follows the header: German words, counts and sizes', async () => {
    const page = await alice.get(base, { headers: GERMAN });
    expect(page.status).toBe(200);
    expect(htmlLang(page.text)).toBe('de');
    const t = text(page.text);
    expect(t).toContain('>Abmelden</button>');
    expect(t).toContain('Hochladen');
    expect(t).toContain('>Neuer Ordner</span>');
    expect(t).toContain('2 Elemente');
    expect(t).toMatch(/<td class="pc-size">1,5 KB<\/td>/);
    expect(t).toMatch(/<td class="pc-size">10 B<\/td>/);
    // The browser's strings for this language ride along as data.
    const embedded = JSON.parse(/<script type="application\/json" id="pc-messages">([\s\S]*?)<\/script>/.exec(page.text)?.[1] ?? '{}') as { upload?: { done?: string } };
    expect(embedded.upload?.done).toBe('Fertig');

    const english = await alice.get(base, { headers: ENGLISH });
    expect(htmlLang(english.text)).toBe('en');
    expect(text(english.text)).toContain('2 items');
    expect(english.text).toMatch(/<td class="pc-size">1\.5 KB<\/td>/);
  });

  it('the Language setting overrides the header, is offered in /settings, and persists across sign-ins', async () => {
    const settings = await alice.get('/settings', { headers: ENGLISH });
    expect(text(settings.text)).toContain('<label class="form-label h5" for="s-language">Language</label>');
    expect(chosenLanguage(settings.text)).toBe('auto');
    expect(text(settings.text)).toContain('Automatic (from the browser)');
    expect(settings.text).toContain('<option value="de" lang="de">Deutsch</option>');
    const token = csrfTokenIn(settings.text);

    const saved = await alice.post('/settings', { _csrf: token, language: 'de' }, { headers: ENGLISH });
    expect(saved.status).toBe(303);
    const after = await alice.get('/settings?saved=1', { headers: ENGLISH });
    expect(htmlLang(after.text)).toBe('de');
    expect(after.headers.get('content-language')).toBe('de');
    expect(text(after.text)).toContain('Einstellungen gespeichert.');
    expect(chosenLanguage(after.text)).toBe('de');
    expect(htmlLang((await alice.get(base, { headers: ENGLISH })).text)).toBe('de');

    // A new sign-in (another device) with an English browser still gets German.
    const again = await signedIn(app, 'alice');
    const page = await again.get(base, { headers: ENGLISH });
    expect(htmlLang(page.text)).toBe('de');
    expect(text(page.text)).toContain('>Abmelden</button>');

    // English chosen explicitly wins over a German browser; a language we do not ship is refused.
    expect((await alice.post('/settings', { _csrf: token, language: 'en' }, { headers: GERMAN })).status).toBe(303);
    expect(htmlLang((await alice.get(base, { headers: GERMAN })).text)).toBe('en');
    const refused = await alice.post('/settings', { _csrf: token, language: 'fr' }, { headers: ENGLISH });
    expect(refused.status).toBe(400);
    expect(text(refused.text)).toContain('“Language” has a value that is not one of its choices.');

    // Back to Automatic: the header decides again.
    expect((await alice.post('/settings', { _csrf: token, language: 'auto' })).status).toBe(303);
    expect(htmlLang((await alice.get(base, { headers: GERMAN })).text)).toBe('de');
    expect(htmlLang((await alice.get(base, { headers: ENGLISH })).text)).toBe('en');
  });

  it('error pages, sign-in errors and notices speak the language', async () => {
    const missing = await alice.get(`${base}no-such-folder/`, { headers: GERMAN });
    expect(missing.status).toBe(404);
    expect(htmlLang(missing.text)).toBe('de');
    const t = text(missing.text);
    expect(t).toContain('Nicht gefunden');
    expect(t).toContain('„no-such-folder“ wurde nicht gefunden.');
    expect(t).toContain('Zurück zur Startseite');

    const english = await alice.get(`${base}no-such-folder/`);
    expect(text(english.text)).toContain('“no-such-folder” was not found. It may have been moved or deleted.');

    // A wrong password on the sign-in page: the sign-in error in German.
    const visitor = app.client();
    const form = await visitor.get('/login', { headers: GERMAN });
    const badLogin = await visitor.post('/login', { _csrf: csrfTokenIn(form.text), username: 'alice', password: 'not-her-password' }, { headers: GERMAN });
    expect(badLogin.status).toBe(401);
    expect(htmlLang(badLogin.text)).toBe('de');
    expect(text(badLogin.text)).toContain('Benutzername oder Passwort ist falsch.');

    // Signing out comes back to the sign-in page, which says so in German.
    const leaving = await signedIn(app, 'alice');
    const out = await leaving.post('/logout', { _csrf: csrfTokenIn((await leaving.get(base)).text) }, { headers: GERMAN });
    expect(out.status).toBe(303);
    const after = await leaving.get(out.location ?? '/login', { headers: GERMAN });
    expect(text(after.text)).toContain('Sie haben sich abgemeldet.');
  });
});
