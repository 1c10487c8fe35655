/**
 * The HTTP side of sending one file, with no I/O: validators (ETag, Last-Modified), conditional requests
 * (304), byte ranges (206/416, If-Range), Content-Type and Content-Disposition. Pure functions, so every rule
 * is unit-tested without a file server.
 */
import { createHash } from 'node:crypto';
import { create as contentDisposition } from 'content-disposition';
import mime from 'mime-types';

export interface FileFacts {
  size: number;
  mtime: Date;
  /** NTFS ChangeTime: moves on every data or metadata change, even when a writer restores mtime. */
  ctime: Date;
  birthtime: Date;
}

/**
 * A strong ETag from size + mtime + ctime + birthtime. Strong, because If-Range only works with strong
 * validators (RFC 9110 13.1.5) and resuming a download is what Range is for; it is as strong as nginx's
 * (size + mtime), plus ChangeTime, which catches writers that reset mtime, and birthtime, which catches a
 * file replaced by another of the same size and times. The path is not part of it: an ETag is per URL.
 */
export function etagOf(f: FileFacts): string {
  const h = createHash('sha256').update(`${f.size}:${f.mtime.getTime()}:${f.ctime.getTime()}:${f.birthtime.getTime()}`).digest('base64url');
  return `"${h.slice(0, 27)}"`;
}

export const lastModifiedOf = (f: FileFacts): string => f.mtime.toUTCString();

const opaque = (tag: string): string => tag.trim().replace(/^W\//, '');

/** If-None-Match: weak comparison over a list, or `*`. */
function noneMatch(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => opaque(t) === opaque(etag));
}

/**
 * RFC 9110 13.2.2 for GET/HEAD: If-None-Match decides when present (weak comparison); otherwise
 * If-Modified-Since, compared at the one-second precision of HTTP dates.
 */
export function notModified(headers: { 'if-none-match'?: string | undefined; 'if-modified-since'?: string | undefined }, f: FileFacts): boolean {
  const inm = headers['if-none-match'];
  if (inm !== undefined) return noneMatch(inm, etagOf(f));
  const ims = headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  if (Number.isNaN(since)) return false;
  return Math.floor(f.mtime.getTime() / 1000) * 1000 <= since;
}

export type RangeDecision =
  /** Send the whole file with 200. */
  | { kind: 'full' }
  /** Send bytes start..end (inclusive) with 206. */
  | { kind: 'partial'; start: number; end: number }
  /** 416 with `Content-Range: bytes *\/size`. */
  | { kind: 'unsatisfiable' };

/**
 * One byte range, or the whole file. Decisions:
 * - a multi-range request (`bytes=0-1,5-9`) is answered with the whole file (200): RFC 9110 lets a server
 *   ignore Range, no player or download manager needs multipart/byteranges, and it cannot be abused to make
 *   us read the same bytes many times;
 * - a malformed Range or another unit is ignored likewise (200), as the RFC says;
 * - If-Range that does not match (strong ETag comparison, or the exact Last-Modified date) means "the file
 *   changed, send it all" (200);
 * - a syntactically valid range starting at or beyond the end (or a zero suffix, or any range of an empty
 *   file) is unsatisfiable: 416.
 */
export function decideRange(headers: { range?: string | undefined; 'if-range'?: string | undefined }, f: FileFacts): RangeDecision {
  const range = headers.range;
  if (range === undefined) return { kind: 'full' };
  const ifRange = headers['if-range'];
  if (ifRange !== undefined) {
    const v = ifRange.trim();
    const matches = v.startsWith('"') ? v === etagOf(f) : v === lastModifiedOf(f);
    if (!matches) return { kind: 'full' };
  }
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(range.trim());
  if (!m) return { kind: 'full' };
  const [, first = '', last = ''] = m;
  const size = f.size;
  if (first === '' && last === '') return { kind: 'full' };
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return { kind: 'full' };
  if (start >= size) return { kind: 'unsatisfiable' };
  const end = last === '' ? size - 1 : Number(last);
  return { kind: 'partial', start, end: Math.min(end, size - 1) };
}

/**
 * Extensions of files a browser runs or renders as a document when this origin serves them with their own
 * type: markup (HTML, XHTML, SVG, XML with XSLT), script, style sheets, WebAssembly, and data a script could
 * import (JSON). Checked beside the MIME type, for names mime-types maps to something harmless or not at all.
 */
const ACTIVE_EXTENSIONS = new Set([
  'html', 'htm', 'shtml', 'xhtml', 'xht', 'mht', 'mhtml', 'hta', 'htc',
  'js', 'mjs', 'cjs', 'jsm', 'es', 'jsx', 'css', 'wasm', 'json', 'jsonld', 'map', 'webmanifest',
  'svg', 'svgz', 'xml', 'xsl', 'xslt', 'xsd', 'xul', 'rdf', 'rss', 'atom', 'mml', 'swf', 'appcache', 'manifest',
]);

/** MIME types of the same kinds: HTML, any XML (`*+xml` too), any JavaScript or ECMAScript, CSS, Wasm, JSON. */
const ACTIVE_TYPE = /^(text\/html|text\/css|application\/wasm|application\/x-shockwave-flash|text\/cache-manifest|text\/x-component|[a-z]+\/([\w.+-]*\+)?(xml|json)|[a-z]+\/[\w.+-]*(javascript|ecmascript|jscript))$/i;

/** Whether `name` is a type a browser could run or render as a page from this origin (see ACTIVE_EXTENSIONS). */
export function isActiveType(name: string): boolean {
  const dot = name.lastIndexOf('.');
  const ext = dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
  const type = mime.lookup(name);
  return ACTIVE_EXTENSIONS.has(ext) || (type !== false && ACTIVE_TYPE.test(type));
}

/**
 * The Content-Type of a download: by the name, so the browser offers the right application, except that
 * active types (isActiveType) are always application/octet-stream. With `nosniff` (on every response) no
 * `<script src>`, style sheet, frame or XSLT on this origin can then run a file a user uploaded.
 */
export function contentTypeOf(name: string): string {
  if (isActiveType(name)) return 'application/octet-stream';
  return mime.contentType(name) || 'application/octet-stream';
}

// C0, DEL and C1 controls: no file name needs them, and a decoded CR/LF is the one thing that must never
// reach a download manager's "save as" box.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/gu;

/**
 * `attachment` or `inline` with the name per RFC 6266: an ISO-8859-1 fallback `filename="…"` (quotes and
 * backslashes escaped, others as `?`) and `filename*=UTF-8''…` percent-encoded, which every current browser
 * prefers. Control characters become `_` first.
 */
export function dispositionHeader(type: 'attachment' | 'inline', name: string): string {
  const clean = name.replace(CONTROLS, '_') || 'download';
  return contentDisposition(clean, { type });
}

/** What /view shows inline, and as which Content-Type; everything else is an attachment. */
const INLINE_TYPES = new Map<string, string>([
  ['application/pdf', 'application/pdf'],
  ['image/png', 'image/png'],
  ['image/jpeg', 'image/jpeg'],
  ['image/gif', 'image/gif'],
  ['image/webp', 'image/webp'],
  ['image/avif', 'image/avif'],
  ['image/bmp', 'image/bmp'],
  // Plain-text formats are shown as what they are to a reader: text/plain, UTF-8. Never text/html or a
  // type a browser would run.
  ['text/plain', 'text/plain; charset=utf-8'],
  ['text/csv', 'text/plain; charset=utf-8'],
  ['text/markdown', 'text/plain; charset=utf-8'],
  ['text/tab-separated-values', 'text/plain; charset=utf-8'],
  ['application/json', 'text/plain; charset=utf-8'],
  ['audio/mpeg', 'audio/mpeg'],
  ['audio/mp4', 'audio/mp4'],
  ['audio/x-m4a', 'audio/mp4'],
  ['audio/aac', 'audio/aac'],
  ['audio/ogg', 'audio/ogg'],
  ['audio/opus', 'audio/ogg'],
  ['audio/wav', 'audio/wav'],
  ['audio/wave', 'audio/wav'],
  ['audio/x-wav', 'audio/wav'],
  ['audio/flac', 'audio/flac'],
  ['audio/x-flac', 'audio/flac'],
  ['audio/webm', 'audio/webm'],
  ['video/mp4', 'video/mp4'],
  ['video/webm', 'video/webm'],
  ['video/ogg', 'video/ogg'],
  ['video/quicktime', 'video/quicktime'],
  ['video/x-m4v', 'video/mp4'],
]);

/** The Content-Type to show `name` inline with, or undefined when it must be an attachment. */
export function inlineTypeOf(name: string): string | undefined {
  const type = mime.lookup(name);
  return type === false ? undefined : INLINE_TYPES.get(type);
}
