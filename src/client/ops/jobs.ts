// Long operations (delete, copy, move) as jobs: live progress with Cancel (GET/DELETE /api/jobs/:id), every
// failed item listed with its reason, and on page load the user's running jobs and those that ended while no
// page of theirs was watching (GET /api/jobs), so someone who closed the page sees where their work got to.
// A job whose end a page has shown is remembered as seen (localStorage) and not shown again on the next page.
// Results are announced in the live region.
import { bytes as formatBytes, intlLocale, msg } from '../i18n.js';
import { api, ApiError, messageOf, type Job } from './api.js';
import { announce, announceError, el } from './dom.js';

const POLL_MS = 700;
/** Finished jobs shown on a returning page: those that ended this recently. */
const RECENT_MS = 30 * 60_000;
const SEEN_KEY = 'pc-seen-jobs';

const ACTION_KEYS = {
  deleted: 'jobs.action.deleted',
  copied: 'jobs.action.copied',
  moved: 'jobs.action.moved',
  skipped: 'jobs.action.skipped',
  replaced: 'jobs.action.replaced',
  'kept-both': 'jobs.action.keptBoth',
} as const;

/** "Copying 3 items" (or "Copying" before the count is known). */
const runningLabel = (job: Job): string => (job.total ? msg(`jobs.runningItems.${job.kind}`, { count: job.total.items }) : msg(`jobs.running.${job.kind}`));

function seen(): string[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(SEEN_KEY) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function markSeen(id: string): void {
  try {
    const ids = seen();
    if (!ids.includes(id)) localStorage.setItem(SEEN_KEY, JSON.stringify([...ids, id].slice(-200)));
  } catch {
    // No storage (private mode): a finished job's card shows again on the next page, within RECENT_MS.
  }
}

/** "3 copied, 1 skipped; 1 failed." */
export function jobOutcome(job: Job): string {
  const counts = new Map<string, number>();
  for (const r of job.results) counts.set(r.action, (counts.get(r.action) ?? 0) + 1);
  const parts = Array.from(counts, ([action, n]) => (action in ACTION_KEYS ? msg(ACTION_KEYS[action as keyof typeof ACTION_KEYS], { count: n }) : `${n} ${action}`));
  const head = parts.length ? parts.join(', ') : msg('jobs.nothingDone');
  const outcome = job.failures.length ? msg('jobs.itemsFailed', { outcome: head, count: job.failures.length }) : head;
  switch (job.state) {
    case 'cancelled':
      return msg('jobs.cancelled', { outcome });
    case 'failed':
      return msg('jobs.failed', { outcome });
    default:
      return msg(`jobs.done.${job.kind}`, { outcome });
  }
}

export class Jobs {
  private readonly cards = new Map<string, HTMLElement>();

  constructor(
    private readonly panel: HTMLElement,
    private readonly onFinished: (job: Job) => void,
  ) {}

  /** Shows a job and follows it until it ends. `label` says what it is ("Copying 3 items to “Work”"). */
  track(job: Job, label?: string, restored = false): void {
    const card = this.cardFor(job, label ?? runningLabel(job));
    this.render(card, job);
    if (job.state === 'running') void this.follow(job.id, card);
    // One that ended while no page watched is shown, not announced: the listing already has its result.
    else this.finished(job, card, restored);
  }

  /** A message that is not a job (an error before anything started). */
  notice(kind: 'danger' | 'success' | 'warning', text: string): void {
    const alert = el('div', `alert alert-${kind} alert-dismissible d-flex align-items-start gap-2 mb-2 pc-ops-notice`);
    // Not a live region of its own: src/client/announce.ts says it (once), an error as an alert.
    alert.append(el('span', 'flex-grow-1 text-break', text));
    const close = el('button', 'btn-close');
    close.type = 'button';
    close.setAttribute('aria-label', msg('jobs.dismiss'));
    close.addEventListener('click', () => alert.remove());
    alert.append(close);
    this.panel.hidden = false;
    this.panel.prepend(alert);
    if (kind === 'danger') announceError(text);
    else announce(text);
  }

  /** Running jobs and the unseen ones finished lately (GET /api/jobs); quiet when the server has no jobs API. */
  async restore(): Promise<void> {
    let jobs: Job[];
    try {
      jobs = (await api<{ jobs?: Job[] }>('GET', '/api/jobs')).jobs ?? [];
    } catch {
      return;
    }
    const gone = new Set(seen());
    const now = Date.now();
    for (const job of jobs) {
      if (gone.has(job.id) || this.cards.has(job.id)) continue;
      const ended = job.finishedAt ? new Date(job.finishedAt).getTime() : now;
      if (job.state !== 'running' && now - ended > RECENT_MS) continue;
      const started = new Date(job.startedAt);
      const label = runningLabel(job);
      this.track(job, Number.isNaN(started.getTime()) ? label : msg('jobs.startedAt', { label, time: started.toLocaleTimeString(intlLocale()) }), true);
    }
  }

  private cardFor(job: Job, label: string): HTMLElement {
    const existing = this.cards.get(job.id);
    if (existing) return existing;
    const card = el('div', 'card mb-2 pc-job');
    card.dataset.jobId = job.id;
    const body = el('div', 'card-body py-2');
    const head = el('div', 'd-flex flex-wrap align-items-center gap-2');
    head.append(el('strong', 'me-auto text-break pc-job-label', label), el('span', 'small text-body-secondary pc-job-stats'));
    const cancel = el('button', 'btn btn-sm btn-outline-danger pc-job-cancel', msg('jobs.cancel'));
    cancel.type = 'button';
    cancel.addEventListener('click', () => {
      cancel.disabled = true;
      cancel.textContent = msg('jobs.cancelling');
      api<{ job?: Job } & Partial<Job>>('DELETE', `/api/jobs/${encodeURIComponent(job.id)}`).catch((err: unknown) => {
        cancel.disabled = false;
        cancel.textContent = msg('jobs.cancel');
        this.notice('danger', messageOf(err));
      });
    });
    const close = el('button', 'btn btn-sm btn-outline-secondary pc-job-dismiss', msg('jobs.dismiss'));
    close.type = 'button';
    close.hidden = true;
    close.addEventListener('click', () => {
      card.remove();
      this.cards.delete(job.id);
      if (!this.panel.querySelector('.pc-job, .pc-ops-notice')) this.panel.hidden = true;
    });
    head.append(cancel, close);
    const bar = el('div', 'progress mt-2 pc-job-progress');
    bar.setAttribute('role', 'progressbar');
    bar.setAttribute('aria-label', label);
    bar.setAttribute('aria-valuemin', '0');
    bar.setAttribute('aria-valuemax', '100');
    bar.append(el('div', 'progress-bar'));
    body.append(head, bar, el('p', 'small text-body-secondary text-break mb-0 mt-1 pc-job-current'), el('p', 'mb-0 mt-1 pc-job-outcome'), el('ul', 'small mb-0 mt-1 pc-job-failures'));
    card.append(body);
    this.panel.hidden = false;
    this.panel.prepend(card);
    this.cards.set(job.id, card);
    return card;
  }

  private render(card: HTMLElement, job: Job): void {
    card.dataset.state = job.state;
    const q = <T extends Element>(s: string): T => card.querySelector<T>(s) as T;
    const total = job.total;
    const pct = total && total.bytes > 0 ? (100 * job.done.bytes) / total.bytes : total && total.items > 0 ? (100 * job.done.items) / total.items : job.state === 'running' ? 0 : 100;
    const shown = job.state === 'running' ? Math.min(100, Math.max(0, Math.round(pct))) : 100;
    const bar = q<HTMLElement>('.pc-job-progress');
    bar.setAttribute('aria-valuenow', String(shown));
    q<HTMLElement>('.progress-bar').style.width = `${shown}%`;
    q<HTMLElement>('.progress-bar').classList.toggle('bg-danger', job.state === 'failed' || job.failures.length > 0);
    const items = total ? msg('jobs.progressOf', { done: job.done.items, count: total.items }) : msg('ops.items', { count: job.done.items });
    const bytes =
      job.done.bytes > 0 ? (total && total.bytes ? msg('jobs.bytesOf', { done: formatBytes(job.done.bytes), total: formatBytes(total.bytes) }) : msg('jobs.bytesDone', { done: formatBytes(job.done.bytes) })) : '';
    q<HTMLElement>('.pc-job-stats').textContent = items + bytes;
    q<HTMLElement>('.pc-job-current').textContent = job.state === 'running' && job.current ? msg('jobs.now', { current: job.current }) : '';
    const failures = q<HTMLUListElement>('.pc-job-failures');
    failures.replaceChildren(...job.failures.map((f) => el('li', 'text-danger', `${f.path}: ${f.message}`)));
  }

  private finished(job: Job, card: HTMLElement, quiet = false): void {
    markSeen(job.id);
    const outcome = jobOutcome(job);
    const p = card.querySelector<HTMLElement>('.pc-job-outcome');
    if (p) {
      p.textContent = outcome;
      p.className = `mb-0 mt-1 pc-job-outcome ${job.state === 'done' && job.failures.length === 0 ? 'text-success' : 'text-danger'}`;
    }
    const cancel = card.querySelector<HTMLElement>('.pc-job-cancel');
    if (cancel) cancel.hidden = true;
    const close = card.querySelector<HTMLElement>('.pc-job-dismiss');
    if (close) close.hidden = false;
    if (!quiet) {
      if (job.state === 'failed' || (job.state === 'done' && job.failures.length > 0)) announceError(outcome);
      else announce(outcome);
      this.onFinished(job);
    }
  }

  private async follow(id: string, card: HTMLElement): Promise<void> {
    let delay = POLL_MS;
    for (;;) {
      await new Promise((r) => setTimeout(r, delay));
      let job: Job;
      try {
        const reply = await api<{ job?: Job } & Partial<Job>>('GET', `/api/jobs/${encodeURIComponent(id)}`);
        job = (reply.job ?? reply) as Job;
        delay = POLL_MS;
      } catch (err) {
        if (err instanceof ApiError && (err.status === 404 || err.status === 401)) {
          const p = card.querySelector<HTMLElement>('.pc-job-outcome');
          if (p) p.textContent = err.status === 404 ? msg('jobs.gone') : messageOf(err);
          return;
        }
        delay = Math.min(delay * 2, 10_000);
        continue;
      }
      this.render(card, job);
      if (job.state !== 'running') {
        this.finished(job, card);
        return;
      }
    }
  }
}
