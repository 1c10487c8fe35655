// Single sign-on's web plumbing: which app has delegation on (so credentialFor and startDelegatedSession, whose
// signatures take only the request, find it), and the sealed per-session secret that replaces the password.
import type { Express, Request } from 'express';
import { openDelegation, sealDelegation, type LdapDirectory } from '../../auth/index.js';
import type { DelegatedTickets, DelegationEvidence } from '../../auth/delegated-tickets.js';
import type { Config } from '../../config/index.js';
import type { ActiveSessions } from '../../sessions/index.js';
import type { Logger } from '../../log.js';
import { CredentialUnreadableError } from '../../auth/index.js';

export type DelegatedMethod = 'oidc' | 'negotiate';

export interface DelegationDeps {
  config: Config;
  logger: Logger;
  directory: Pick<LdapDirectory, 'lookup'>;
  tickets: DelegatedTickets;
  /** The per-instance session cap (SESSIONS_MAX_ACTIVE), which a single sign-on honours as a password sign-in does. */
  activeSessions?: Pick<ActiveSessions, 'reserve' | 'forget'>;
}

const registry = new WeakMap<object, DelegationDeps>();

/** app.ts calls this when services.delegation exists (AUTH_METHODS has oidc or negotiate). */
export function registerDelegation(app: Express, deps: DelegationDeps): void {
  registry.set(app, deps);
}

export function delegationFor(req: Request): DelegationDeps | undefined {
  return registry.get(req.app);
}

/** What the session keeps, sealed under the key cookie: a per-sign-in id and, for Negotiate, the browser's ticket. */
export interface DelegationSecret {
  /** 16 random bytes: keeps this sign-in's SMB connections its own (PoolCredential.ntowfv2 of a delegated sign-in). */
  id: Buffer;
  evidence?: DelegationEvidence;
}

interface Stored {
  v: 1;
  id: string;
  evidence?: { realm: string; sname: DelegationEvidence['ticket']['sname']; der: string; flags: number; endtime: number };
}

export function sealSecret(secret: DelegationSecret, key: string, username: string): string {
  const stored: Stored = { v: 1, id: secret.id.toString('base64') };
  const ev = secret.evidence;
  if (ev) stored.evidence = { realm: ev.ticket.realm, sname: ev.ticket.sname, der: ev.ticket.der.toString('base64'), flags: ev.flags, endtime: ev.endtime.getTime() };
  return sealDelegation(Buffer.from(JSON.stringify(stored), 'utf8'), key, username);
}

export function openSecret(sealed: string, key: string, username: string): DelegationSecret {
  let s: Stored;
  try {
    s = JSON.parse(openDelegation(sealed, key, username).toString('utf8')) as Stored;
  } catch (err) {
    if (err instanceof CredentialUnreadableError) throw err;
    throw new CredentialUnreadableError({ cause: err });
  }
  if (s.v !== 1) throw new CredentialUnreadableError();
  const out: DelegationSecret = { id: Buffer.from(s.id, 'base64') };
  if (s.evidence) {
    out.evidence = {
      ticket: { realm: s.evidence.realm, sname: s.evidence.sname, der: Buffer.from(s.evidence.der, 'base64') },
      flags: s.evidence.flags,
      endtime: new Date(s.evidence.endtime),
    };
  }
  return out;
}
