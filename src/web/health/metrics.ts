// Prometheus metrics (prom-client), on a registry of their own so several apps in one process (tests) don't clash.
import type { Request, RequestHandler, Response } from 'express';
import type { Store } from 'express-session';
import { Router } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { type MailKind, type ReporterHooks, routeOf, type SuppressReason } from '../../mail/index.js';
import type { PoolStats } from '../../sessions/index.js';
import type { LiveStats } from '../../files/index.js';
import { hasAdminToken } from './admin-access.js';

export interface MetricSources {
  pool?: { stats(): PoolStats } | undefined;
  store?: Pick<Store, 'length'> | undefined;
  live?: { stats(): LiveStats } | undefined;
  activeSessions?: { readonly count: number } | undefined;
  /** The page and file GETs' turn queue (HTTP_MAX_IN_FLIGHT). */
  admission?: { readonly stats: { running: number; waiting: number } } | undefined;
}

function signInOutcome(status: number): string {
  if (status === 302 || status === 303) return 'success';
  if (status === 401) return 'rejected';
  if (status === 403) return 'not_allowed';
  if (status === 429) return 'throttled';
  if (status === 503) return 'unavailable';
  return status >= 500 ? 'error' : 'invalid';
}

const UNMATCHED = '(unmatched)';
const STATIC = '(static)';

declare module 'express-serve-static-core' {
  interface Locals {
    /** Set by Metrics.routing(): the request got past everything that may refuse it before the routes. */
    routed?: boolean;
    /** Set when a static file is served (Metrics.staticFile). */
    staticFile?: boolean;
  }
}

/** More area prefixes than the app has (a dozen): a safety net should a future area answer for any path. */
const MAX_AREA_LABELS = 64;


export class Metrics {
  readonly registry = new Registry();
  private sources: MetricSources = {};
  private readonly areaLabels = new Set<string>();
  private readonly requests = new Counter({ name: 'portcullis_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'] as const, registers: [this.registry] });
  private readonly duration = new Histogram({
    name: 'portcullis_http_request_duration_seconds',
    help: 'Time to the end of the response (downloads included)',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  private readonly bytesIn = new Counter({ name: 'portcullis_http_received_bytes_total', help: 'Request body bytes received from clients (uploads)', registers: [this.registry] });
  private readonly bytesOut = new Counter({ name: 'portcullis_http_sent_bytes_total', help: 'Bytes sent to clients (downloads), headers included', registers: [this.registry] });
  private readonly signIns = new Counter({ name: 'portcullis_sign_ins_total', help: 'Sign-in attempts by outcome', labelNames: ['outcome'] as const, registers: [this.registry] });
  private readonly smbErrors = new Counter({ name: 'portcullis_smb_errors_total', help: 'SMB errors that reached a response, by NTSTATUS', labelNames: ['ntstatus'] as const, registers: [this.registry] });
  private readonly mailsSent = new Counter({ name: 'portcullis_mails_sent_total', help: 'Report mails sent', labelNames: ['kind'] as const, registers: [this.registry] });
  private readonly mailsSuppressed = new Counter({ name: 'portcullis_mails_suppressed_total', help: 'Reports not mailed (folded into another mail, or over the hourly cap)', labelNames: ['reason'] as const, registers: [this.registry] });
  private readonly mailsFailed = new Counter({ name: 'portcullis_mails_failed_total', help: 'Report mails the SMTP server did not take', labelNames: ['kind'] as const, registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'portcullis_' });
    const sources = (): MetricSources => this.sources;
    new Gauge({
      name: 'portcullis_sessions_active',
      help: 'Unexpired sign-in sessions in the store',
      registers: [this.registry],
      async collect() {
        const store = sources().store;
        if (!store?.length) return;
        const n = await new Promise<number | undefined>((resolve) => {
          const timer = setTimeout(() => resolve(undefined), 2000);
          store.length?.((err, len) => {
            clearTimeout(timer);
            resolve(err ? undefined : len);
          });
        });
        if (n !== undefined) this.set(n);
      },
    });
    new Gauge({
      name: 'portcullis_sessions_active_here',
      help: 'Sessions with a request on this instance within SESSIONS_ACTIVE_MINUTES, sign-ins under way included (what SESSIONS_MAX_ACTIVE caps)',
      registers: [this.registry],
      collect() {
        const active = sources().activeSessions;
        if (active) this.set(active.count);
      },
    });
    new Gauge({
      name: 'portcullis_smb_connections',
      help: 'Open (or opening) SMB connections, by server',
      labelNames: ['server'] as const,
      registers: [this.registry],
      collect() {
        const stats = sources().pool?.stats();
        this.reset();
        if (!stats) return;
        for (const [server, s] of Object.entries(stats.servers)) this.set({ server }, s.connections);
      },
    });
    new Gauge({
      name: 'portcullis_http_requests_in_turn',
      help: 'Page and file GETs being worked on before their answer starts (capped by HTTP_MAX_IN_FLIGHT), and those waiting their turn',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const stats = sources().admission?.stats;
        this.set({ state: 'running' }, stats?.running ?? 0);
        this.set({ state: 'waiting' }, stats?.waiting ?? 0);
      },
    });
    new Gauge({
      name: 'portcullis_smb_waiting_requests',
      help: 'Requests queued for an SMB connection slot',
      registers: [this.registry],
      collect() {
        this.set(sources().pool?.stats().waiting ?? 0);
      },
    });
    new Gauge({
      name: 'portcullis_smb_connections_opened',
      help: 'SMB connections opened since start (a counter kept by the pool)',
      registers: [this.registry],
      collect() {
        this.set(sources().pool?.stats().opened ?? 0);
      },
    });
    new Gauge({
      name: 'portcullis_smb_received_bytes',
      help: 'Bytes received from file servers since start, framing included (a counter kept by the pool); a server-side copy barely moves it',
      registers: [this.registry],
      collect() {
        this.set(sources().pool?.stats().bytesReceived ?? 0);
      },
    });
    new Gauge({
      name: 'portcullis_smb_sent_bytes',
      help: 'Bytes sent to file servers since start, framing included (a counter kept by the pool)',
      registers: [this.registry],
      collect() {
        this.set(sources().pool?.stats().bytesSent ?? 0);
      },
    });
    new Gauge({
      name: 'portcullis_live_streams',
      help: 'Open live-folder event streams (browser tabs) holding a watch',
      registers: [this.registry],
      collect() {
        this.set(sources().live?.stats().viewers ?? 0);
      },
    });
    new Gauge({
      name: 'portcullis_live_watches',
      help: 'Folder watches (one outstanding SMB CHANGE_NOTIFY each) shared by those streams',
      registers: [this.registry],
      collect() {
        this.set(sources().live?.stats().watches ?? 0);
      },
    });
    new Gauge({
      name: 'portcullis_live_refused',
      help: 'Live-folder streams refused or cut off since start, by reason (a counter kept by the watch hub)',
      labelNames: ['reason'] as const,
      registers: [this.registry],
      collect() {
        const refused = sources().live?.stats().refused;
        this.reset();
        for (const [reason, n] of Object.entries(refused ?? {})) this.set({ reason }, n);
      },
    });
  }

  attach(sources: MetricSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  middleware(): RequestHandler {
    return (req, res, next) => {
      const start = process.hrtime.bigint();
      const socket = req.socket;
      const readBefore = socket.bytesRead;
      const writtenBefore = socket.bytesWritten;
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        const status = res.statusCode;
        const route = this.routeLabel(req, res);
        this.requests.inc({ method: req.method, route, status: String(status) });
        this.duration.observe({ method: req.method, route }, Number(process.hrtime.bigint() - start) / 1e9);
        // The headers (and a small body) were read before this middleware ran: count the declared body, or
        // for chunked uploads what the socket read while the request ran.
        const declared = Number(req.get('content-length') ?? '');
        this.bytesIn.inc(Number.isFinite(declared) && declared > 0 ? declared : Math.max(0, socket.bytesRead - readBefore));
        this.bytesOut.inc(Math.max(0, socket.bytesWritten - writtenBefore));
        if (req.method === 'POST' && req.path === '/login') this.signIns.inc({ outcome: signInOutcome(status) });
      };
      res.on('finish', finish);
      res.on('close', finish);
      next();
    };
  }

  /**
   * The `route` label: a bounded set, whatever paths clients send. A matched route gives its pattern; a
   * request one of the app's areas took (it got past the pre-routing middleware and did not fall through to
   * the 404 handler) gives that area's prefix; a served static file gives (static). Everything else (unknown
   * paths, and requests refused before routing, by CSRF say) is (unmatched): 10,000 random paths add no series.
   */
  private routeLabel(req: Request, res: Response): string {
    if (res.locals.unmatchedRoute) return UNMATCHED;
    if (typeof (req as { route?: { path?: unknown } }).route?.path === 'string') return routeOf(req);
    if (res.locals.staticFile) return STATIC;
    if (!res.locals.routed) return UNMATCHED;
    const area = routeOf(req);
    if (!this.areaLabels.has(area)) {
      if (this.areaLabels.size >= MAX_AREA_LABELS) return UNMATCHED;
      this.areaLabels.add(area);
    }
    return area;
  }

  /**
   * Mount after everything that may refuse a request before the routes (sessions, body parsing, CSRF) and
   * before the routes: requests refused earlier are labelled (unmatched), not by their path.
   */
  routing(): RequestHandler {
    return (_req, res, next) => {
      res.locals.routed = true;
      next();
    };
  }

  /** For express.static's setHeaders: this response is a static file (labelled (static)). */
  readonly staticFile = (res: Response): void => {
    res.locals.staticFile = true;
  };

  /** For the error handler: counts SMB errors by NTSTATUS, wherever in the cause chain they are. */
  observeError(err: unknown): void {
    let cur: unknown = err;
    for (let i = 0; i < 8 && typeof cur === 'object' && cur !== null; i++) {
      const e = cur as { status?: unknown; statusName?: unknown; cause?: unknown };
      if (typeof e.status === 'number' && e.status > 0xffff && typeof e.statusName === 'string') {
        this.smbErrors.inc({ ntstatus: e.statusName });
        return;
      }
      cur = e.cause;
    }
  }

  reporterHooks(): ReporterHooks {
    return {
      sent: (kind: MailKind) => this.mailsSent.inc({ kind }),
      suppressed: (reason: SuppressReason) => this.mailsSuppressed.inc({ reason }),
      failed: (kind: MailKind) => this.mailsFailed.inc({ kind }),
    };
  }
}

/**
 * `/metrics`: with a token configured, only for `Authorization: Bearer <token>`; with `open` (the admin port),
 * for anyone who can reach it; otherwise it does not exist (404).
 */
export function metricsRoutes(metrics: Metrics, access: { token: string | undefined; open?: boolean }): Router {
  const router = Router();
  router.get('/metrics', async (req, res, next) => {
    if (!access.open) {
      if (!access.token) return next();
      if (!hasAdminToken(req, access.token)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
        res.status(401).type('text/plain').send('Unauthorized\n');
        return;
      }
    }
    try {
      const body = await metrics.registry.metrics();
      res.setHeader('Cache-Control', 'no-store');
      res.type(metrics.registry.contentType).send(body);
    } catch (err) {
      next(err);
    }
  });
  return router;
}
