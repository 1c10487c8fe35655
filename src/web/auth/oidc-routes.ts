// Sign-in by OpenID Connect (issue 15 section 4): GET /auth/oidc sends the browser to the identity provider,
// GET /auth/oidc/callback takes it back, maps the configured claim to the AD account and starts a delegated
// session (S4U: Portcullis never sees a password).
import { type Request, type Response, Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { InvalidCredentialsError, TooManyAttemptsError } from '../../auth/index.js';
import { dnsDomainOf } from '../../auth/username.js';
import type { Config, OidcConfig } from '../../config/index.js';
import { BadRequestError, said } from '../../errors/index.js';
import type { Logger } from '../../log.js';
import { accountFromClaims, type AccountDomain, OidcAccountError } from './oidc-claims.js';
import { OidcRefusedError, type OidcRelyingParty, type PendingOidc } from './oidc-client.js';
import { safeRedirectTarget } from './safe-redirect.js';
import { translatorOf } from '../i18n/middleware.js';

declare module 'express-session' {
  interface SessionData {
    /** Sign-ins started at the provider and not yet back, by their state (one per tab). */
    oidcPending: Record<string, PendingOidc>;
  }
}

export const OIDC_START_PATH = '/auth/oidc';
export const OIDC_CALLBACK_PATH = '/auth/oidc/callback';

/** A sign-in at the provider that takes longer than this is started again. */
const PENDING_TTL_MS = 10 * 60_000;
/** Tabs started at once; the oldest is dropped beyond, so a session never grows without bound. */
const MAX_PENDING = 4;
/**
 * Starts per client address per minute. Each start keeps a session for a visitor who has not signed in yet (its
 * state, nonce and PKCE verifier), so an unthrottled loop could fill the session store; a person needs a handful.
 */
export const OIDC_STARTS_PER_MINUTE = 30;

/** Turns the account the provider vouched for into a signed-in session, then answers (redirects to `next`). */
export type StartOidcSession = (req: Request, res: Response, username: string, next: string) => Promise<void>;

export function oidcRoutes(config: Config, oidc: OidcConfig, rp: OidcRelyingParty, startSession: StartOidcSession, logger: Logger): Router {
  const router = Router();
  const domain: AccountDomain = { dnsDomain: dnsDomainOf(config.ldap.baseDn ?? '') || undefined, realm: config.kerberos.realm, netbios: config.ad.domain };

  const startLimit = rateLimit({
    windowMs: 60_000,
    limit: OIDC_STARTS_PER_MINUTE,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (req, _res, next, options) => {
      logger.warn('single sign-on starts throttled', { audit: 'sign-in', method: 'oidc', result: 'throttled', ip: req.ip });
      next(new TooManyAttemptsError(Math.ceil(options.windowMs / 1000)));
    },
  });

  router.get(OIDC_START_PATH, startLimit, async (req, res) => {
    const next = safeRedirectTarget(req.query.next);
    if (req.session.user) return res.redirect(303, next);
    // The outage page's "Try again" comes back here.
    res.locals.wayBack = { retry: req.originalUrl };
    const redirectUri = oidc.redirectUrl?.href ?? `${req.protocol}://${req.host}${OIDC_CALLBACK_PATH}`;
    const { url, pending } = await rp.start(redirectUri, next);
    const kept = Object.values(req.session.oidcPending ?? {})
      .filter((p) => Date.now() - p.startedAt < PENDING_TTL_MS)
      .sort((a, b) => a.startedAt - b.startedAt)
      .slice(-(MAX_PENDING - 1));
    req.session.oidcPending = Object.fromEntries([...kept, pending].map((p) => [p.state, p]));
    await saveSession(req);
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, url.href);
  });

  router.get(OIDC_CALLBACK_PATH, async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const pending = takePending(req);
    // Checked before anything goes to the provider: a callback this browser did not start (login CSRF, a replayed
    // or stale link, another browser's) is refused outright.
    if (!pending) {
      throw new BadRequestError(...said('errors.sso.stateMismatch', undefined, { code: 'oidc_state_mismatch' }));
    }
    await saveSession(req);
    res.locals.wayBack = { retry: `${OIDC_START_PATH}?next=${encodeURIComponent(pending.next)}` };
    // The URL as the provider was told it: behind a proxy the request's own may differ in scheme or host.
    const callbackUrl = new URL(pending.redirectUri);
    callbackUrl.search = new URL(req.originalUrl, 'http://portcullis.invalid').search;
    let claims: Record<string, unknown>;
    try {
      claims = await rp.finish(callbackUrl, pending);
    } catch (err) {
      if (!(err instanceof OidcRefusedError)) throw err;
      logger.info('OpenID Connect sign-in refused by the provider', { audit: 'sign-in', method: 'oidc', result: err.error });
      const { t } = translatorOf(res);
      req.session.notice = err.error === 'access_denied' ? t('errors.sso.cancelled') : t('errors.sso.refusedTryAgain', { error: err.error });
      await saveSession(req);
      return res.redirect(303, `/login${pending.next === '/' ? '' : `?next=${encodeURIComponent(pending.next)}`}`);
    }
    let username: string;
    try {
      username = accountFromClaims(claims, oidc.claim, domain);
    } catch (err) {
      logger.warn('OpenID Connect sign-in refused: no account of this domain', { audit: 'sign-in', method: 'oidc', result: 'unmapped', claim: oidc.claim, value: stringClaim(claims[oidc.claim]) });
      throw err;
    }
    try {
      await startSession(req, res, username, pending.next);
    } catch (err) {
      // The directory's "wrong username or password" would mislead here: nobody typed either.
      if (!(err instanceof InvalidCredentialsError)) throw err;
      throw new OidcAccountError(...said('errors.sso.notInDirectory', { account: stringClaim(claims[oidc.claim]) ?? username }));
    }
  });

  return router;
}

/** The pending sign-in the callback's state names, removed (a state works once); undefined if none. */
function takePending(req: Request): PendingOidc | undefined {
  const state = req.query.state;
  const all = req.session.oidcPending;
  if (typeof state !== 'string' || !all || !Object.hasOwn(all, state)) return undefined;
  const pending = all[state];
  delete all[state];
  if (Object.keys(all).length === 0) delete req.session.oidcPending;
  return pending && Date.now() - pending.startedAt < PENDING_TTL_MS ? pending : undefined;
}

function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((err) => (err ? reject(err as Error) : resolve())));
}

const stringClaim = (v: unknown): string | undefined => (typeof v === 'string' ? v.slice(0, 256) : undefined);
