import { statSync } from 'node:fs';
import path from 'node:path';
import { parseList, parseText, setting } from './fields.js';

export interface FooterLink {
  label: string;
  url: string;
}

/** A directory that exists; its files override themes/branding/ one by one. */
const parseDirectory = (v: string): string | undefined => {
  const full = path.resolve(v);
  try {
    return statSync(full).isDirectory() ? full : undefined;
  } catch {
    return undefined;
  }
};

/**
 * "Label|URL": http(s) only, so a footer link can never be javascript: or data: (the template escapes, but an
 * escaped javascript: URL still runs when clicked).
 */
export const parseFooterLink = (v: string): FooterLink | undefined => {
  const bar = v.indexOf('|');
  if (bar <= 0) return undefined;
  const label = parseText(80)(v.slice(0, bar).trim());
  const raw = v.slice(bar + 1).trim();
  if (!label || !/^https?:\/\//i.test(raw)) return undefined;
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? { label, url: url.href } : undefined;
  } catch {
    return undefined;
  }
};

/** The branding settings, spread into the env schema. */
export const brandingSettings = {
  BRANDING_DIR: setting('an existing directory', parseDirectory),
  FOOTER_TEXT: setting('a text of at most 200 characters without control characters', parseText(200)),
  FOOTER_LINKS: setting('a comma-separated list of Label|https://… (http or https URLs only)', parseList(parseFooterLink), []),
};
