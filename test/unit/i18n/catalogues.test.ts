// Issue 14, languages: every shipped catalogue has exactly English's keys, with the same {placeholders} and
// plural forms, and every key the templates, the server and the browser code use exists. The type of de.ts
// already makes a missing key a compile error; this test also catches keys built at run time and typos in
// templates, which no compiler sees.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUES, LANGUAGES, lookup, type MessageTree, placeholdersOf, translate } from '../../../src/i18n/index.js';
import { isPlural } from '../../../src/i18n/format.js';
import { SHORTCUTS } from '../../../src/format/shortcuts.js';
import { fileTypeOf } from '../../../src/web/browse/file-types.js';
import { readFooterFile } from '../../../src/web/branding/footer.js';

const ROOT = resolve(import.meta.dirname, '../../..');

/** Every message of a catalogue: dotted key → its texts (one, or the plural forms). */
function messagesOf(tree: MessageTree, prefix = ''): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const [k, v] of Object.entries(tree)) {
    const key = `${prefix}${k}`;
    if (typeof v === 'string') out.set(key, { text: v });
    else if (isPlural(v)) out.set(key, Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string')));
    else for (const [kk, vv] of messagesOf(v as MessageTree, `${key}.`)) out.set(kk, vv);
  }
  return out;
}

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path, ext);
    return path.endsWith(ext) ? [path] : [];
  });
}

const english = messagesOf(CATALOGUES.en);

describe('message catalogues', () => {
  it('English has messages in every group the pages use', () => {
    expect(english.size).toBeGreaterThan(300);
    for (const group of ['nav', 'login', 'browse', 'upload', 'ops', 'settings', 'errors', 'client']) {
      expect([...english.keys()].some((k) => k.startsWith(`${group}.`)), group).toBe(true);
    }
  });

  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s has exactly the English keys, placeholders and plural forms', (lang) => {
    const other = messagesOf(CATALOGUES[lang]);
    const missing = [...english.keys()].filter((k) => !other.has(k));
    const extra = [...other.keys()].filter((k) => !english.has(k));
    expect(missing, `missing in ${lang}`).toEqual([]);
    expect(extra, `not in English`).toEqual([]);
    const differing: string[] = [];
    for (const [key, texts] of english) {
      const theirs = other.get(key) ?? {};
      expect(Object.keys(theirs).sort(), `forms of ${key}`).toEqual(Object.keys(texts).sort());
      // Per message: the same {names} over all its forms (a "one" form may leave out {count}), none unknown.
      const ours = [...new Set(Object.values(texts).flatMap(placeholdersOf))].sort();
      const their = [...new Set(Object.values(theirs).flatMap(placeholdersOf))].sort();
      if (their.join() !== ours.join()) differing.push(`${key}: {${their.join('}{')}} instead of {${ours.join('}{')}}`);
      for (const text of Object.values(theirs)) if (text.trim() === '' && Object.values(texts).some((t) => t.trim() !== '')) differing.push(`${key} is empty`);
    }
    expect(differing).toEqual([]);
  });

  it('a plural message has the forms its language needs (Intl.PluralRules) and always "other"', () => {
    for (const lang of LANGUAGES) {
      const needed = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
      for (const [key, texts] of messagesOf(CATALOGUES[lang])) {
        if ('text' in texts) continue;
        for (const form of needed) expect(texts[form], `${lang} ${key} needs "${form}"`).toBeTypeOf('string');
      }
    }
  });

  it("every t('…') and tHtml('…') in the templates names an English message", () => {
    const unknown: string[] = [];
    for (const file of filesUnder(join(ROOT, 'views'), '.ejs')) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bt(?:Html)?\('([^'$`]+)'/g)) if (!english.has(m[1] as string)) unknown.push(`${file}: ${m[1]}`);
      // Keys built in the template (settings' choices) are checked by name here.
      for (const m of text.matchAll(/\bt\(`([\w.]+)\.\$\{v\}`\)/g)) expect(lookup(CATALOGUES.en, `${m[1]}.list`), file).toBeDefined();
    }
    expect(unknown).toEqual([]);
  });

  it("the shipped footer.json names messages of the catalogue for its text and every label", () => {
    const footer = readFooterFile(join(ROOT, 'themes', 'branding', 'footer.json'));
    const messages = [footer.text, ...footer.links.map((l) => l.label)];
    expect(messages.length).toBe(4);
    for (const m of messages) {
      expect(m !== undefined && 'key' in m, JSON.stringify(m)).toBe(true);
      if (m && 'key' in m) for (const lang of LANGUAGES) expect(lookup(CATALOGUES[lang], m.key), `${lang} ${m.key}`).toBeTypeOf('string');
    }
  });

  // Text written straight into a template would reach a German page in English: every word a user reads comes
  // from t(). The operators' /status page (and its check list) stays English on purpose (README, Languages) and is
  // served with lang="en".
  it('no template writes text or a labelling attribute of its own: every word goes through t()', () => {
    const ENGLISH_ON_PURPOSE = new Set(['pages/status.ejs', 'partials/check-list.ejs']);
    const literal: string[] = [];
    let scanned = 0;
    for (const file of filesUnder(join(ROOT, 'views'), '.ejs')) {
      const name = file.slice(join(ROOT, 'views').length + 1);
      if (ENGLISH_ON_PURPOSE.has(name)) continue;
      scanned++;
      const blank = (m: string): string => m.replace(/[^\n]/g, ' ');
      // EJS comments and tags out (their output is t() or data), keeping line numbers.
      const ejsless = readFileSync(file, 'utf8').replace(/<%#[\s\S]*?%>/g, blank).replace(/<%[\s\S]*?%>/g, (m) => blank(m).replace(/^ /, '@'));
      const lineOf = (index: number): number => ejsless.slice(0, index).split('\n').length;
      for (const m of ejsless.matchAll(/\b(aria-label|aria-description|aria-roledescription|title|alt|placeholder)="([^"@]*)"/g)) {
        const value = m[2] ?? '';
        // A sample host name in a placeholder is not a word to translate.
        if (/[A-Za-z]{2,}/.test(value) && !/^[\w-]+(\.[\w-]+)+$/.test(value)) literal.push(`${name}:${lineOf(m.index)} ${m[1]}="${value}"`);
      }
      const text = ejsless.replace(/&#?\w+;/g, blank).replace(/<(script|style)\b[\s\S]*?<\/\1>/g, blank).replace(/<[^>]*>/g, blank);
      for (const m of text.matchAll(/[A-Za-z]{2,}/g)) literal.push(`${name}:${lineOf(m.index)} "${m[0]}"`);
    }
    expect(scanned).toBeGreaterThan(25);
    expect(literal).toEqual([]);
  });

  it('every keyboard shortcut has its description in the catalogue, the same in English as in the table', () => {
    for (const s of SHORTCUTS) expect(lookup(CATALOGUES.en, `shortcuts.descriptions.${s.id}`), s.id).toBe(s.description);
  });

  it('file type labels: the catalogue says in English what the type table says', () => {
    const names = ['a.jpg', 'b.pdf', 'c.mp4', 'd.mp3', 'e.zip', 'f.docx', 'g.xlsx', 'h.pptx', 'i.csv', 'j.ts', 'k.md', 'l.txt', 'm.xyz', 'noext', 'n.tiff', 'o.mkv'];
    for (const name of names) {
      const type = fileTypeOf(name);
      expect(translate(CATALOGUES.en, 'en', type.labelKey, { ext: type.ext.toUpperCase() }), name).toBe(type.label);
    }
    expect(translate(CATALOGUES.de, 'de', fileTypeOf('m.xyz').labelKey, { ext: 'XYZ' })).toBe('XYZ-Datei');
  });

  it("every msg('…') in the browser code names a message of the embedded `client` group", () => {
    const unknown: string[] = [];
    let seen = 0;
    for (const file of filesUnder(join(ROOT, 'src/client'), '.ts')) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bmsg\(\s*'([^']+)'/g)) {
        seen++;
        if (!english.has(`client.${m[1]}`)) unknown.push(`${file}: ${m[1]}`);
      }
    }
    expect(seen).toBeGreaterThan(100);
    expect(unknown).toEqual([]);
  });

  it('English output is what the pages said before translation: plural forms and placeholders fill in', () => {
    const t = (key: string, params?: Record<string, string | number>): string => translate(CATALOGUES.en, 'en', key, params);
    expect(t('browse.items', { count: 1 })).toBe('1 item');
    expect(t('browse.items', { count: 1234 })).toBe('1234 items');
    expect(t('browse.hiddenNotShown', { count: 2 })).toBe('2 hidden items are not shown.');
    expect(t('login.heading', { site: 'Portcullis' })).toBe('Sign in to Portcullis');
    expect(t('no.such.key')).toBe('no.such.key');
    const de = (key: string, params?: Record<string, string | number>): string => translate(CATALOGUES.de, 'de', key, params);
    expect(de('browse.items', { count: 1 })).toBe('1 Element');
    expect(de('browse.items', { count: 0 })).toBe('0 Elemente');
    expect(de('client.ops.selected', { count: '1.234' }, )).toBe('1.234 Elemente ausgewählt');
  });
});
