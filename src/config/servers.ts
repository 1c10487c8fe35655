import net from 'node:net';

/** A label of a host name pattern: letters, digits, hyphens, and the wildcards `*` and `?`. */
const PATTERN_LABEL = /^[a-z0-9*?](?:[a-z0-9*?-]{0,61}[a-z0-9*?])?$/u;

/**
 * One SERVERS_ALLOWED entry, lower-cased: `files.example.test`, `*.files.example.test`, `10.0.0.5`, each with an
 * optional `:port` (IPv6 as `[addr]:port`). Wildcards never stand for a whole name (`*` alone, `*.*`): an
 * administrator who wants everything must say so host by host.
 */
export function parseServerPattern(v: string): string | undefined {
  const text = v.trim().toLowerCase();
  const m = /^(?:\[([0-9a-f:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/u.exec(text);
  const host = m?.[1] ?? m?.[2];
  if (!m || host === undefined) return undefined;
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  if (m[1] !== undefined && net.isIP(host) !== 6) return undefined;
  if (m[1] === undefined && net.isIP(host) === 0) {
    const labels = host.replace(/\.$/u, '').split('.');
    if (host.length > 253 || !labels.every((l) => PATTERN_LABEL.test(l))) return undefined;
    if (labels.every((l) => /^[*?]+$/u.test(l))) return undefined;
  }
  const shown = net.isIP(host) === 6 ? `[${host}]` : host.replace(/\.$/u, '');
  return port === undefined ? shown : `${shown}:${port}`;
}
