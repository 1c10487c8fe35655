import { Router } from 'express';
import { hasAdminToken, isLocalRequest } from './admin-access.js';
import { useLanguage } from '../i18n/middleware.js';
import type { StatusChecks } from '../../health/checks.js';

export interface StatusPageAccess {
  /** Sign-in is on: the page is no longer the set-up page, and strangers get only "ok" or "not ok". */
  signInAvailable: boolean;
  adminToken: string | undefined;
}

/** Process liveness only: no dependencies, so an orchestrator never restarts us for an AD outage. */
export function healthRoutes(status: StatusChecks, access: StatusPageAccess): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ status: 'ok' });
  });

  // Shows whether the directory and the file servers are reachable. The details (LDAP URLs, server addresses,
  // bind errors) map the network behind the app, so once sign-in is on they go only to this machine or an admin,
  // as on /readyz; before that, the page is how the admin sets the app up.
  router.get('/status', async (req, res) => {
    const report = await status();
    res.setHeader('Cache-Control', 'no-store');
    const detailed = !access.signInAvailable || isLocalRequest(req) || hasAdminToken(req, access.adminToken);
    const summary = report.ok ? 'ok' : 'degraded';
    if (req.accepts(['html', 'json']) === 'json') {
      res.json(detailed ? { status: summary, ...report } : { status: summary });
      return;
    }
    // The operators' page stays English on purpose (README, Languages): the whole page, navbar too, and it says so
    // in <html lang> and Content-Language, whatever the browser asks for.
    useLanguage(res, 'en');
    res.render('pages/status', { title: 'Status', report: detailed ? report : undefined, ok: report.ok, signInAvailable: access.signInAvailable });
  });

  return router;
}
