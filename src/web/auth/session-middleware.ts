import type { RequestHandler } from 'express';
import session, { type Store } from 'express-session';
import type { Config } from '../../config/index.js';
import { SESSION_COOKIE } from './session-data.js';

/**
 * Server-side sessions (a 250-group user's data is ~10 KB: too big for a cookie). The cookie rolls with
 * every request, so it lapses after the idle timeout; "keep me signed in" lengthens it per session.
 */
export function sessionMiddleware(config: Config, store: Store): RequestHandler {
  return session({
    name: SESSION_COOKIE,
    secret: config.session.secret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    proxy: config.server.trustProxy !== false ? true : undefined,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.session.cookieSecure,
      maxAge: config.session.idleMinutes * 60_000,
      path: '/',
    },
  });
}

/** Ends sessions older than the absolute lifetime, whatever their activity. */
export function absoluteLifetime(config: Config): RequestHandler {
  return (req, _res, next) => {
    const s = req.session;
    if (!s?.user || !s.signedInAt) return next();
    const limit = s.remember ? config.session.rememberDays * 86_400_000 : config.session.absoluteHours * 3_600_000;
    if (Date.now() - s.signedInAt <= limit) return next();
    s.regenerate((err) => {
      if (err) return next(err);
      req.session.notice = 'Your session has expired. Please sign in again.';
      next();
    });
  };
}
