import type { CookieOptions, Request, RequestHandler, Response } from 'express';
import type { Config } from '../config/index.js';

/**
 * One rule for every cookie the app sets: whether it is Secure, and its name. A Secure cookie is named with the
 * `__Host-` prefix, which browsers accept only when it is Secure, has Path=/ and no Domain. So a sibling
 * subdomain (say a student's page on another host of the university's domain) cannot plant or overwrite it,
 * as it could a `Domain=` cookie of the plain name. Plain-HTTP development keeps the plain names.
 */

const SECURE_PREFIX = '__Host-';
const secureByRequest = new WeakMap<Request, boolean>();

/** Decides once per request, before any cookie is read or set: 'auto' follows the request, true/false are as configured. */
export function decideCookieSecurity(config: Config): RequestHandler {
  const mode = config.session.cookieSecure;
  return (req, _res, next) => {
    secureByRequest.set(req, mode === 'auto' ? req.secure : mode);
    next();
  };
}

export function cookiesSecure(req: Request): boolean {
  const secure = secureByRequest.get(req);
  if (secure === undefined) throw new Error('decideCookieSecurity() must run before cookies are used');
  return secure;
}

/** `base` as named for a Secure or a plain cookie. */
export const cookieNameFor = (base: string, secure: boolean): string => (secure ? `${SECURE_PREFIX}${base}` : base);

/** The name `base` has on this request. */
export const cookieName = (req: Request, base: string): string => cookieNameFor(base, cookiesSecure(req));

/** HttpOnly, SameSite=Lax, Secure per the rule; a Secure cookie always gets Path=/ (the prefix demands it). */
export function cookieOptions(req: Request, extra: CookieOptions = {}): CookieOptions {
  const secure = cookiesSecure(req);
  return { httpOnly: true, sameSite: 'lax', path: '/', ...extra, secure, ...(secure ? { path: '/' } : {}) };
}

/** Deletes a cookie; the deletion carries the same attributes, as browsers ignore a `__Host-` deletion without Secure. */
export function clearCookie(req: Request, res: Response, base: string, extra: CookieOptions = {}): void {
  res.clearCookie(cookieName(req, base), cookieOptions(req, extra));
}
