import type { Request, RequestHandler } from 'express';
import { translatorOf } from '../i18n/middleware.js';
import session, { type CookieOptions, type Store } from 'express-session';
import type { Config } from '../../config/index.js';
import type { Logger } from '../../log.js';
import { cookieNameFor, cookiesSecure } from '../cookie-policy.js';
import { SESSION_COOKIE } from './session-data.js';

/**
 * Server-side sessions (a 250-group user's data is ~10 KB: too big for a cookie). The cookie rolls with
 * every request, so it lapses after the idle timeout; "keep me signed in" lengthens it per session.
 */
export function sessionMiddleware(config: Config, store: Store): RequestHandler {
  // express-session names its cookie once, so one instance per name; both share the store. Each instance also
  // installs its own store.generate (used by regenerate) on that shared store, and the last one wins: so the
  // cookie's attributes come from the request, never from which instance happens to be installed.
  const cookie = (req: Request): CookieOptions => ({
    httpOnly: true,
    sameSite: 'lax',
    secure: cookiesSecure(req),
    maxAge: config.session.idleMinutes * 60_000,
    path: '/',
  });
  const make = (secure: boolean): RequestHandler =>
    session({
      name: cookieNameFor(SESSION_COOKIE, secure),
      secret: config.session.secret,
      store,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      // No `proxy` option: express-session then asks req.secure, which believes X-Forwarded-Proto only from
      // the proxies TRUST_PROXY names, instead of from anyone.
      cookie,
    });
  const secured = make(true);
  const plain = make(false);
  return (req, res, next) => (cookiesSecure(req) ? secured : plain)(req, res, next);
}

/**
 * Ends sessions older than the absolute lifetime, whatever their activity, and their SMB connections with them
 * (`endSession`, as sign-out does: on every instance), which would otherwise stay open, authenticated as the
 * user, until they idle out.
 */
export function absoluteLifetime(config: Config, endSession: (sessionId: string) => Promise<void>, logger: Logger): RequestHandler {
  return (req, res, next) => {
    const s = req.session;
    if (!s?.user || !s.signedInAt) return next();
    const limit = s.remember ? config.session.rememberDays * 86_400_000 : config.session.absoluteHours * 3_600_000;
    if (Date.now() - s.signedInAt <= limit) return next();
    const endedId = req.sessionID;
    logger.info('signed out: session lifetime reached', { audit: 'sign-out', user: s.user.username, result: 'expired' });
    s.regenerate((err) => {
      if (err) return next(err);
      req.session.notice = translatorOf(res).t('login.sessionExpired');
      endSession(endedId)
        .catch((closeErr: unknown) => logger.warn('closing SMB connections of an ended session failed', { err: closeErr }))
        .finally(() => next());
    });
  };
}

/** Counts each signed-in request's session as active on this instance (for SESSIONS_MAX_ACTIVE). */
export function countActiveSessions(active: { touch(sessionId: string): void }): RequestHandler {
  return (req, _res, next) => {
    if (req.session?.user) active.touch(req.sessionID);
    next();
  };
}
