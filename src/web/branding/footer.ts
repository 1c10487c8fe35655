// The footer's default text and links (issue 14): footer.json in BRANDING_DIR, else the one in themes/branding/.
// A text or label is either a message key (shown in the reader's language) or a literal (shown as written). A
// URL is a path on this site, an http(s) URL, or "service-desk:", which stands for the IT service desk as
// configured (SUPPORT_EMAIL as mailto:, else HELP_URL) and is left out when neither is set, so a fresh install
// never shows a link that leads nowhere.
import { readFileSync } from 'node:fs';
import { CATALOGUES, lookup } from '../../i18n/index.js';

/** A text of the footer: a catalogue key, translated per request, or an admin's literal text. */
export type FooterMessage = { key: string } | { text: string };

export interface FooterEntry {
  label: FooterMessage;
  url: string;
}

export interface FooterSpec {
  text?: FooterMessage | undefined;
  links: readonly FooterEntry[];
}

export const SERVICE_DESK = 'service-desk:';

export class FooterFileError extends Error {}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function messageOf(entry: Record<string, unknown>, keyField: string, textField: string, where: string): FooterMessage | undefined {
  const key = entry[keyField];
  const text = entry[textField];
  if (key !== undefined && text !== undefined) throw new FooterFileError(`${where}: give ${keyField} or ${textField}, not both`);
  if (key !== undefined) {
    // Checked at start-up: a typo in a key would otherwise show the raw key to every user.
    if (typeof key !== 'string' || typeof lookup(CATALOGUES.en, key) !== 'string') throw new FooterFileError(`${where}: ${keyField} ${JSON.stringify(key)} is not a message of the catalogue`);
    return { key };
  }
  if (text === undefined) return undefined;
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (typeof text !== 'string' || text.trim() === '' || text.length > 200 || /[\u0000-\u001f\u007f-\u009f]/.test(text)) {
    throw new FooterFileError(`${where}: ${textField} must be a text of 1 to 200 characters without control characters`);
  }
  return { text: text.trim() };
}

/** A site path ("/help", not "//host"), an http(s) URL, or the service desk placeholder; nothing that could run. */
function urlOf(raw: unknown, where: string): string {
  if (raw === SERVICE_DESK) return raw;
  if (typeof raw === 'string' && /^\/(?![/\\])/.test(raw)) return raw;
  if (typeof raw === 'string' && /^https?:\/\//i.test(raw)) {
    try {
      return new URL(raw).href;
    } catch {
      // falls through to the error below
    }
  }
  throw new FooterFileError(`${where}: url must be a path on this site (/…), an http(s) URL or "${SERVICE_DESK}"`);
}

/** Reads and checks a footer.json; any mistake stops the start with the file's name, like a bad setting. */
export function readFooterFile(file: string): FooterSpec {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new FooterFileError(`${file}: ${(err as Error).message}`);
  }
  if (!isRecord(data)) throw new FooterFileError(`${file}: expected an object with "links" and optionally "textKey" or "text"`);
  const rawLinks = data.links ?? [];
  if (!Array.isArray(rawLinks)) throw new FooterFileError(`${file}: "links" must be a list`);
  const links = rawLinks.map((link: unknown, i): FooterEntry => {
    const where = `${file}: links[${i}]`;
    if (!isRecord(link)) throw new FooterFileError(`${where}: expected an object with labelKey or label, and url`);
    const label = messageOf(link, 'labelKey', 'label', where);
    if (!label) throw new FooterFileError(`${where}: needs labelKey or label`);
    return { label, url: urlOf(link.url, where) };
  });
  return { text: messageOf(data, 'textKey', 'text', file), links };
}

/** The footer as shown: FOOTER_TEXT and FOOTER_LINKS replace the file's text and links; the desk placeholder resolved. */
export function resolveFooter(
  spec: FooterSpec,
  settings: { footerText?: string | undefined; footerLinks: readonly { label: string; url: string }[] },
  desk: { url?: string | undefined; supportEmail?: string | undefined },
): FooterSpec {
  const text = settings.footerText !== undefined ? { text: settings.footerText } : spec.text;
  if (settings.footerLinks.length > 0) return { text, links: settings.footerLinks.map((l) => ({ label: { text: l.label }, url: l.url })) };
  const deskUrl = desk.supportEmail ? `mailto:${desk.supportEmail}` : desk.url;
  const links = spec.links.flatMap((l) => (l.url !== SERVICE_DESK ? [l] : deskUrl ? [{ label: l.label, url: deskUrl }] : []));
  return { text, links };
}
