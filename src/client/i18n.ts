/**
 * The browser's strings: the layout embeds the served language's `client` messages as JSON in
 * <script type="application/json" id="pc-messages"> (data, so the CSP allows it), and <html lang> names the
 * language. Without them (unit tests in Node, a page that leaves them out) the English messages apply.
 */
import { formatBytes } from '../format/bytes.js';
import { type MessageTree, type Params, translate } from '../i18n/format.js';
import { en } from '../i18n/locales/en.js';
import type { ClientMessageKey } from '../i18n/locales/index.js';

let messages: MessageTree | undefined;

function catalogue(): MessageTree {
  if (messages) return messages;
  messages = en.client;
  const script = typeof document === 'undefined' ? null : document.getElementById('pc-messages');
  if (script?.textContent) {
    try {
      const parsed: unknown = JSON.parse(script.textContent);
      if (typeof parsed === 'object' && parsed !== null) messages = parsed as MessageTree;
    } catch {
      // Keep English: a broken embed must not break the page.
    }
  }
  return messages;
}

/** The page's language (<html lang>), for Intl. */
export function pageLang(): string {
  return (typeof document === 'undefined' ? '' : document.documentElement.lang) || 'en';
}

/**
 * The locale for Intl: the browser's own preference when it is a variant of the page's language (en-GB,
 * de-AT: their date order and separators), else the page's language.
 */
export function intlLocale(): string {
  const lang = pageLang();
  const preferred = typeof navigator === 'undefined' ? [] : (navigator.languages ?? []);
  return preferred.find((l) => l.toLowerCase().split('-')[0] === lang) ?? lang;
}

/**
 * For the page's own API calls: the server loads the user's Language setting for pages only, so the calls name
 * the page's language and its messages (a name that exists, a denied folder) come back in it.
 */
export const languageHeader = (): { 'Accept-Language': string } => ({ 'Accept-Language': pageLang() });

/** A number grouped the page language's way. */
export const num = (n: number): string => n.toLocaleString(intlLocale());

/**
 * A client message in the page's language; plural messages take their form from params.count. Number params
 * are grouped the language's way ("1,234" / "1.234"); pass a string where a number must stay as it is.
 */
export function msg(key: ClientMessageKey, params?: Params): string {
  return translate(catalogue(), pageLang(), key, params, num);
}

/** A size in the page's language ("1.5 MB" / "1,5 MB"). */
export const bytes = (n: number): string => formatBytes(n, intlLocale());
