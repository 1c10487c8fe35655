/**
 * Single sign-on's last step, shared by both front doors (OpenID Connect, HTTP Negotiate): the user is known (the
 * identity provider or the browser's Kerberos ticket proved it), so look them up in AD with the service bind, check
 * that Kerberos delegation works for them, and start a session shaped like a password sign-in's, without a password.
 *
 *   await startDelegatedSession(req, res, 'alice', 'oidc');            // then res.redirect(303, target)
 *   await startDelegatedSession(req, res, 'alice', 'negotiate', ev);   // ev: the browser's ticket (evidence)
 *
 * Read what you need from req.session first: it is regenerated (a fresh id against fixation). On return the session
 * is saved and the key cookie set; the caller sends the response. On refusal it throws an AppError whose message is
 * for the user (403 not_delegatable for a "sensitive" account, 401 for an unknown or disabled one, 502 when the
 * service may not delegate to the file server, 503 when the directory or KDC is down), and the session is untouched.
 */
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { AccountDisabledError, type DirectoryUser } from '../../auth/index.js';
import type { DelegationEvidence } from '../../auth/delegated-tickets.js';
import { drivesFor, HOME_DRIVE_ID } from '../../drives/index.js';
import { AppError, InternalError, toHttpError } from '../../errors/index.js';
import { ClientRevokedError, KrbError } from '../../krb/index.js';
import { cookieName } from '../cookie-policy.js';
import { keyCookieOptions } from './current-user.js';
import { type DelegatedMethod, delegationFor, sealSecret } from './delegation.js';
import { KEY_COOKIE, toSessionUser } from './session-data.js';

export type { DelegationEvidence } from '../../auth/delegated-tickets.js';

export async function startDelegatedSession(req: Request, res: Response, username: string, method: DelegatedMethod, evidence?: DelegationEvidence): Promise<void> {
  const deps = delegationFor(req);
  if (!deps) throw new InternalError(`single sign-on (${method}) was used, but AUTH_METHODS has no oidc or negotiate`);
  const { config, logger, directory, tickets, activeSessions } = deps;
  const refused = (err: unknown, reason: string): AppError => {
    const error = toAppError(err);
    logger.warn('single sign-on refused', { audit: 'sign-in', method, user: username, result: reason, error: error.code, err });
    return error;
  };

  // Held from the start, as a password sign-in does (SessionCapError: 503 with Retry-After), and given back on any refusal.
  const slot = activeSessions?.reserve();
  try {
    await establish();
  } catch (err) {
    slot?.release();
    throw err;
  }
  slot?.keep(req.sessionID);

  async function establish(): Promise<void> {
    let user: DirectoryUser;
    try {
      user = await directory.lookup(username);
    } catch (err) {
      throw refused(err, 'directory');
    }
    const sessionUser = toSessionUser(user);

    // Delegation is tried before the session starts: a "sensitive" account, or a file server the service may not
    // delegate to, is a refusal page now rather than a broken drive later. The ticket is then the session's first.
    const home = drivesFor(sessionUser, config, logger).find((d) => d.id === HOME_DRIVE_ID);
    const spn = home ? `cifs/${home.server ?? home.host}` : undefined;
    let first;
    try {
      first = spn ? await tickets.s4u.ticketFor(user.username, spn, evidence) : await tickets.s4u.s4u2self(user.username);
    } catch (err) {
      throw refused(err, 'delegation');
    }

    const key = randomBytes(32).toString('base64url');
    activeSessions?.forget(req.sessionID);
    const sealed = sealSecret({ id: randomBytes(16), ...(evidence ? { evidence } : {}) }, key, user.username);
    await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err as Error) : resolve())));
    req.session.user = sessionUser;
    req.session.delegated = { method, sealed };
    req.session.signedInAt = Date.now();
    req.session.remember = false;
    if (spn) tickets.prime(req.sessionID, spn, first);
    res.cookie(cookieName(req, KEY_COOKIE), key, keyCookieOptions(config, req, false));
    await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err as Error) : resolve())));
    logger.info('signed in', { audit: 'sign-in', method, user: user.username, result: 'ok', evidence: evidence ? 'browser ticket' : 's4u2self' });
  }
}

/** Kerberos refusals as the user should read them; everything else through the app's one mapping. */
function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ClientRevokedError) return new AccountDisabledError({ cause: err });
  const mapped = toHttpError(err);
  // A Kerberos failure we did not foresee (a key that does not match, the service's own account refused …) is ours
  // to fix: the generic page with a reference, and the cause in the log and the admins' mail.
  if (mapped instanceof InternalError && err instanceof KrbError) return new InternalError(`single sign-on: ${err.message}`, { cause: err });
  return mapped;
}
