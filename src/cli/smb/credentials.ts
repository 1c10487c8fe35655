import type { NtlmCredential } from '../../smb/index.js';
import { PASSWORD_NOT_FROM_ARGV } from './args.js';
import { readPasswordFromTerminal } from './prompt.js';
import { UsageError } from './usage.js';

export const PASSWORD_ENV = 'PORTCULLIS_PASSWORD';

/** `DOMAIN\name` → domain DOMAIN; `name@realm` → domain realm; a bare name → no domain (standalone servers). */
export function parseUser(user: string): { username: string; domain: string } {
  // smbclient's `-U user%password` habit would leak the password into argv: refuse it rather than guess.
  if (user.includes('%')) throw new UsageError(`${PASSWORD_NOT_FROM_ARGV} (--user must not contain "%")`);
  const slash = user.indexOf('\\');
  if (slash >= 0) return checked(user.slice(slash + 1), user.slice(0, slash), user);
  const at = user.lastIndexOf('@');
  if (at >= 0) return checked(user.slice(0, at), user.slice(at + 1), user);
  return checked(user, '', user);
}

function checked(username: string, domain: string, raw: string): { username: string; domain: string } {
  if (username === '') throw new UsageError(`no user name in --user "${raw}"`);
  return { username, domain };
}

export function displayUser(c: { username: string; domain: string }): string {
  return c.domain === '' ? c.username : `${c.domain}\\${c.username}`;
}

/** The password from the environment, else asked on the terminal; never from argv. */
export async function credentialFor(user: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<NtlmCredential> {
  if (user === undefined || user === '') throw new UsageError("--user is required (--user 'DOMAIN\\name' or --user name@realm)");
  const who = parseUser(user);
  const fromEnv = env[PASSWORD_ENV];
  if (fromEnv !== undefined) return { ...who, password: fromEnv };
  const typed = await readPasswordFromTerminal(`Password for ${displayUser(who)}: `);
  if (typed === undefined) {
    throw new UsageError(`no password: set ${PASSWORD_ENV} or run on a terminal to be asked (it is never taken from the command line)`);
  }
  return { ...who, password: typed };
}
