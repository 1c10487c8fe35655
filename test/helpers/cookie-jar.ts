// A tiny cookie jar for HTTP tests: one host, names → values, with the last Set-Cookie line of each name kept
// so tests can look at its attributes (HttpOnly, SameSite, Secure, Max-Age).

export interface SetCookie {
  name: string;
  value: string;
  /** Attribute names lower-cased → value ('' for flags such as HttpOnly). */
  attrs: Record<string, string>;
  raw: string;
}

export function parseSetCookie(line: string): SetCookie {
  const [pair = '', ...rest] = line.split(';');
  const eq = pair.indexOf('=');
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  const attrs: Record<string, string> = {};
  for (const part of rest) {
    const i = part.indexOf('=');
    const key = (i < 0 ? part : part.slice(0, i)).trim().toLowerCase();
    if (key) attrs[key] = i < 0 ? '' : part.slice(i + 1).trim();
  }
  return { name, value, attrs, raw: line };
}

export class CookieJar {
  private readonly values = new Map<string, string>();
  /** The last Set-Cookie line seen for each name, even if it deleted the cookie. */
  readonly lastSet = new Map<string, SetCookie>();

  /** Takes a response's Set-Cookie lines: expired or emptied cookies are removed, as a browser would. */
  store(lines: string[]): void {
    for (const line of lines) {
      const c = parseSetCookie(line);
      this.lastSet.set(c.name, c);
      const expires = c.attrs.expires ? Date.parse(c.attrs.expires) : NaN;
      const gone = c.attrs['max-age'] !== undefined ? Number(c.attrs['max-age']) <= 0 : !Number.isNaN(expires) && expires <= Date.now();
      if (gone) this.values.delete(c.name);
      else this.values.set(c.name, c.value);
    }
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  set(name: string, value: string): void {
    this.values.set(name, value);
  }

  delete(name: string): void {
    this.values.delete(name);
  }

  names(): string[] {
    return [...this.values.keys()];
  }

  /** A copy holding the same cookies (another browser with stolen cookies, or the same one after a restart). */
  clone(only?: string[]): CookieJar {
    const copy = new CookieJar();
    for (const [k, v] of this.values) if (!only || only.includes(k)) copy.set(k, v);
    return copy;
  }

  header(): string {
    return [...this.values].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}
