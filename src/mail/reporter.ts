// Decides which reports become mails: the same fingerprint within a window is one mail plus, at the end of the
// window, one "occurred N times" mail; a cap per hour over all mails; known upstream outages give one
// "degraded" and one "recovered" mail. Sending never blocks the caller; a failed send is logged and dropped.
import { hostname } from 'node:os';
import type { Request } from 'express';
import type { Logger } from '../log.js';
import { formatDegraded, formatRecovered, formatReport, type MailContent, type OutageFacts } from './format.js';
import { buildReport, type ErrorReport, fingerprint, type ReportKind } from './report.js';

export interface MailSender {
  send(mail: MailContent): Promise<void>;
}

export type MailKind = 'error' | 'degraded' | 'recovered';
export type SuppressReason = 'duplicate' | 'rate_limit';

export interface ReporterHooks {
  sent?(kind: MailKind): void;
  suppressed?(reason: SuppressReason): void;
  failed?(kind: MailKind): void;
}

export interface UpstreamCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ReporterOptions {
  appName: string;
  sender: MailSender;
  logger: Logger;
  dedupMs: number;
  maxPerHour: number;
  hooks?: ReporterHooks;
  /** Checks of the upstreams (LDAP, SMB servers, session store) that confirm an outage and notice its end. */
  upstreamChecks?: () => Promise<UpstreamCheck[]>;
  /** How often to re-check while degraded. */
  outagePollMs?: number;
  now?: () => number;
}

interface Bucket {
  firstAt: number;
  total: number;
  /** Occurrences not mailed yet. */
  pending: number;
  latest: ErrorReport;
  timer: NodeJS.Timeout;
}

type Locals = Parameters<typeof buildReport>[5];

const HOUR = 3_600_000;

export class ErrorReporter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly sentAt: number[] = [];
  private capSuppressed = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private outage: { facts: OutageFacts; affected: number; timer: NodeJS.Timeout | undefined } | undefined;
  private confirming: Promise<void> | undefined;
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly options: ReporterOptions) {
    this.now = options.now ?? Date.now;
  }

  /** An unexpected error while serving a request. Returns at once. */
  reportRequestError(err: unknown, reference: string, req: Request, locals?: Locals): void {
    this.report(buildReport('request', err, reference, this.options.appName, req, locals));
  }

  /** An uncaught exception or unhandled rejection. Returns at once; `flush()` waits for the mail. */
  reportProcessError(err: unknown, kind: Exclude<ReportKind, 'request'>, reference: string): void {
    this.report(buildReport(kind, err, reference, this.options.appName));
  }

  /**
   * A request failed because an upstream is unavailable (503). The first one starts a check of every upstream;
   * only a failing check makes an outage (a busy server or one dropped connection does not). While degraded,
   * further calls are only counted.
   */
  upstreamUnavailable(err: unknown, req?: Request): void {
    if (this.closed) return;
    if (this.outage) {
      this.outage.affected++;
      return;
    }
    if (this.confirming || !this.options.upstreamChecks) return;
    const first = req ? `${req.method} ${req.originalUrl.split('?')[0] ?? ''}: ${err instanceof Error ? err.message : String(err)}` : undefined;
    this.confirming = this.confirmOutage(first).finally(() => {
      this.confirming = undefined;
    });
  }

  /** Whether an outage is being reported (for tests and /readyz). */
  get degraded(): boolean {
    return this.outage !== undefined;
  }

  /** Waits (at most timeoutMs) for mails being sent: before exiting on an uncaught exception, and in tests. */
  async flush(timeoutMs = 5000): Promise<void> {
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([Promise.allSettled([...this.inFlight, ...(this.confirming ? [this.confirming] : [])]).then(() => undefined), deadline]);
  }

  /** Stops timers. Pending "occurred N times" counts are sent now (not awaited: use flush()). */
  close(): void {
    this.closed = true;
    for (const [key, b] of this.buckets) {
      clearTimeout(b.timer);
      if (b.pending > 0) this.deliver('error', formatReport(b.latest, { count: b.total, since: new Date(b.firstAt) }, this.takeCapNote()));
      this.buckets.delete(key);
    }
    if (this.outage?.timer) clearTimeout(this.outage.timer);
  }

  private report(report: ErrorReport): void {
    const key = fingerprint(report);
    const bucket = this.buckets.get(key);
    if (bucket) {
      bucket.total++;
      bucket.pending++;
      bucket.latest = report;
      this.options.hooks?.suppressed?.('duplicate');
      this.options.logger.debug('error report folded into an earlier mail', { reference: report.reference, occurrences: bucket.total });
      return;
    }
    const fresh: Bucket = { firstAt: report.time.getTime(), total: 1, pending: 0, latest: report, timer: this.windowTimer(key) };
    this.buckets.set(key, fresh);
    this.sendCapped('error', () => formatReport(report, undefined, this.takeCapNote()));
  }

  /** At the end of a window: one mail for the occurrences folded in, then a new window; none folded in: the bucket ends. */
  private windowTimer(key: string): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const b = this.buckets.get(key);
      if (!b) return;
      if (b.pending === 0 || this.closed) {
        this.buckets.delete(key);
        return;
      }
      b.pending = 0;
      const latest = b.latest;
      const repeats = { count: b.total, since: new Date(b.firstAt) };
      this.sendCapped('error', () => formatReport(latest, repeats, this.takeCapNote()));
      b.timer = this.windowTimer(key);
    }, this.options.dedupMs);
    timer.unref();
    return timer;
  }

  private sendCapped(kind: MailKind, make: () => MailContent): void {
    const now = this.now();
    while (this.sentAt.length > 0 && (this.sentAt[0] ?? 0) <= now - HOUR) this.sentAt.shift();
    if (this.sentAt.length >= this.options.maxPerHour) {
      this.capSuppressed++;
      this.options.hooks?.suppressed?.('rate_limit');
      this.options.logger.warn('error mail not sent: MAIL_MAX_PER_HOUR reached', { kind, suppressedSoFar: this.capSuppressed });
      return;
    }
    this.sentAt.push(now);
    this.deliver(kind, make());
  }

  private takeCapNote(): string | undefined {
    if (this.capSuppressed === 0) return undefined;
    const note = `${this.capSuppressed} earlier report${this.capSuppressed === 1 ? ' was' : 's were'} not mailed because of the hourly cap (MAIL_MAX_PER_HOUR); see the logs.`;
    this.capSuppressed = 0;
    return note;
  }

  private deliver(kind: MailKind, mail: MailContent): void {
    const sending = this.options.sender.send(mail).then(
      () => {
        this.options.hooks?.sent?.(kind);
        this.options.logger.info('report mail sent', { kind, subject: mail.subject });
      },
      (err: unknown) => {
        this.options.hooks?.failed?.(kind);
        this.options.logger.error('report mail could not be sent', { kind, subject: mail.subject, err: err instanceof Error ? err.message : String(err) });
      },
    );
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }

  private async runChecks(): Promise<UpstreamCheck[]> {
    try {
      return (await this.options.upstreamChecks?.()) ?? [];
    } catch (err) {
      return [{ name: 'Upstream checks', ok: false, detail: err instanceof Error ? err.message : String(err) }];
    }
  }

  private async confirmOutage(firstError: string | undefined): Promise<void> {
    const checks = await this.runChecks();
    const failing = checks.filter((c) => !c.ok).map(({ name, detail }) => ({ name, detail }));
    if (this.closed) return;
    if (failing.length === 0) {
      this.options.logger.info('a 503 was answered but every upstream check passes (busy or a transient drop): no outage mail');
      return;
    }
    const facts: OutageFacts = { appName: this.options.appName, host: hostname(), failing, since: new Date(this.now()), firstError };
    this.outage = { facts, affected: 1, timer: undefined };
    this.options.logger.warn('service degraded', { failing });
    this.sendCapped('degraded', () => formatDegraded(facts));
    this.scheduleRecheck();
  }

  private scheduleRecheck(): void {
    if (!this.outage || this.closed) return;
    this.outage.timer = setTimeout(() => {
      void this.recheck();
    }, this.options.outagePollMs ?? 15_000);
    this.outage.timer.unref();
  }

  private async recheck(): Promise<void> {
    const outage = this.outage;
    if (!outage || this.closed) return;
    const checks = await this.runChecks();
    if (checks.some((c) => !c.ok)) {
      this.scheduleRecheck();
      return;
    }
    this.outage = undefined;
    const recoveredAt = new Date(this.now());
    this.options.logger.info('service recovered', { since: outage.facts.since, affectedRequests: outage.affected });
    this.sendCapped('recovered', () => formatRecovered({ ...outage.facts, recoveredAt, affectedRequests: outage.affected }));
  }
}
