import { InvalidCredentialsError } from './errors.js';

export type UsernameForm = 'name' | 'down-level' | 'upn';

export interface ParsedUsername {
  /** What goes into the search filter as `{username}` (sAMAccountName in the default filter). */
  name: string;
  form: UsernameForm;
  /** The part after `@` of a `name@realm` sign-in, as typed. */
  realm?: string;
}

/** Far beyond any real sAMAccountName (20) or UPN; only there so nobody feeds megabytes into a filter. */
const MAX_LENGTH = 256;

/**
 * Accepts `name`, `DOMAIN\name` and `name@realm`. Anything unusable is reported as a wrong
 * username or password, so the form of the input tells a prober nothing either.
 * `domain` is our NetBIOS domain; a different `DOMAIN\` prefix is refused here, before any bind.
 */
export function parseUsername(input: string, domain: string | undefined): ParsedUsername {
  const text = input.trim();
  if (text === '' || text.length > MAX_LENGTH || /\p{Cc}/u.test(text)) throw new InvalidCredentialsError();

  const backslash = text.indexOf('\\');
  if (backslash !== -1) {
    const prefix = text.slice(0, backslash);
    const name = text.slice(backslash + 1).trim();
    if (!domain || prefix.trim().toLowerCase() !== domain.toLowerCase()) throw new InvalidCredentialsError();
    if (name === '' || name.includes('\\') || name.includes('@')) throw new InvalidCredentialsError();
    return { name, form: 'down-level' };
  }

  const at = text.lastIndexOf('@');
  if (at !== -1) {
    const name = text.slice(0, at).trim();
    const realm = text.slice(at + 1).trim();
    if (name === '' || realm === '' || name.includes('@')) throw new InvalidCredentialsError();
    return { name, form: 'upn', realm };
  }

  return { name: text, form: 'name' };
}

/** The key failures are counted under: one per account, however the name was typed. */
export function throttleKey(input: string, domain: string | undefined): string {
  try {
    return parseUsername(input, domain).name.toLowerCase();
  } catch {
    return input.trim().toLowerCase();
  }
}

/** `DC=uni,DC=example,DC=edu` (or an OU under it) → `uni.example.edu`: the realm a UPN suffix usually names. */
export function dnsDomainOf(baseDn: string): string {
  return baseDn
    .split(',')
    .map((rdn) => rdn.trim())
    .filter((rdn) => /^dc=/i.test(rdn))
    .map((rdn) => rdn.slice(3))
    .join('.')
    .toLowerCase();
}
