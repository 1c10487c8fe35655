/**
 * Where to go after signing in: only a path on this site. The target is normalised first (dot segments
 * resolved, as the URL parser and every browser do) and checked afterwards, because `/.//evil`, `/%2e//evil`
 * and `/..//evil` only turn into the protocol-relative `//evil` once normalised. Anything that a browser or a
 * proxy could read as another origin, or with control characters, becomes the fallback.
 */
const BASE = new URL('http://portcullis.invalid');
const MAX_LENGTH = 2048;
/** A second slash or a backslash right after the first one: a browser reads the rest as a host name. */
const LEADS_OFF_SITE = /^\/[/\\]/;
/** Browsers drop tabs and newlines from URLs (`/\t/evil` is `//evil`) and treat `\` as `/`. */
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARACTER = /[\u0000-\u001f\u007f\\]/;
/** What the URL parser strips before reading a URL. */
const STRIPPED_BY_PARSERS = /[\t\n\r]/g;

export function safeRedirectTarget(next: unknown, fallback = '/'): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > MAX_LENGTH) return fallback;
  if (!next.startsWith('/') || LEADS_OFF_SITE.test(next) || UNSAFE_CHARACTER.test(next)) return fallback;
  const target = normalise(next);
  if (target === undefined || !staysOnSite(target) || normalise(target) !== target) return fallback;
  return target;
}

function normalise(path: string): string | undefined {
  try {
    const url = new URL(path, BASE);
    return url.origin === BASE.origin ? `${url.pathname}${url.search}${url.hash}` : undefined;
  } catch {
    return undefined;
  }
}

/** The normalised path, and every percent-decoding of it that a proxy or a later handler might apply. */
function staysOnSite(target: string): boolean {
  let form = target;
  for (let round = 0; round < 4; round++) {
    if (!form.startsWith('/') || LEADS_OFF_SITE.test(form.replace(STRIPPED_BY_PARSERS, ''))) return false;
    let decoded: string;
    try {
      decoded = decodeURIComponent(form);
    } catch {
      // Not valid percent-encoding: no one decodes it into anything else.
      return true;
    }
    if (decoded === form) return true;
    form = decoded;
  }
  // Encoded four levels deep: nothing legitimate looks like that.
  return false;
}
