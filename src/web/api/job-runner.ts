// Starting a job from a request: the answer waits up to about a second, so quick operations come back finished.
import type { Request, Response } from 'express';
import type { JobRegistry, Job, JobKind } from '../../jobs/index.js';
import type { PoolCredential } from '../../sessions/index.js';
import { translatorOf } from '../i18n/middleware.js';
import { localJob } from './job-view.js';

/** How long a POST waits for its job before answering 202 with the job still running. */
export const QUICK_JOB_MS = 1000;

export interface JobStart {
  kind: JobKind;
  /** Opened for this job; wiped when it ends. */
  credential: PoolCredential;
  run: (job: Job) => Promise<void>;
  /** Writes the job's audit line once it has stopped: 'ok', 'cancelled' or the first failure's code. */
  audit: (result: string, extra: Record<string, unknown>) => void;
}

export function jobResult(job: Job): string {
  if (job.state === 'cancelled') return 'cancelled';
  return job.failures[0]?.code ?? 'ok';
}

export async function startJob(ctx: { jobs: JobRegistry }, req: Request, res: Response, start: JobStart): Promise<void> {
  const owner = req.session.user?.username ?? '';
  const job = await ctx.jobs.begin(owner, start.kind, start.run, (j) => {
    start.credential.ntowfv2.fill(0);
    start.audit(jobResult(j), { job: j.id, state: j.state, items: j.done.items, bytes: j.done.bytes, failed: j.failures.length });
  });
  const finished = await ctx.jobs.settled(job, QUICK_JOB_MS);
  if (!finished) res.status(202).location(`/api/jobs/${job.id}`);
  res.json({ job: localJob(job.view(), translatorOf(res).tn) });
}
