import { BadRequestError, said } from '../errors/index.js';
import type { MessageKeyOf } from '../i18n/index.js';

/** Windows' own limit on one name; servers refuse longer ones anyway, so refusing early costs nothing. */
export const MAX_SEGMENT_LENGTH = 255;
/** Far beyond any real folder depth, short enough that a hostile URL cannot make us build huge SMB requests. */
export const MAX_PATH_LENGTH = 1024;

// C0, DEL and C1 controls: never part of a name anyone typed, and NUL truncates names in C code on the server.
const CONTROL = /\p{Cc}/u;
// Separators and the characters Windows reserves in names. `:` selects an alternate data stream, and
// `* ? < > "` are wildcards to an SMB server (MS-FSA 2.1.4.4), so a name holding one could match other files.
const RESERVED = /[\\:*?"<>|]/u;
// A lone surrogate cannot be encoded in UTF-16 on the wire in any meaningful way.
const LONE_SURROGATE = /\p{Cs}/u;
// "..", and the variants Windows' Win32 layer trims to it or to "." (trailing dots and spaces are dropped).
const DOTS_AND_SPACES = /^[. ]+$/u;

function refuse(key: MessageKeyOf, params?: Readonly<Record<string, string>>): never {
  throw new BadRequestError(...said(key, params, { code: 'bad_path' }));
}

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    // Malformed escapes, and overlong or otherwise invalid UTF-8 such as %c0%ae, land here.
    return refuse('errors.path.badEncoding');
  }
}

/**
 * Turns the part of a URL after the drive id into the path segments inside that drive, or throws a
 * BadRequestError (400) before anything reaches the file server.
 *
 * `raw` is still percent-encoded, as in `req.path` (not `req.params`, which Express has already decoded):
 * this function decodes each segment exactly once, after splitting on `/`, so an encoded slash or backslash
 * can never become a separator. Callers must not decode the result again — `%252e%252e` is the literal
 * name `%2e%2e`, which is harmless only as long as nobody decodes it a second time.
 *
 * Empty segments (repeated or leading/trailing slashes) are dropped. Unicode is returned exactly as sent:
 * no NFC/NFD normalisation, because the server compares names by code units and a normalised name would
 * miss the file.
 */
export function parseDrivePath(raw: string): string[] {
  // Before decoding anything: 1024 code units take at most 9 encoded characters each (%E4%B8%80).
  if (raw.length > MAX_PATH_LENGTH * 9 + MAX_PATH_LENGTH) refuse('errors.path.tooLong', { max: String(MAX_PATH_LENGTH) });
  const segments: string[] = [];
  let total = 0;
  for (const encoded of raw.split('/')) {
    if (encoded === '') continue;
    const name = decodeSegment(encoded);
    if (name === '') continue;
    if (CONTROL.test(name)) refuse('errors.path.control');
    if (LONE_SURROGATE.test(name)) refuse('errors.path.badEncoding');
    if (DOTS_AND_SPACES.test(name)) refuse('errors.path.dots');
    if (name.includes('\\')) refuse('errors.path.backslash');
    if (name.includes('/')) refuse('errors.path.slash');
    if (RESERVED.test(name)) refuse('errors.path.reserved');
    if (name.length > MAX_SEGMENT_LENGTH) refuse('errors.path.segmentTooLong', { max: String(MAX_SEGMENT_LENGTH) });
    total += name.length + (segments.length > 0 ? 1 : 0);
    if (total > MAX_PATH_LENGTH) refuse('errors.path.tooLong', { max: String(MAX_PATH_LENGTH) });
    segments.push(name);
  }
  return segments;
}
