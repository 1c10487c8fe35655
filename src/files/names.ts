/**
 * Names for uploads: what a user may call a file (Windows rules, since the shares are SMB), the hidden
 * temporary name a file is written under until complete, and the numbered names of "keep both".
 * Unicode is kept exactly as sent: no normalisation, because the server compares names by code units.
 */
import { randomBytes } from 'node:crypto';
import { type AppErrorOptions, said } from '../errors/index.js';

/** Every temporary starts with this; browse hides such names always (not only with "show hidden"). */
export const TEMP_PREFIX = '.~portcullis-';
export const TEMP_SUFFIX = '.part';
export const MAX_NAME_LENGTH = 255;

const CONTROL = /\p{Cc}/u;
const RESERVED = /[\\/:*?"<>|]/u;
const LONE_SURROGATE = /\p{Cs}/u;
// CON, PRN, AUX, NUL, COM0–9, LPT0–9 (also with the superscript digits Windows treats the same; the list in
// Microsoft's "Naming Files, Paths, and Namespaces"), with or without an extension, and with trailing spaces
// before the dot ("CON .txt" is CON to Windows too).
const DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]) *(\..*)?$/iu;
// ".", ".." and what Windows trims to them: the same rule, and the same words, as parseDrivePath.
const DOTS_AND_SPACES = /^[. ]+$/u;

/**
 * Why `name` cannot be a file (or, for the folders an upload creates, a folder) name on the share, as an error's
 * message and catalogue key (`new OpError('bad-name', ...problem)`); undefined when it can.
 */
export function nameProblemOf(name: string, kind: 'file' | 'folder' = 'file'): [string, AppErrorOptions] | undefined {
  if (name === '') return said(kind === 'file' ? 'errors.name.empty' : 'errors.name.emptyFolder');
  const shown = name.length > 80 ? `${name.slice(0, 80)}…` : name;
  if (name.length > MAX_NAME_LENGTH) return said('errors.name.tooLong', { name: shown, max: String(MAX_NAME_LENGTH) });
  if (CONTROL.test(name)) return said('errors.name.control', { name: shown.replace(/\p{Cc}/gu, '�') });
  if (LONE_SURROGATE.test(name)) return said(kind === 'file' ? 'errors.name.badEncoding' : 'errors.name.badEncodingFolder');
  if (DOTS_AND_SPACES.test(name)) return said('errors.name.dots');
  if (RESERVED.test(name)) return said('errors.name.reserved', { name: shown });
  if (/[. ]$/u.test(name)) return said('errors.name.trailing', { name: shown });
  if (DEVICE.test(name)) return said('errors.name.device', { name: shown });
  if (name.startsWith(TEMP_PREFIX)) return said('errors.name.temp', { name: shown, prefix: TEMP_PREFIX });
  return undefined;
}

/** Why `name` cannot be a file or folder name on the share (English), or undefined when it can. */
export const nameProblem = (name: string): string | undefined => nameProblemOf(name)?.[0];

/** The start of the name kept in a temporary's name, in UTF-8 bytes. */
const HINT_BYTES = 60;

/**
 * `.~portcullis-<random>.<start of name>.part`: hidden (leading dot), unique, recognisable by admins, and
 * within the limits whatever the final name is. The hint is cut by UTF-8 bytes, not characters: Linux file
 * servers hold at most 255 bytes per name, and 60 emoji (240 bytes) made the temporary of a legal 255-byte
 * name too long for the server.
 */
export function tempName(name: string): string {
  let hint = '';
  let bytes = 0;
  for (const ch of name) {
    bytes += Buffer.byteLength(ch, 'utf8');
    if (bytes > HINT_BYTES) break;
    hint += ch;
  }
  return `${TEMP_PREFIX}${randomBytes(8).toString('hex')}.${hint}${TEMP_SUFFIX}`;
}

export function isTempName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX) && name.endsWith(TEMP_SUFFIX);
}

/** `report.pdf` → `report (2).pdf`; `.bashrc` → `.bashrc (2)`; `notes` → `notes (2)`. */
export function numberedName(name: string, n: number): string {
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  return `${stem} (${n})${ext}`;
}

export const CONFLICT_MODES = ['overwrite', 'keep-both', 'fail'] as const;
export type ConflictMode = (typeof CONFLICT_MODES)[number];

export function parseConflict(v: unknown): ConflictMode | undefined {
  return typeof v === 'string' && (CONFLICT_MODES as readonly string[]).includes(v) ? (v as ConflictMode) : undefined;
}
