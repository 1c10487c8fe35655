/**
 * Where to go after signing in: only a path on this site. Anything that a browser could read as another
 * origin (`//evil`, `/\evil`, `https:`), or with control characters, becomes the home page.
 */
export function safeRedirectTarget(next: unknown, fallback = '/'): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > 2048) return fallback;
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return fallback;
  try {
    const url = new URL(next, 'http://portcullis.invalid');
    if (url.origin !== 'http://portcullis.invalid') return fallback;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return fallback;
  }
}
