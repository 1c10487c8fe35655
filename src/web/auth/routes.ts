import { type Request, type Response, Router } from 'express';
import { Passport } from 'passport';
import { AD_STRATEGY, AdStrategy, type AdSignInInfo, type DirectoryUser, sealCredential, sealTgt, SignInBusyError, TooManyAttemptsError } from '../../auth/index.js';
import { encodeCredentials } from '../../krb/index.js';
import type { Config } from '../../config/index.js';
import { SessionCapError, type SignInSlot } from '../../sessions/index.js';
import { AppError, ForbiddenError, said } from '../../errors/index.js';
import { reportHandledError, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../middleware/index.js';
import type { Logger } from '../../log.js';
import type { Services } from '../../services.js';
import type { CsrfTools } from './csrf.js';
// Body parsing and CSRF checks run app-wide before these routes (see app.ts).
import { clearCookie, cookieName } from '../cookie-policy.js';
import { credentialFor, keyCookieOptions } from './current-user.js';
import { safeRedirectTarget } from './safe-redirect.js';
import { translatorOf, userMessageOf } from '../i18n/middleware.js';
import { KEY_COOKIE, SESSION_COOKIE, toSessionUser } from './session-data.js';

interface LoginView {
  error?: string;
  username?: string;
  next?: string;
  notice?: string;
}

export function authRoutes(config: Config, services: Pick<Services, 'directory' | 'throttle' | 'signInQueue' | 'endSession' | 'uploads' | 'kerberos' | 'activeSessions'>, csrf: CsrfTools, logger: Logger): Router {
  const router = Router();
  const passport = new Passport();
  passport.use(
    new AdStrategy({
      directory: services.directory,
      throttle: services.throttle,
      queue: services.signInQueue,
      domain: config.ad.domain,
      logger,
      ...(services.kerberos ? { kerberos: services.kerberos } : {}),
    }),
  );

  const render = (req: Request, res: Response, view: LoginView): void => {
    const notice = view.notice ?? takeNotice(req);
    res.setHeader('Cache-Control', 'no-store');
    res.render('pages/login', {
      title: translatorOf(res).t('login.title'),
      // A refused Negotiate ticket (negotiate-routes.ts) says so on the page it falls back to.
      error: view.error ?? (typeof res.locals.signInError === 'string' ? res.locals.signInError : ''),
      notice,
      username: view.username ?? '',
      next: safeRedirectTarget(view.next ?? req.query.next, ''),
      rememberMeAllowed: config.session.rememberMe,
      // AUTH_METHODS without `password`: no form (single sign-on only).
      passwordSignIn: config.authMethods.includes('password'),
      domainHint: config.ad.domain ?? 'DOMAIN',
      realmHint: realmOf(config.ldap.baseDn),
    });
  };

  router.get('/login', csrf.provideToken, (req, res) => {
    if (req.session.user) return res.redirect(303, safeRedirectTarget(req.query.next));
    const notice = req.query['signed-out'] === '1' ? translatorOf(res).t('login.signedOut') : undefined;
    render(req, res, notice ? { notice } : {});
  });

  router.post('/login', (req, res, next) => {
    if (!config.authMethods.includes('password')) return next(new ForbiddenError(...said('errors.auth.passwordSignInOff', undefined, { code: 'password_sign_in_off' })));
    const body = req.body as Record<string, unknown>;
    const username = typeof body.username === 'string' ? body.username.slice(0, 256) : '';
    const target = safeRedirectTarget(body.next);
    const refuse = (err: unknown): void => {
      const error = err instanceof AppError ? err : undefined;
      if (error && !error.expose) logger.error('sign-in failed on our side', { err });
      if (err) reportHandledError(res, err);
      if (error instanceof TooManyAttemptsError || error instanceof SignInBusyError || error instanceof SessionCapError) res.setHeader('Retry-After', String(error.retryAfterSeconds));
      // The directory not answering: the same advice as every other outage page, so clients and proxies back off.
      else if (error?.status === 503) res.setHeader('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
      res.status(error?.status ?? 500);
      csrf.provideToken(req, res, () => render(req, res, { error: userMessageOf(res, error), username, next: target === '/' ? '' : target }));
    };
    // Taken before the directory is asked, so a burst cannot all pass the cap; given back on every failure.
    let slot: SignInSlot;
    try {
      slot = services.activeSessions.reserve();
    } catch (err) {
      if (err instanceof SessionCapError) logger.warn('sign-in turned away: this instance is at SESSIONS_MAX_ACTIVE', { audit: 'sign-in', user: username, result: 'session_cap' });
      refuse(err);
      return;
    }
    const fail = (err: unknown): void => {
      slot.release();
      next(err);
    };
    passport.authenticate(AD_STRATEGY, { session: false }, (err: unknown, user: DirectoryUser | false, info: AdSignInInfo | undefined) => {
      if (err || !user || !info) {
        slot.release();
        refuse(err);
        return;
      }
      const remember = config.session.rememberMe && body.remember === '1';
      const { sealed, key } = sealCredential(info.ntowfv2, user.username);
      info.ntowfv2.fill(0);
      const sealedTgt = info.tgt ? sealTgt(encodeCredentials(info.tgt), key, user.username) : undefined;
      // A fresh session id on sign-in: an id planted before sign-in (fixation) is worthless afterwards.
      services.activeSessions.forget(req.sessionID);
      req.session.regenerate((regenErr) => {
        if (regenErr) return fail(regenErr);
        req.session.user = toSessionUser(user);
        req.session.sealedCredential = sealed;
        if (sealedTgt !== undefined) req.session.sealedTgt = sealedTgt;
        req.session.signedInAt = Date.now();
        req.session.remember = remember;
        if (remember) req.session.cookie.maxAge = config.session.rememberDays * 86_400_000;
        res.cookie(cookieName(req, KEY_COOKIE), key, keyCookieOptions(config, req, remember));
        req.session.save((saveErr) => {
          if (saveErr) return fail(saveErr);
          slot.keep(req.sessionID);
          logger.info('signed in', { audit: 'sign-in', user: user.username, result: 'ok', remember });
          res.redirect(303, target);
        });
      });
    })(req, res, fail);
  });

  router.post('/logout', async (req, res, next) => {
    const username = req.session.user?.username;
    // The session's upload tickets die with it (they are bound to it); their temporaries go now.
    if (username) await services.uploads.endSession(req.sessionID, () => credentialFor(req));
    try {
      // Here and on every other instance (several instances share the session).
      await services.endSession(req.sessionID);
    } catch (err) {
      logger.warn('closing SMB connections at sign-out failed', { err });
    }
    req.session.destroy((err) => {
      if (err) return next(err);
      clearCookie(req, res, SESSION_COOKIE);
      clearCookie(req, res, KEY_COOKIE);
      if (username) logger.info('signed out', { audit: 'sign-out', user: username, result: 'ok' });
      res.redirect(303, '/login?signed-out=1');
    });
  });

  return router;
}


function takeNotice(req: Request): string {
  const notice = req.session?.notice ?? '';
  if (notice && req.session) delete req.session.notice;
  return notice;
}

/** `DC=example,DC=test` → `example.test`, for the username hint. */
function realmOf(baseDn: string | undefined): string {
  const parts = (baseDn ?? '').split(',').map((p) => p.trim()).filter((p) => /^dc=/i.test(p)).map((p) => p.slice(3));
  return parts.length > 0 ? parts.join('.').toLowerCase() : 'example.edu';
}
