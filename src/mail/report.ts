// What an exception report holds, gathered from the error and the request. Plain data: formatting and
// sending work on this, never on the request itself, so nothing from the body, cookies or headers (other
// than the user agent) can reach a mail by accident.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Request } from 'express';
import { UAParser } from 'ua-parser-js';
import { rootPath } from '../config/index.js';
import { isSecretName } from '../log.js';

export interface RequestFacts {
  method: string;
  /** Path and query, with secret-named query parameters removed. */
  url: string;
  /** The path alone, for subjects and fingerprints. */
  path: string;
  /** A bounded route pattern (`/browse/*`, `/login`), for fingerprints. */
  route: string;
  /** Per `trust proxy`. */
  clientIp: string;
  userAgent: string;
  platform: string;
  browser: string;
  browserVersion: string;
  /** "not signed in" when nobody is. */
  username: string;
  drive: string | undefined;
  smbPath: string | undefined;
}

export interface ErrorFacts {
  /** The thrown class (TypeError, SmbAccessDeniedError, DirectoryConfigError …). */
  type: string;
  message: string;
  code: string | undefined;
  /** For SMB errors anywhere in the cause chain. */
  ntStatus: { name: string; code: string } | undefined;
  /** The stack, with "Caused by" sections for the cause chain. */
  stack: string;
  /** The first frame of the stack, for fingerprints. */
  topFrame: string;
}

export type ReportKind = 'request' | 'uncaughtException' | 'unhandledRejection';

export interface ErrorReport {
  kind: ReportKind;
  reference: string;
  time: Date;
  host: string;
  appName: string;
  version: string;
  error: ErrorFacts;
  request: RequestFacts | undefined;
}

let cachedVersion: string | undefined;
export function appVersion(): string {
  if (cachedVersion === undefined) {
    try {
      cachedVersion = (JSON.parse(readFileSync(rootPath('package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
    } catch {
      cachedVersion = 'unknown';
    }
  }
  return cachedVersion;
}

const MIN_SCRUB_LENGTH = 4;
const SCRUBBED = '[redacted]';

/** Values the request carried that must never be written down: secret-named fields, every cookie, the Authorization header. */
export function secretValuesOf(req: Request): string[] {
  const values = new Set<string>();
  const add = (v: unknown): void => {
    if (typeof v === 'string' && v.length >= MIN_SCRUB_LENGTH) {
      values.add(v);
      // Also as it would appear in a URL or a form body.
      values.add(encodeURIComponent(v));
    } else if (Array.isArray(v)) v.forEach(add);
  };
  const body: unknown = req.body;
  if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) if (isSecretName(k)) add(v);
  }
  const cookies: unknown = (req as { cookies?: unknown }).cookies;
  if (cookies && typeof cookies === 'object') for (const v of Object.values(cookies as Record<string, unknown>)) add(v);
  const rawCookie = req.headers.cookie;
  if (rawCookie) {
    for (const part of rawCookie.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0) {
        const raw = part.slice(eq + 1).trim();
        add(raw);
        try {
          add(decodeURIComponent(raw));
        } catch {
          // not percent-encoded
        }
      }
    }
  }
  const auth = req.headers.authorization;
  if (auth) {
    add(auth);
    const credentials = auth.replace(/^\S+\s+/, '');
    add(credentials);
    if (/^basic\s/i.test(auth)) {
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      add(decoded);
      add(decoded.slice(decoded.indexOf(':') + 1));
    }
  }
  for (const [k, v] of Object.entries(req.query ?? {})) if (isSecretName(k)) add(v);
  // Longest first, so a value containing another is replaced whole.
  return [...values].sort((a, b) => b.length - a.length);
}

export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(SCRUBBED);
  return out;
}

/** Path plus query string without secret-named parameters (tokens, passwords, CSRF …). */
export function safeUrl(originalUrl: string): { url: string; path: string } {
  const q = originalUrl.indexOf('?');
  const path = q < 0 ? originalUrl : originalUrl.slice(0, q);
  if (q < 0) return { url: path, path };
  const params = new URLSearchParams(originalUrl.slice(q + 1));
  for (const name of [...new Set(params.keys())]) if (isSecretName(name)) params.delete(name);
  const query = params.toString();
  return { url: query ? `${path}?${query}` : path, path };
}

/** A route pattern of bounded cardinality: Express's own when a route matched, else the first path segment. */
export function routeOf(req: Request): string {
  const route: unknown = (req as { route?: { path?: unknown } }).route?.path;
  if (typeof route === 'string') return `${req.baseUrl}${route}`;
  const first = (req.originalUrl.split('?')[0] ?? '/').split('/')[1] ?? '';
  if (first === '') return '/';
  return /^[\w.-]{1,32}$/.test(first) ? `/${first}/*` : '/*';
}

export function describeUserAgent(ua: string): { platform: string; browser: string; browserVersion: string } {
  if (!ua) return { platform: 'unknown', browser: 'unknown', browserVersion: '' };
  const r = UAParser(ua);
  const os = [r.os.name, r.os.version].filter(Boolean).join(' ') || 'unknown';
  const device = [r.device.type, [r.device.vendor, r.device.model].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  return {
    platform: device ? `${os} (${device})` : os,
    browser: r.browser.name ?? 'unknown',
    browserVersion: r.browser.version ?? '',
  };
}

interface Causable {
  name?: unknown;
  message?: unknown;
  stack?: unknown;
  code?: unknown;
  status?: unknown;
  statusName?: unknown;
  cause?: unknown;
}

function causeChain(err: unknown): Causable[] {
  const chain: Causable[] = [];
  let cur: unknown = err;
  while (typeof cur === 'object' && cur !== null && chain.length < 8 && !chain.includes(cur as Causable)) {
    chain.push(cur as Causable);
    cur = (cur as Causable).cause;
  }
  return chain;
}

function typeName(e: Causable): string {
  const ctor = (e as { constructor?: { name?: unknown } }).constructor?.name;
  if (typeof e.name === 'string' && e.name !== 'Error') return e.name;
  return typeof ctor === 'string' && ctor !== 'Object' ? ctor : typeof e.name === 'string' ? e.name : 'Error';
}

function firstFrame(stack: string): string {
  const frames = stack.split('\n').filter((l) => /^\s+at /.test(l)).map((l) => l.trim());
  const own = frames.find((f) => !f.includes('node_modules') && !f.includes('node:'));
  // Without the column: the same line is the same place.
  return (own ?? frames[0] ?? '(no stack)').replace(/:(\d+):\d+(\)?)$/, ':$1$2');
}

export function errorFacts(err: unknown, secrets: readonly string[] = []): ErrorFacts {
  const chain = causeChain(err);
  if (chain.length === 0) {
    const text = scrub(String(err), secrets);
    return { type: typeof err, message: text, code: undefined, ntStatus: undefined, stack: '(no stack: a non-error value was thrown)', topFrame: '(none)' };
  }
  const top = chain[0] as Causable;
  const smb = chain.find((e) => typeof e.status === 'number' && e.status > 0xffff && typeof e.statusName === 'string');
  const stacks = chain.map((e, i) => {
    const s = typeof e.stack === 'string' ? e.stack : `${typeName(e)}: ${String(e.message ?? '')}`;
    return i === 0 ? s : `Caused by: ${s}`;
  });
  const stack = scrub(stacks.join('\n'), secrets);
  return {
    type: typeName(top),
    message: scrub(typeof top.message === 'string' ? top.message : String(err), secrets),
    code: typeof top.code === 'string' ? top.code : undefined,
    ntStatus: smb ? { name: String(smb.statusName), code: `0x${(smb.status as number >>> 0).toString(16).toUpperCase().padStart(8, '0')}` } : undefined,
    stack,
    topFrame: firstFrame(typeof top.stack === 'string' ? top.stack : ''),
  };
}

export function requestFacts(req: Request, locals: { context?: { username?: string; drive?: string; smbPath?: string } | undefined; user?: unknown }): RequestFacts {
  const { url, path } = safeUrl(req.originalUrl);
  const ua = req.get('user-agent') ?? '';
  const context = locals.context;
  const user = locals.user as { username?: unknown } | undefined;
  const username = context?.username ?? (typeof user?.username === 'string' ? user.username : undefined);
  let { drive, smbPath } = context ?? {};
  // Browsing URLs name the drive and the path: enough when the route did not note them itself.
  if (drive === undefined) {
    const m = /^\/(?:browse|download|files|upload|preview|zip)\/([^/]+)(\/.*)?$/.exec(path);
    if (m?.[1]) {
      try {
        drive = decodeURIComponent(m[1]);
        smbPath = decodeURIComponent(m[2] ?? '/');
      } catch {
        drive = m[1];
        smbPath = m[2] ?? '/';
      }
    }
  }
  return {
    method: req.method,
    url,
    path,
    route: routeOf(req),
    clientIp: req.ip ?? req.socket.remoteAddress ?? 'unknown',
    userAgent: ua || '(none)',
    ...describeUserAgent(ua),
    username: username ?? 'not signed in',
    drive,
    smbPath,
  };
}

export function buildReport(kind: ReportKind, err: unknown, reference: string, appName: string, req?: Request, locals?: Parameters<typeof requestFacts>[1]): ErrorReport {
  const secrets = req ? secretValuesOf(req) : [];
  const request = req ? requestFacts(req, locals ?? {}) : undefined;
  return { kind, reference, time: new Date(), host: hostname(), appName, version: appVersion(), error: errorFacts(err, secrets), request };
}

export function fingerprint(report: ErrorReport): string {
  return [report.error.type, report.error.topFrame, report.request ? `${report.request.method} ${report.request.route}` : report.kind].join('|');
}
