import { UsageError } from './usage.js';

/** A parsed `//HOST[:PORT]/SHARE[/PATH]`: PATH segments are kept literally (no percent-decoding, no globbing). */
export interface SmbTarget {
  host: string;
  port: number;
  share: string;
  /** Share-relative path segments; empty for the share root. */
  segments: string[];
}

export const DEFAULT_PORT = 445;

/** True when `arg` is written as a UNC-ish target (`//host/…` or `\\host\…`) rather than a local path. */
export function looksLikeTarget(arg: string): boolean {
  return /^[\\/]{2}[^\\/]/.test(arg);
}

/** Splits on `/` and `\` and drops empty segments, so "a//b", "/a" and "a\b" all mean what they look like. */
export function splitSegments(path: string): string[] {
  return path.split(/[\\/]/).filter((s) => s.length > 0);
}

export function parseTarget(arg: string): SmbTarget {
  if (!looksLikeTarget(arg)) throw new UsageError(`not an SMB path: "${arg}" (expected //HOST[:PORT]/SHARE[/PATH])`);
  const [hostPort = '', share, ...segments] = splitSegments(arg.slice(2));
  const { host, port } = parseHostPort(hostPort, arg);
  if (share === undefined) throw new UsageError(`no share in "${arg}" (expected //HOST[:PORT]/SHARE[/PATH])`);
  return { host, port, share, segments };
}

/** `//HOST[:PORT]` (a trailing `/` allowed) for commands about a server, not a share; share is IPC$. */
export function parseServer(arg: string, share: string): SmbTarget {
  if (!looksLikeTarget(arg)) throw new UsageError(`not a server: "${arg}" (expected //HOST[:PORT])`);
  const [hostPort = '', extra] = splitSegments(arg.slice(2));
  if (extra !== undefined) throw new UsageError(`"${arg}" names a share; give only //HOST[:PORT]`);
  return { ...parseHostPort(hostPort, arg), share, segments: [] };
}

function parseHostPort(text: string, arg: string): { host: string; port: number } {
  // [IPv6]:port, [IPv6], host:port, host
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d+))?$/.exec(text);
  const host = m?.[1] ?? m?.[2];
  if (m === null || host === undefined) throw new UsageError(`bad host in "${arg}"`);
  if (m[3] === undefined) return { host, port: DEFAULT_PORT };
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`bad port in "${arg}"`);
  return { host, port };
}

export function sameShare(a: SmbTarget, b: SmbTarget): boolean {
  return a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port && a.share.toLowerCase() === b.share.toLowerCase();
}

/** The share-relative path as SmbShare takes it. */
export function sharePath(segments: readonly string[]): string {
  return segments.join('\\');
}

/** `\\HOST\SHARE\PATH` for messages (the port only when it is not 445). */
export function unc(t: SmbTarget, segments: readonly string[] = t.segments): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  const server = t.port === DEFAULT_PORT ? host : `${host}@${t.port}`;
  return ['', '', server, t.share, ...segments].join('\\');
}

export function baseOf(segments: readonly string[]): string | undefined {
  return segments[segments.length - 1];
}
