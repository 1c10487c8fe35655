import type { Request, RequestHandler } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import type { Config } from '../../config/index.js';
import { ForbiddenError } from '../../errors/index.js';

/**
 * Double-submit CSRF tokens (csrf-csrf) on every state-changing request, sign-in included. Tokens are bound to
 * the session once there is one; before sign-in there is no session yet, so they bind to a fixed identifier and
 * rest on the HMAC'd cookie pair plus SameSite=Lax.
 */
export interface CsrfTools {
  /** Refuses a state-changing request without a valid token (403). */
  protect: RequestHandler;
  /** Puts a token into res.locals.csrfToken for the page's forms. */
  provideToken: RequestHandler;
}

export function csrfProtection(config: Config): CsrfTools {
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => config.session.secret,
    getSessionIdentifier: (req: Request) => (req.session?.user ? req.sessionID : 'anonymous'),
    cookieName: 'portcullis.csrf',
    cookieOptions: {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: config.session.cookieSecure === true,
    },
    getCsrfTokenFromRequest: (req: Request) => {
      const body = req.body as { _csrf?: unknown } | undefined;
      if (typeof body?._csrf === 'string') return body._csrf;
      const header = req.headers['x-csrf-token'];
      if (typeof header === 'string') return header;
      // The no-JS upload form (multipart) is checked before its body is read, and reading it first would mean
      // buffering the files: its token rides in the form's action URL instead. Only for multipart POSTs;
      // Referrer-Policy is same-origin, so the URL does not leave the site, and the token is bound to the session.
      const query = req.query as { _csrf?: unknown } | undefined;
      if (req.method === 'POST' && req.is('multipart/form-data') && typeof query?._csrf === 'string') return query._csrf;
      return undefined;
    },
  });

  const protect: RequestHandler = (req, res, next) => {
    doubleCsrfProtection(req, res, (err?: unknown) => {
      if (err) return next(new ForbiddenError('This form has expired or was not sent from this site. Reload the page and try again.', { code: 'csrf' }));
      next();
    });
  };
  const provideToken: RequestHandler = (req, res, next) => {
    // Same rule as the session and key cookies: 'auto' follows the request, true/false are as configured.
    const secure = config.session.cookieSecure === 'auto' ? req.secure : config.session.cookieSecure;
    res.locals.csrfToken = generateCsrfToken(req, res, { overwrite: false, cookieOptions: { secure } });
    next();
  };
  return { protect, provideToken };
}
