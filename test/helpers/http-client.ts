// HTTP against a running app with a cookie jar, the way a browser without JavaScript would talk to it.
import { CookieJar, parseSetCookie, type SetCookie } from './cookie-jar.js';

export interface Reply {
  status: number;
  headers: Headers;
  /** The Location header made relative to the app ('/login?next=…'), or undefined. */
  location: string | undefined;
  setCookies: SetCookie[];
  text: string;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** Sent urlencoded, like a form. */
  form?: Record<string, string>;
}

export class HttpClient {
  constructor(
    public baseUrl: string,
    public jar: CookieJar = new CookieJar(),
  ) {}

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<Reply> {
    const { headers, body } = this.outgoing(opts);
    const res = await fetch(new URL(path, this.baseUrl), { method, headers, body, redirect: 'manual' });
    return this.incoming(res.status, res.headers, await res.text());
  }

  /** The headers and body a request carries: the jar's cookies, and a form urlencoded. */
  protected outgoing(opts: RequestOptions): { headers: Record<string, string>; body: string | undefined } {
    const headers: Record<string, string> = { Accept: 'text/html', ...opts.headers };
    const cookie = this.jar.header();
    if (cookie) headers.Cookie = cookie;
    if (!opts.form) return { headers, body: undefined };
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    return { headers, body: new URLSearchParams(opts.form).toString() };
  }

  /** Stores the reply's cookies in the jar and makes its Location relative to the app. */
  protected incoming(status: number, headers: Headers, text: string): Reply {
    const lines = headers.getSetCookie();
    this.jar.store(lines);
    const loc = headers.get('location');
    const location = loc === null ? undefined : loc.startsWith(this.baseUrl) ? loc.slice(this.baseUrl.length) || '/' : loc;
    return { status, headers, location, setCookies: lines.map(parseSetCookie), text };
  }

  get(path: string, opts: RequestOptions = {}): Promise<Reply> {
    return this.request('GET', path, opts);
  }

  post(path: string, form: Record<string, string>, opts: RequestOptions = {}): Promise<Reply> {
    return this.request('POST', path, { ...opts, form });
  }

  /** Another client with a copy of this one's cookies (optionally only some of them). */
  copy(only?: string[]): HttpClient {
    return new HttpClient(this.baseUrl, this.jar.clone(only));
  }
}

/** The CSRF token of the first form on a page. */
export function csrfTokenIn(html: string): string {
  const m = /name="_csrf" value="([^"]*)"/.exec(html);
  if (!m?.[1]) throw new Error(`no CSRF token on the page:\n${html.slice(0, 500)}`);
  return m[1];
}

/** The message in the page's alert (error or notice), whitespace-trimmed. */
export function alertIn(html: string): string | undefined {
  const m = /<div class="alert[^"]*"[^>]*>([\s\S]*?)<\/div>/.exec(html);
  return m?.[1] ? decodeEntities(m[1].trim()) : undefined;
}

export function decodeEntities(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The drive names in the navigation menu. */
export function menuDrives(html: string): string[] {
  const menu = /<ul class="navbar-nav me-auto" aria-label="Drives">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '';
  return [...menu.matchAll(/<\/i>\s*([^<]+?)\s*<\/a>/g)].map((m) => decodeEntities(m[1] ?? ''));
}

/** Names listed in a folder page (links and plain names in the listing). */
export function listedNames(html: string): string[] {
  // List view rows, and grid view cards.
  const cells = html.matchAll(/<td class="text-break">\s*<i [^>]*><\/i>\s*(?:<a href="[^"]*">)?([^<]*)|<span class="pc-card-name">([^<]*)/g);
  return [...cells].map((m) => decodeEntities((m[1] ?? m[2] ?? '').trim()));
}

export interface SignInOptions {
  next?: string;
  remember?: boolean;
  headers?: Record<string, string>;
}

/** Opens the sign-in page, then posts the form with its CSRF token. Returns the POST's reply. */
export async function signIn(client: HttpClient, username: string, password: string, opts: SignInOptions = {}): Promise<Reply> {
  const page = await client.get(opts.next ? `/login?next=${encodeURIComponent(opts.next)}` : '/login', { headers: opts.headers ?? {} });
  if (page.status !== 200) throw new Error(`GET /login gave ${page.status} (${page.location ?? ''})`);
  const form: Record<string, string> = { _csrf: csrfTokenIn(page.text), username, password, next: opts.next ?? '' };
  if (opts.remember) form.remember = '1';
  return client.post('/login', form, { headers: opts.headers ?? {} });
}

/** Signs in and fails the test unless it worked (303 away from /login). */
export async function signInOk(client: HttpClient, username: string, password: string, opts: SignInOptions = {}): Promise<Reply> {
  const reply = await signIn(client, username, password, opts);
  if (reply.status !== 303 || reply.location?.startsWith('/login')) {
    throw new Error(`sign-in as ${username} failed: ${reply.status} ${alertIn(reply.text) ?? ''}`);
  }
  return reply;
}

/** Posts the navbar's sign-out form, taking the CSRF token from a signed-in page. */
export async function signOut(client: HttpClient, fromPage = '/browse/home/'): Promise<Reply> {
  const page = await client.get(fromPage);
  return client.post('/logout', { _csrf: csrfTokenIn(page.text) });
}
