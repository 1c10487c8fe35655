import { Router } from 'express';
import type { StatusChecks } from './checks.js';

/** Process liveness only: no dependencies, so an orchestrator never restarts us for an AD outage. */
export function healthRoutes(status: StatusChecks): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ status: 'ok' });
  });

  // Shows whether the directory and the file servers are reachable.
  router.get('/status', async (req, res) => {
    const report = await status();
    res.setHeader('Cache-Control', 'no-store');
    if (req.accepts(['html', 'json']) === 'json') {
      res.json({ status: report.ok ? 'ok' : 'degraded', ...report });
      return;
    }
    res.render('pages/status', { title: 'Status', report });
  });

  return router;
}
