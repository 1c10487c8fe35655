/**
 * "Connect to server": which servers a user may list and browse by name, and the drives (`@host/share`) that
 * stand for their shares. Pure string work, on purpose: a refused name is refused before any DNS look-up or
 * TCP connection, so the app cannot be used to map the network behind it.
 */
import net from 'node:net';
import type { Config } from '../config/index.js';
import { parseUnc, resolveSmbHost } from '../config/index.js';
import type { DriveRef, DriveUser } from './drives.js';

/** A server the user may use: as named (lower-case, `:port` only when given) and where to connect. */
export interface AllowedServer {
  /** As it appears in URLs: `files.example.test`, `10.0.0.5`, `files.example.test:4450`. */
  name: string;
  /** The host name or address alone, as a UNC path would name it. */
  hostName: string;
  host: string;
  port: number;
}

export type ServerRefusal = 'bad_name' | 'not_allowed';

export const SERVER_DRIVE_PREFIX = '@';

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/u;
/** Characters Windows refuses in a share name, control characters, and the path separators. */
const BAD_SHARE = /[\\/:*?"<>|[\];=+,\p{Cc}]/u;

/** `host`, `host:port`, `a.b.c.d[:port]` or `[v6][:port]`, lower-cased; undefined for anything else. */
export function parseServerName(text: string): { hostName: string; port: number | undefined; literal: boolean } | undefined {
  if (text.length === 0 || text.length > 300) return undefined;
  const m = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9.-]+))(?::(\d{1,5}))?$/u.exec(text.toLowerCase());
  if (!m) return undefined;
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535 || String(port) !== m[3])) return undefined;
  if (m[1] !== undefined) return net.isIPv6(m[1]) ? { hostName: m[1], port, literal: true } : undefined;
  const host = m[2] ?? '';
  if (net.isIPv4(host)) return { hostName: host, port, literal: true };
  // Numbers that are not a dotted quad ("10.1", "2130706433", "0x7f.1") are IPv4 in disguise to inet_aton.
  if (/^(?:(?:0x[0-9a-f]*|[0-9]+)(?:\.|$)){1,4}$/u.test(host) || !HOST_NAME.test(host)) return undefined;
  return { hostName: host, port, literal: false };
}

const globToRegExp = (glob: string): RegExp =>
  new RegExp(`^${glob.replace(/[.+^${}()|[\]\\-]/gu, (c) => `\\${c}`).replaceAll('*', '[a-z0-9-]*').replaceAll('?', '[a-z0-9-]')}$`, 'u');

/** The default list: the servers the configured drives and this user's home directory name. */
export function defaultServers(config: Config, user: DriveUser): string[] {
  const names = config.drives.map((d) => d.host.toLowerCase());
  const home = user.homeDirectory === undefined ? undefined : parseUnc(user.homeDirectory.trim());
  if (home) names.push(home.host.toLowerCase());
  return [...new Set(names)];
}

function splitPattern(pattern: string): { host: string; port: number | undefined } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/u.exec(pattern);
  return { host: (m?.[1] ?? pattern).replace(/^\[|\]$/gu, ''), port: m?.[2] === undefined ? undefined : Number(m[2]) };
}

/**
 * Whether `text` names a server this user may use, and where it is. A port other than the one the server is
 * reached on anyway needs an entry that names it; an IP address needs an entry that is that address; wildcards
 * match host names only, one label each.
 */
export function allowServer(config: Config, user: DriveUser, text: string): { server: AllowedServer } | { refused: ServerRefusal } {
  const parsed = parseServerName(text);
  if (!parsed) return { refused: 'bad_name' };
  const resolved = resolveSmbHost(config, parsed.hostName);
  const port = parsed.port ?? resolved.port;
  const patterns = config.servers.allowed ?? defaultServers(config, user);
  const ok = patterns.some((p) => {
    const { host, port: allowedPort } = splitPattern(p);
    if (allowedPort === undefined ? port !== resolved.port : port !== allowedPort) return false;
    return parsed.literal ? host === parsed.hostName : !/^[0-9.:]+$/u.test(host) && globToRegExp(host).test(parsed.hostName);
  });
  if (!ok) return { refused: 'not_allowed' };
  const hostText = parsed.hostName.includes(':') ? `[${parsed.hostName}]` : parsed.hostName;
  return { server: { name: parsed.port === undefined ? hostText : `${hostText}:${parsed.port}`, hostName: parsed.hostName, host: resolved.host, port } };
}

/** A share name that could be a disk share: what Windows allows in one, and not IPC$ (pipes, not files). */
export function isBrowsableShare(name: string): boolean {
  return name.length > 0 && name.length <= 80 && !BAD_SHARE.test(name) && !/^[. ]+$/u.test(name) && name.trim() === name && name.toLowerCase() !== 'ipc$';
}

/** The drive for one share of an allowed server: its id is `@<server>/<share>`, its root the share's root. */
export function serverShareDrive(server: AllowedServer, share: string): DriveRef {
  return {
    id: `${SERVER_DRIVE_PREFIX}${server.name}/${share}`,
    name: `${share} on ${server.name}`,
    host: server.host,
    port: server.port,
    server: server.hostName,
    share,
    basePath: [],
  };
}

/** `@host/share` split in two, or undefined when `id` is not a server drive id. */
export function splitServerDriveId(id: string): { server: string; share: string } | undefined {
  if (!id.startsWith(SERVER_DRIVE_PREFIX)) return undefined;
  const slash = id.indexOf('/');
  if (slash < 0 || id.indexOf('/', slash + 1) >= 0) return undefined;
  return { server: id.slice(1, slash), share: id.slice(slash + 1) };
}

/** A drive id as a URL path part: `@host/share` keeps its `@` and `/` (as in /browse/@host/share/), others are one segment. */
export function driveIdPath(id: string): string {
  const parts = splitServerDriveId(id);
  return parts === undefined ? encodeURIComponent(id) : `${SERVER_DRIVE_PREFIX}${encodeURIComponent(parts.server)}/${encodeURIComponent(parts.share)}`;
}

const decodeOnce = (s: string): string | undefined => {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
};

/**
 * The drive id at the front of a still percent-encoded path's segments, and the segments after it. A server
 * drive takes two segments (`@host`, `share`), or one when its `/` came encoded (`%40host%2Fshare`, as
 * encodeURIComponent of the id writes it); any other id is the first segment as written.
 */
export function takeDriveId(segments: string[]): { id: string; rest: string[] } {
  const [first = '', ...rest] = segments;
  const decoded = decodeOnce(first);
  if (decoded === undefined || !decoded.startsWith(SERVER_DRIVE_PREFIX)) return { id: first, rest };
  if (decoded.includes('/')) return { id: decoded, rest };
  const [share = '', ...after] = rest;
  return { id: `${decoded}/${decodeOnce(share) ?? ''}`, rest: after };
}
