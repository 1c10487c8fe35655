import { randomBytes } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import type { Config } from '../../config/index.js';
import { ForbiddenError, said } from '../../errors/index.js';
import { cookieName, cookieNameFor, cookieOptions, cookiesSecure } from '../cookie-policy.js';

/**
 * Double-submit CSRF tokens (csrf-csrf) on every state-changing request, sign-in included. A token is bound to
 * the session once the user is signed in, and before that to a random pre-authentication id in its own cookie.
 * Bound to a constant, a token and cookie pair fetched by anyone would be valid in every browser: a sibling
 * subdomain (same site, so SameSite does not help) could plant the pair and sign the victim in as the attacker.
 */
export interface CsrfTools {
  /** Refuses a state-changing request without a valid token (403). */
  protect: RequestHandler;
  /** Puts a token into res.locals.csrfToken for the page's forms (made when a page first reads it). */
  provideToken: RequestHandler;
}

export const CSRF_COOKIE = 'portcullis.csrf';
/** Holds the pre-authentication id: 32 random bytes, base64url. */
export const PRE_AUTH_COOKIE = 'portcullis.pre';
const PRE_AUTH_ID = /^[A-Za-z0-9_-]{43}$/;

function preAuthId(req: Request): string | undefined {
  const value: unknown = req.cookies?.[cookieName(req, PRE_AUTH_COOKIE)];
  return typeof value === 'string' && PRE_AUTH_ID.test(value) ? value : undefined;
}

function sessionIdentifier(req: Request): string {
  if (req.session?.user) return `session:${req.sessionID}`;
  // Without a pre-authentication cookie no token can be valid: a fresh random id matches nothing ever issued.
  return `pre-auth:${preAuthId(req) ?? randomBytes(32).toString('base64url')}`;
}

export function csrfProtection(config: Config): CsrfTools {
  // csrf-csrf names its cookie once, so one instance per name (Secure requests get the __Host- name).
  const make = (secure: boolean) =>
    doubleCsrf({
      getSecret: () => config.session.secret,
      getSessionIdentifier: sessionIdentifier,
      cookieName: cookieNameFor(CSRF_COOKIE, secure),
      cookieOptions: { httpOnly: true, sameSite: 'lax', path: '/', secure },
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
  const secured = make(true);
  const plain = make(false);
  const forRequest = (req: Request) => (cookiesSecure(req) ? secured : plain);

  const protect: RequestHandler = (req, res, next) => {
    forRequest(req).doubleCsrfProtection(req, res, (err?: unknown) => {
      if (err) return next(new ForbiddenError(...said('errors.form.expired', undefined, { code: 'csrf' })));
      next();
    });
  };
  const provideToken: RequestHandler = (req, res, next) => {
    if (!req.session?.user && preAuthId(req) === undefined) {
      const id = randomBytes(32).toString('base64url');
      // A browser-session cookie; the token minted below must bind to it already.
      res.cookie(cookieName(req, PRE_AUTH_COOKIE), id, cookieOptions(req));
      req.cookies = { ...(req.cookies as Record<string, string> | undefined), [cookieName(req, PRE_AUTH_COOKIE)]: id };
    }
    // Made when first read, which is when a page renders (rendering copies res.locals, before anything is
    // written): downloads, thumbnails and API answers, which carry no form, skip its HMACs and its Set-Cookie
    // (a browser-session cookie, so not re-sending it changes nothing). Should anything read it once headers are
    // out, where the cookie can no longer be set, it gets no token: that form's post is refused, never let through.
    let token: string | undefined;
    Object.defineProperty(res.locals, 'csrfToken', {
      configurable: true,
      enumerable: true,
      get: (): string => {
        if (token === undefined) {
          if (res.headersSent) return '';
          token = forRequest(req).generateCsrfToken(req, res, { overwrite: false, cookieOptions: cookieOptions(req) });
        }
        return token;
      },
    });
    next();
  };
  return { protect, provideToken };
}
