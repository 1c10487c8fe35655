/**
 * A translator for one language: what a request's pages use (res.locals.t and friends, set by
 * src/web/i18n/middleware.ts). Dates and numbers come from Intl in that language.
 */
import { formatBytes } from '../format/bytes.js';
import { interpolate, type Params, translate } from './format.js';
import { CATALOGUES, type Language, type MessageKeyOf } from './locales/index.js';

export interface Translator {
  lang: Language;
  /** key + params → text (plural messages take their form from params.count). Numbers go in as they are. */
  t: (key: MessageKeyOf, params?: Params) => string;
  /** The same with number params grouped the language's way ("1,234 results" / "1.234 Ergebnisse"). */
  tn: (key: MessageKeyOf, params?: Params) => string;
  /**
   * For messages that wrap markup around parts (a <code>, a link): the message is HTML-escaped and the params,
   * already HTML that the caller built and escaped, go in as they are.
   */
  tHtml: (key: MessageKeyOf, htmlParams: Readonly<Record<string, string>>) => string;
  /** A number grouped the language's way (1,234 / 1.234). */
  n: (value: number) => string;
  /** A size for people ("1.5 MB" / "1,5 MB"). */
  bytes: (value: number) => string;
  /** The browser's strings (the catalogue's `client` group) as JSON safe inside <script type="application/json">. */
  clientJson: () => string;
}

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c] ?? c);

/** For a message's own text in tHtml: an apostrophe stays as written (safe in text and in double-quoted attributes). */
const escapeText = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;' })[c] ?? c);

const clientJsonCache = new Map<Language, string>();
const translators = new Map<Language, Translator>();

/** One per language, made once: translators hold nothing per request. */
export function translatorFor(lang: Language): Translator {
  const cached = translators.get(lang);
  if (cached) return cached;
  const tree = CATALOGUES[lang];
  const numbers = new Intl.NumberFormat(lang);
  const tr: Translator = {
    lang,
    t: (key, params) => translate(tree, lang, key, params),
    tn: (key, params) => translate(tree, lang, key, params, (v) => numbers.format(v)),
    tHtml: (key, htmlParams) => interpolate(escapeText(translate(tree, lang, key)), htmlParams),
    n: (value) => numbers.format(value),
    bytes: (value) => formatBytes(value, lang),
    clientJson: () => {
      let json = clientJsonCache.get(lang);
      // `<` escaped, so no message can close the script element early.
      if (json === undefined) clientJsonCache.set(lang, (json = JSON.stringify(tree.client).replace(/</g, '\\u003c')));
      return json;
    },
  };
  translators.set(lang, tr);
  return tr;
}
