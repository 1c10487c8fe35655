/**
 * HTTP Negotiate (RFC 4559) for domain-joined browsers: GET /login answers 401 with `WWW-Authenticate: Negotiate`
 * (and the page, with the password form when that is on); the browser retries with its Kerberos ticket for
 * HTTP/<this host>. We check it with the service's key (src/krb/acceptor.ts), then sign the user in by delegation:
 * S4U2Proxy with that very ticket as evidence when it is forwardable, else S4U2Self (protocol transition), since
 * the KDC takes only forwardable evidence. A forged, expired or replayed ticket is a 401 with a fresh challenge
 * (and a typed log line), never a 500.
 */
import { type Request, type Response, Router } from 'express';
import type { DelegatedTickets } from '../../auth/delegated-tickets.js';
import { ApReqRejectedError, acceptNegotiate, evidenceOf, isForwardable, principalToString, type ReplayGuard } from '../../krb/index.js';
import type { Logger } from '../../log.js';
import { startDelegatedSession } from './delegated-session.js';
import { translatorOf } from '../i18n/middleware.js';
import { safeRedirectTarget } from './safe-redirect.js';

/** base64 of a SPNEGO token; anything else after "Negotiate" is not ours to parse. */
const HEADER = /^Negotiate\s+([A-Za-z0-9+/]+={0,2})\s*$/i;

/** `replay` remembers accepted authenticators: this process's memory, or shared by all instances (Redis). */
export function negotiateRoutes(tickets: DelegatedTickets, replay: ReplayGuard, logger: Logger): Router {
  const router = Router();
  const realm = tickets.s4u.realm;

  const challenge = (res: Response, reason?: string): void => {
    res.setHeader('WWW-Authenticate', 'Negotiate');
    res.status(401);
    if (reason) res.locals.signInError = reason;
  };

  router.get('/login', (req: Request, res: Response, next) => {
    if (req.session.user) return next();
    const m = HEADER.exec(req.get('authorization') ?? '');
    // No ticket yet: ask for one, and show the page (the form too, when passwords are on) for browsers that have none.
    if (!m) {
      challenge(res);
      return next();
    }
    const target = safeRedirectTarget(req.query.next);
    void (async () => {
      let ctx;
      try {
        ctx = await acceptNegotiate(Buffer.from(m[1]!, 'base64'), {
          keys: (sname) => tickets.acceptorKeys(principalToString(sname)),
          // Tickets for our HTTP/ SPNs only: not, say, one for the account name itself.
          acceptService: (sname) => sname.parts.length === 2 && sname.parts[0]!.toUpperCase() === 'HTTP',
          replay,
          now: () => tickets.kdcNow(),
        });
        if (ctx.crealm.toUpperCase() !== realm || ctx.client.parts.length !== 1) {
          throw new ApReqRejectedError('client-mismatch', `${principalToString(ctx.client, ctx.crealm)} is not a user of ${realm}`);
        }
      } catch (err) {
        if (!(err instanceof ApReqRejectedError)) return next(err);
        logger.warn('Negotiate ticket refused', { audit: 'sign-in', method: 'negotiate', result: err.problem, reason: err.message, ip: req.ip });
        challenge(res, translatorOf(res).t('errors.sso.negotiateFailed'));
        return next();
      }
      const user = ctx.client.parts[0]!;
      // The KDC takes only forwardable evidence for S4U2Proxy; a non-forwardable ticket (a browser that did not ask
      // for one) still proves who this is, so protocol transition (S4U2Self) stands in for it.
      const forwardable = isForwardable(ctx.flags);
      logger.info('Negotiate ticket accepted', { method: 'negotiate', user, evidence: forwardable ? 'browser ticket (S4U2Proxy)' : 'not forwardable: S4U2Self' });
      try {
        await startDelegatedSession(req, res, user, 'negotiate', forwardable ? evidenceOf(ctx) : undefined);
      } catch (err) {
        return next(err);
      }
      // Mutual authentication: the browser checks that it was really us it gave the ticket to.
      if (ctx.responseToken) res.setHeader('WWW-Authenticate', `Negotiate ${ctx.responseToken.toString('base64')}`);
      res.redirect(303, target);
    })();
  });

  return router;
}
