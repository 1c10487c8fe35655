import type { Config, Drive } from '../config/index.js';
import { parseUnc, resolveSmbHost } from '../config/index.js';

/** One drive a user may open: where it lives, and the URL slug that names it. */
export interface DriveRef {
  /** URL slug: 'home', or a slug of the configured name; stable for a given drives file, unique. */
  id: string;
  name: string;
  /** Where to connect (after SMB_HOST_MAP), not necessarily the host named in the UNC. */
  host: string;
  /** The host as the UNC names it (before SMB_HOST_MAP), for showing `\\server\share\path`; else `host`. */
  server?: string;
  port: number;
  share: string;
  /** Folder inside the share, as segments; [] for the share root. */
  basePath: string[];
}

export interface DriveUser {
  username: string;
  /** AD's homeDirectory, a UNC path; absent for users without a home drive. */
  homeDirectory?: string | undefined;
  /** Group DNs (memberOf). */
  groups: string[];
}

export interface DriveLogger {
  warn(message: string, meta?: Record<string, unknown>): unknown;
}

export const HOME_DRIVE_ID = 'home';
export const HOME_DRIVE_NAME = 'My home';

// A username put into a UNC must stay one name: no separators, no stream or wildcard characters, no
// dot-only segments, nothing that a server could read as something else.
const UNSAFE_USERNAME = /[\\/:*?"<>|\p{Cc}]|\.\./u;
const USERNAME_TOKEN = /%USERNAME%/iu;
const USERNAME_TOKENS = /%USERNAME%/giu;

/** Splits a DN into RDNs on unescaped commas, keeping escapes as written. */
function splitRdns(dn: string): string[] {
  const rdns: string[] = [];
  let current = '';
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i];
    if (c === '\\' && i + 1 < dn.length) {
      current += c + dn[i + 1];
      i++;
    } else if (c === ',') {
      rdns.push(current.trim());
      current = '';
    } else {
      current += c;
    }
  }
  rdns.push(current.trim());
  return rdns;
}

/** RFC 4514 value unescaping: `\,` and friends, and `\2C` hex pairs (UTF-8). */
function unescapeDnValue(value: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value[i] ?? '';
    if (c === '\\' && /^[0-9a-f]{2}$/iu.test(value.slice(i + 1, i + 3))) {
      bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === '\\' && i + 1 < value.length) {
      bytes.push(...Buffer.from(value[i + 1] ?? '', 'utf8'));
      i++;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The group's CN (its name as admins write it in the drives file), or undefined when the DN does not start with one. */
export function groupCn(dn: string): string | undefined {
  const first = splitRdns(dn)[0] ?? '';
  const eq = first.indexOf('=');
  if (eq < 0 || first.slice(0, eq).trim().toLowerCase() !== 'cn') return undefined;
  return unescapeDnValue(first.slice(eq + 1).trim());
}

// DNs from AD and DNs typed into the drives file differ in spacing and case only; compare them without both.
const canonicalDn = (dn: string): string =>
  splitRdns(dn)
    .map((rdn) => {
      const eq = rdn.indexOf('=');
      return eq < 0 ? rdn : `${rdn.slice(0, eq).trim()}=${unescapeDnValue(rdn.slice(eq + 1).trim())}`;
    })
    .join(',')
    .toLowerCase();

/** Whether the user is in one of `allowed` (names or DNs, case-insensitive); empty `allowed` admits everyone. */
export function inAnyGroup(userGroups: string[], allowed: string[]): boolean {
  if (allowed.length === 0) return true;
  const names = new Set<string>();
  for (const dn of userGroups) {
    names.add(canonicalDn(dn));
    const cn = groupCn(dn);
    if (cn !== undefined) names.add(cn.toLowerCase());
  }
  return allowed.some((g) => names.has(g.includes('=') ? canonicalDn(g) : g.trim().toLowerCase()));
}

/** Lower-case ASCII slug of a display name; accents dropped, everything else becomes '-'. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/gu, '-')
    .replace(/^-+|-+$/gu, '');
}

/**
 * Ids for every configured drive, computed over the whole list (not just what one user sees), so a
 * drive's URL is the same for everyone and does not change when another user's group set differs.
 */
export function driveIds(drives: Drive[]): string[] {
  const taken = new Set<string>([HOME_DRIVE_ID]);
  return drives.map((d) => {
    const base = slugify(d.name) || 'drive';
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
    taken.add(id);
    return id;
  });
}

const segmentsOf = (path: string): string[] => path.split('\\').filter((s) => s !== '');
const hasDotSegment = (segments: string[]): boolean => segments.some((s) => /^[. ]+$/u.test(s));

function substituteUsername(text: string, username: string): string {
  return text.replace(USERNAME_TOKENS, () => username);
}

export interface DrivesForOptions {
  /**
   * Include configured drives outside the user's groups. Groups decide what the menu shows; what the user
   * may open is the file server's decision, made with the user's own credentials.
   */
  ignoreGroups?: boolean;
}

/** "My home" from the homeDirectory UNC, then the configured drives the user's groups allow, in file order. */
export function drivesFor(user: DriveUser, config: Config, logger?: DriveLogger, options: DrivesForOptions = {}): DriveRef[] {
  const refs: DriveRef[] = [];
  const resolve = (host: string) => resolveSmbHost(config, host);

  if (user.homeDirectory !== undefined && user.homeDirectory.trim() !== '') {
    const unc = parseUnc(user.homeDirectory.trim());
    const basePath = unc ? segmentsOf(unc.path) : [];
    if (!unc || hasDotSegment(basePath)) {
      logger?.warn('home directory is not a usable UNC path; no home drive shown', { username: user.username, homeDirectory: user.homeDirectory });
    } else {
      refs.push({ id: HOME_DRIVE_ID, name: HOME_DRIVE_NAME, ...resolve(unc.host), server: unc.host, share: unc.share, basePath });
    }
  }

  const ids = driveIds(config.drives);
  config.drives.forEach((drive, i) => {
    if (!options.ignoreGroups && !inAnyGroup(user.groups, drive.groups)) return;
    let { share, path } = drive;
    if (USERNAME_TOKEN.test(`${share}\\${path}`)) {
      if (user.username === '' || user.username.trim() !== user.username || /^[. ]+$/u.test(user.username) || UNSAFE_USERNAME.test(user.username)) {
        logger?.warn('username cannot be put into a drive path; drive not shown', { username: user.username, drive: drive.name });
        return;
      }
      share = substituteUsername(share, user.username);
      path = substituteUsername(path, user.username);
    }
    const basePath = segmentsOf(path);
    if (hasDotSegment(basePath)) {
      logger?.warn('drive path contains "." or ".." segments; drive not shown', { drive: drive.name });
      return;
    }
    refs.push({ id: ids[i] ?? slugify(drive.name), name: drive.name, ...resolve(drive.host), server: drive.host, share, basePath });
  });
  return refs;
}
