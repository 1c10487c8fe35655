// A real SMTP server (smtp-server) that keeps every message raw and parsed, and the app wired with a real
// ErrorReporter sending to it, for the admin tests. Sinks take a free port; 2534 and 2528 stay closed (mail server down).
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Express } from 'express';
import { createApp } from '../../../src/app.js';
import { createReporter } from '../../../src/server.js';
import { type Config, loadConfig } from '../../../src/config/index.js';
import type { Logger } from '../../../src/log.js';
import type { ErrorReporter, ReporterOptions } from '../../../src/mail/index.js';
import { createServices, type Services } from '../../../src/services.js';
import { Metrics } from '../../../src/web/health/metrics.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { HttpClient } from '../../helpers/http-client.js';
import { listenLocally, memoryLogger, tempDataDir, webEnvFor } from '../../helpers/web-app.js';

export interface ReceivedMail {
  raw: string;
  parsed: ParsedMail;
  auth: string | undefined;
}

export interface SmtpSink {
  port: number;
  mails: ReceivedMail[];
  /** Resolves once at least `n` mails have arrived (or rejects after timeoutMs). */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

/** `port` 0 takes any free port (read it back from `.port`), so two test runs on one machine cannot collide. */
export async function startSmtp(port: number, opts: { auth?: { user: string; pass: string } } = {}): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: opts.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !opts.auth,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        void simpleParser(raw).then((parsed) => {
          mails.push({ raw, parsed, auth: typeof session.user === 'string' ? session.user : undefined });
          cb();
        }, cb);
      });
    },
  });
  server.listen(port, '127.0.0.1');
  await once(server.server, 'listening');
  return {
    port: (server.server.address() as AddressInfo).port,
    mails,
    async waitFor(n, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      while (mails.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} mails, got ${mails.length}: ${mails.map((m) => m.parsed.subject).join(' | ')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return mails;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface AdminApp {
  url: string;
  config: Config;
  services: Services;
  reporter: ErrorReporter;
  metrics: Metrics;
  logs: string[];
  logger: Logger;
  client(): HttpClient;
  close(): Promise<void>;
}

export interface AdminAppOptions {
  env?: Record<string, string>;
  adjust?: (config: Config) => void;
  mount?: (app: Express) => void;
  reporter?: Partial<ReporterOptions>;
}

export async function startAdminApp(domain: DomainInfo, opts: AdminAppOptions = {}): Promise<AdminApp> {
  const dataDir = tempDataDir('portcullis-admin-');
  const config = loadConfig(webEnvFor(domain, dataDir, { MAIL_FROM: 'Portcullis <portcullis@example.test>', ADMIN_EMAILS: 'admins@example.test', ...opts.env }));
  opts.adjust?.(config);
  const { logs, logger } = memoryLogger('debug');
  const services = await createServices(config, logger);
  await services.sessions.ready;
  const metrics = new Metrics();
  const reporter = createReporter(config, logger, metrics, services, { outagePollMs: 500, ...opts.reporter });
  if (!reporter) throw new Error('the admin test app needs MAIL_HOST and ADMIN_EMAILS');
  const app = createApp(config, { logger, services, reporter, metrics, ...(opts.mount ? { mount: opts.mount } : {}) });
  const { server, url } = await listenLocally(app);
  return {
    url,
    config,
    services,
    reporter,
    metrics,
    logs,
    logger,
    client: () => new HttpClient(url),
    close: async () => {
      reporter.close();
      await reporter.flush(2000);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The value of a "Field: value" line in a mail's text body. */
export function field(text: string, name: string): string | undefined {
  const m = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\s+(.*)$`, 'm').exec(text);
  return m?.[1]?.trim();
}
