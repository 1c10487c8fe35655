/**
 * Search's name matcher. Both the query and each name are folded the same way: Unicode NFD (so "é" and
 * "e" + U+0301 are alike), combining marks dropped (so "é" matches "e"), then case-folded (toLowerCase after
 * NFD; "ß" stays "ß", as Windows Explorer's search does not expand it either). A query without wildcards
 * matches anywhere in the name (substring); with `*` (any run) or `?` (one character) it must match the whole
 * name, as a Windows pattern does: "*.pdf" finds PDFs, "report*" names starting with "report".
 */

const MARKS = /\p{M}+/gu;

/** The folded form both sides are compared in. */
export function foldName(s: string): string {
  return s.normalize('NFD').replace(MARKS, '').toLowerCase().normalize('NFC');
}

export interface NameMatcher {
  (name: string): boolean;
  /** The query as the user typed it, trimmed. */
  readonly query: string;
  /**
   * A QUERY_DIRECTORY pattern whose server-side result is exactly what this matcher accepts, or undefined when
   * the server cannot be trusted to agree (see serverPatternOf).
   */
  readonly serverPattern: string | undefined;
}

const hasWildcard = (q: string): boolean => /[*?]/.test(q);

/**
 * The server's own matching (Samba: case-insensitive by default, `case sensitive = yes` possible; Windows:
 * case-insensitive, never accent-insensitive) agrees with ours only for a query that has nothing to fold:
 * no letters at all (digits, spaces, punctuation and the wildcards), nothing outside ASCII, and none of the
 * DOS wildcards `<`, `>`, `"` the protocol would read as patterns. Then "2024" becomes "*2024*" and the server
 * sends back only those names. With letters, "cafe" must also find "Café" and "CAFE", which only our fold does.
 */
export function serverPatternOf(query: string): string | undefined {
  if (!/^[\x20-\x7e]+$/.test(query) || /[A-Za-z<>"\\/:|]/.test(query)) return undefined;
  return hasWildcard(query) ? query : `*${query}*`;
}

function globToRegExp(folded: string): RegExp {
  let source = '';
  for (const ch of folded) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'su');
}

/** A matcher for `query` (trimmed; an empty query matches nothing). */
export function nameMatcher(rawQuery: string): NameMatcher {
  const query = rawQuery.trim();
  const folded = foldName(query);
  let test: (name: string) => boolean;
  if (folded === '') test = () => false;
  else if (hasWildcard(folded)) {
    const re = globToRegExp(folded);
    test = (name) => re.test(foldName(name));
  } else {
    test = (name) => foldName(name).includes(folded);
  }
  return Object.assign((name: string) => test(name), { query, serverPattern: folded === '' ? undefined : serverPatternOf(query) });
}
