/**
 * GET /api/jobs → {jobs: [job…]} (this user's recent jobs, newest first); GET /api/jobs/:id → job (its progress);
 * DELETE /api/jobs/:id → job (cancel; answers once the job has stopped, or still stopping after a few seconds).
 * Another user's job id is answered as unknown (404). With Redis, every instance answers for every instance's jobs.
 */
import { type Request, Router } from 'express';
import type { JobRegistry } from '../../jobs/index.js';
import { OpError } from '../../files/index.js';
import { said } from '../../errors/index.js';
import { translatorOf } from '../i18n/middleware.js';
import { localJob } from './job-view.js';
import { requireUser } from '../auth/current-user.js';

/** DELETE waits this long for the job to stop (it stops between items, or within 16 MiB of a file's copy). */
const CANCEL_WAIT_MS = 5000;

const noSuchJob = (): OpError => new OpError('not-found', ...said('errors.drive.noSuchJob'));

export function jobsApiRoutes(jobs: JobRegistry): Router {
  const router = Router();
  const owner = (req: Request): string => req.session.user?.username ?? '';

  router.get('/api/jobs', requireUser, async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ jobs: (await jobs.views(owner(req))).map((v) => localJob(v, translatorOf(res).tn)) });
  });

  // `?since=N`: only results after the first N (a job deleting 10,000 files has 10,000 of them; a poller that
  // has seen N asks for the rest, and the answer stays small).
  router.get('/api/jobs/:id', requireUser, async (req, res) => {
    const since = typeof req.query.since === 'string' && /^\d{1,9}$/u.test(req.query.since) ? Number(req.query.since) : 0;
    const view = await jobs.view(owner(req), String(req.params.id), since);
    if (!view) throw noSuchJob();
    res.setHeader('Cache-Control', 'no-store');
    res.json(localJob(view, translatorOf(res).tn));
  });

  // Through any instance: the one running the job is told (Redis) when it is not this one.
  router.delete('/api/jobs/:id', requireUser, async (req, res) => {
    const view = await jobs.cancel(owner(req), String(req.params.id), CANCEL_WAIT_MS);
    if (!view) throw noSuchJob();
    res.json(localJob(view, translatorOf(res).tn));
  });
  return router;
}
