import type { CookieOptions, ErrorRequestHandler, Request, RequestHandler } from 'express';
import { translatorOf, userMessageOf } from '../i18n/middleware.js';
import { CredentialUnreadableError, openCredential, OpenedCredentials, openTgt } from '../../auth/index.js';
import { decodeCredentials } from '../../krb/index.js';
import type { Config } from '../../config/index.js';
import type { DriveRef } from '../../drives/index.js';
import { said, UnauthorizedError } from '../../errors/index.js';
import type { Logger } from '../../log.js';
import { CredentialsRejectedError, type PoolCredential } from '../../sessions/index.js';
import { clearCookie, cookieName, cookieOptions } from '../cookie-policy.js';
import { delegationFor, openSecret } from './delegation.js';
import { drivesMemo } from './drives-memo.js';
import { KEY_COOKIE } from './session-data.js';

export function keyCookieOptions(config: Config, req: Request, remember: boolean): CookieOptions {
  // Without "keep me signed in" the key dies with the browser; the session's idle timeout still applies.
  return cookieOptions(req, remember ? { maxAge: config.session.rememberDays * 86_400_000 } : {});
}

/**
 * Puts the signed-in user and their drives into res.locals for every page. A session without its key
 * cookie (say, a copied session cookie) is not a sign-in: it is ended on the spot, SMB connections included.
 */
export function currentUser(config: Config, logger: Logger, pool?: { closeSession(sessionId: string): Promise<void> }): RequestHandler {
  const drivesOfUser = drivesMemo(config, logger);
  return (req, res, next) => {
    const user = req.session?.user;
    if (!user) return next();
    if (typeof req.cookies?.[cookieName(req, KEY_COOKIE)] !== 'string') {
      const endedId = req.sessionID;
      logger.info('session used without its key cookie: ended', { audit: 'sign-out', user: user.username, result: 'no_key_cookie' });
      return req.session.regenerate((err) => {
        if (err) return next(err);
        void (pool?.closeSession(endedId) ?? Promise.resolve())
          .catch((closeErr: unknown) => logger.warn('closing SMB connections of an ended session failed', { err: closeErr }))
          .finally(() => next());
      });
    }
    res.locals.user = user;
    res.locals.drives = drivesOfUser(user);
    if (res.locals.context) res.locals.context.username = user.username;
    next();
  };
}

/** Pages behind sign-in: browsers go to the sign-in page and come back; API clients get a 401. */
export const requireUser: RequestHandler = (req, res, next) => {
  if (res.locals.user) return next();
  if (req.method === 'GET' && req.accepts(['html', 'json']) === 'html') {
    return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
  }
  next(new UnauthorizedError());
};

export function drivesOf(res: { locals: Record<string, unknown> }): DriveRef[] {
  return (res.locals.drives as DriveRef[] | undefined) ?? [];
}

/**
 * Opened credentials per session for half a minute (src/auth/opened-credentials.ts says why that is safe): the
 * vault's decryption was a per-request cost. A sealed blob or key cookie that no longer opens still fails at once,
 * since a failed opening is never kept.
 */
const openedCredentials = new OpenedCredentials<PoolCredential>({ ttlMs: 30_000, max: 20_000 });

/** The user's NTLMv2 key (and TGT, when one was kept) for this request, opened with the key cookie. */
export function credentialFor(req: Request): PoolCredential {
  const user = req.session.user;
  const sealed = req.session.sealedCredential;
  const key: unknown = req.cookies?.[cookieName(req, KEY_COOKIE)];
  const delegated = req.session.delegated;
  if (user && delegated && typeof key === 'string') {
    // Single sign-on: no key of the user's; SMB gets cifs/ tickets by delegation (S4U), Kerberos only.
    const deps = delegationFor(req);
    if (!deps) throw new UnauthorizedError(...said('errors.sso.switchedOff'));
    const secret = openSecret(delegated.sealed, key, user.username);
    return {
      username: user.username,
      domain: user.domain,
      ntowfv2: secret.id,
      kerberosOnly: true,
      kerberos: deps.tickets.provider(req.sessionID, user.username, secret.evidence),
    };
  }
  if (!user || !sealed || typeof key !== 'string') throw new UnauthorizedError();
  const sealedTgt = req.session.sealedTgt;
  const opened = openedCredentials.get(req.sessionID, [user.username, user.domain, sealed, sealedTgt ?? '', key], () => {
    const credential: PoolCredential = { username: user.username, domain: user.domain, ntowfv2: openCredential(sealed, key, user.username) };
    if (sealedTgt) credential.tgt = decodeCredentials(openTgt(sealedTgt, key, user.username));
    return credential;
  });
  // A copy of the key each time: a caller may wipe its buffer when done (a job does), never the cached one.
  return { ...opened, ntowfv2: Buffer.from(opened.ntowfv2) };
}


/**
 * When the file server stops accepting the stored key (password changed, account locked) or the key cookie
 * no longer opens it, the sign-in is over: end the session, close its SMB connections (`endSession`, as sign-out
 * does: the others it holds, to other servers or on other instances, would stay authenticated until they idle
 * out), and say why on the sign-in page.
 */
export function signOutOnRejectedCredentials(logger: Logger, endSession: (sessionId: string) => Promise<void>): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (!(err instanceof CredentialsRejectedError || err instanceof CredentialUnreadableError) || res.headersSent || !req.session) return next(err);
    const username = req.session.user?.username;
    const endedId = req.sessionID;
    logger.info('signed out: credentials no longer accepted', { audit: 'sign-out', user: username, result: err.code });
    req.session.regenerate((regenErr) => {
      if (regenErr) return next(regenErr);
      // The rejection's own message says why (password changed, account disabled or locked …).
      req.session.notice = err instanceof CredentialsRejectedError ? userMessageOf(res, err) : translatorOf(res).t('login.signInEnded');
      clearCookie(req, res, KEY_COOKIE);
      // Answered once the connections are closed, so the next request finds them gone.
      void endSession(endedId)
        .catch((closeErr: unknown) => logger.warn('closing SMB connections of an ended session failed', { err: closeErr }))
        .finally(() => {
          if (req.accepts(['html', 'json']) === 'json') return next(err);
          res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
        });
    });
  };
}
