import { realpathSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import express from 'express';
import { type AppDeps, createApp } from './app.js';
import { type Config, ConfigError, loadConfig, missingSignInSettings, startupWarnings } from './config/index.js';
import { createServices, type Services } from './services.js';
import { enforceBodyDeadline, httpServerOptions } from './http-timeouts.js';
import { createLogger, type Logger } from './log.js';
import { ErrorReporter, mailConfigured, type ReporterOptions, smtpSender } from './mail/index.js';
import { newRequestId } from './web/middleware/index.js';
import { Metrics, metricsRoutes } from './web/health/metrics.js';
import { readinessChecks } from './web/health/ready.js';

/** Connections the kernel holds for the app to accept (see server.listen below). */
const LISTEN_BACKLOG = 4096;

export interface RunningServer {
  server: Server;
  url: string;
  /** The admin listener (METRICS_PORT), when configured. */
  adminUrl?: string;
  reporter: ErrorReporter | undefined;
  /**
   * Stops accepting, lets in-flight requests (downloads) finish for up to SHUTDOWN_GRACE_SECONDS, cuts what is
   * left, then closes SMB sessions (logoff) and the session store.
   */
  close(): Promise<void>;
}

/** Extra app parts (tests mount routes here); the logger, services, reporter and metrics come from startServer. */
export type ServerExtras = Omit<AppDeps, 'logger' | 'services' | 'reporter' | 'metrics'>;

export function createReporter(
  config: Config,
  logger: Logger,
  metrics: Metrics,
  services: Services | undefined,
  overrides: Partial<ReporterOptions> = {},
): ErrorReporter | undefined {
  if (!mailConfigured(config.mail)) return undefined;
  const checks = readinessChecks(config, { store: services?.sessions.store, directory: services?.directory });
  return new ErrorReporter({
    appName: config.site.name,
    sender: smtpSender(config.mail, config.site.name),
    logger,
    dedupMs: config.mail.dedupMinutes * 60_000,
    maxPerHour: config.mail.maxPerHour,
    hooks: metrics.reporterHooks(),
    upstreamChecks: async () => (await checks(true)).map(({ name, ok, detail }) => ({ name, ok, detail })),
    ...overrides,
  });
}

export async function startServer(config: Config, logger: Logger, extras: ServerExtras = {}): Promise<RunningServer> {
  const missing = missingSignInSettings(config);
  let services: Services | undefined;
  if (missing.length === 0) {
    services = await createServices(config, logger);
    await services.sessions.ready.catch(async (err: unknown) => {
      await services?.close();
      throw err;
    });
  } else {
    logger.warn(`sign-in is off until these are set: ${missing.join(', ')}; serving the status page only`);
  }
  const metrics = new Metrics();
  const reporter = createReporter(config, logger, metrics, services);
  const app = createApp(config, { ...extras, logger, metrics, ...(services ? { services } : {}), ...(reporter ? { reporter } : {}) });
  let admin: Server | undefined;
  if (config.admin.metricsPort !== undefined) {
    const adminApp = express();
    adminApp.disable('x-powered-by');
    adminApp.use(metricsRoutes(metrics, { token: undefined, open: true }));
    admin = http.createServer(adminApp);
    const adminServer = admin;
    await new Promise<void>((resolve, reject) => {
      adminServer.once('error', reject);
      adminServer.listen(config.admin.metricsPort, config.server.host, () => resolve());
    });
  }
  const graceMs = config.server.shutdownGraceSeconds * 1000;
  return new Promise((resolve, reject) => {
    const server = http.createServer(httpServerOptions(config), app);
    enforceBodyDeadline(server, config.server.requestTimeoutSeconds * 1000);
    server.once('error', reject);
    // A lecture hall connecting at once while the event loop is busy overflowed Node's default accept queue
    // (511): the kernel dropped the handshakes and the browsers retried after 1, 3, 7, 15 and 31 s, so pages took
    // 30-40 s with the app never seeing the request. The kernel caps this at net.core.somaxconn (4096 on Debian 12).
    server.listen({ port: config.server.port, host: config.server.host, backlog: LISTEN_BACKLOG }, () => {
      const shownHost = config.server.host === '0.0.0.0' || config.server.host === '::' ? 'localhost' : config.server.host;
      const { port } = server.address() as AddressInfo;
      const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
      let closing: Promise<void> | undefined;
      const close = (): Promise<void> =>
        (closing ??= new Promise((done) => {
          const force = setTimeout(() => {
            logger.warn(`shutdown grace of ${config.server.shutdownGraceSeconds} s is over: cutting the requests still running`);
            server.closeAllConnections();
          }, graceMs);
          force.unref();
          // Keep-alive connections that finish their request during the grace period are closed as they go idle.
          const sweep = setInterval(() => server.closeIdleConnections(), 200);
          sweep.unref();
          admin?.close();
          admin?.closeAllConnections();
          // Live folder streams never finish by themselves: end them now (browsers reconnect elsewhere).
          services?.live.close();
          server.close(() => {
            clearTimeout(force);
            clearInterval(sweep);
            reporter?.close();
            void (services?.close() ?? Promise.resolve())
              .then(() => reporter?.flush(5000))
              .finally(done);
          });
          server.closeIdleConnections();
        }));
      const adminAddress = admin?.address() as AddressInfo | null | undefined;
      resolve({ server, url, reporter, close, ...(adminAddress ? { adminUrl: `http://${adminAddress.address.includes(':') ? `[${adminAddress.address}]` : adminAddress.address}:${adminAddress.port}` } : {}) });
    });
  });
}

/** Reads the config, listens, and stops cleanly on SIGTERM/SIGINT. Returns the exit code on failure to start. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<number | undefined> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const logger = createLogger(config.log);
  return serve(config, logger);
}

/**
 * Listens, and stops cleanly on SIGTERM/SIGINT. Uncaught exceptions are logged and mailed, then the process exits
 * (its state is unknown); unhandled rejections are logged and mailed, and it carries on.
 */
export async function serve(config: Config, logger: Logger, extras: ServerExtras = {}): Promise<number | undefined> {
  if (config.session.secretGenerated) {
    logger.warn('SESSION_SECRET is not set: using a random one for this process, so sessions end when it restarts');
  }
  for (const warning of startupWarnings(config)) logger.warn(warning);

  let running: RunningServer;
  try {
    running = await startServer(config, logger, extras);
  } catch (err) {
    logger.error(`cannot listen on ${config.server.host}:${config.server.port}: ${(err as Error).message}`);
    return 1;
  }
  logger.info(`${config.site.name} listening on ${running.url}`, { env: config.env, ...(running.adminUrl ? { metrics: `${running.adminUrl}/metrics` } : {}) });
  const reporter = running.reporter;
  process.on('unhandledRejection', (reason) => {
    const reference = newRequestId();
    logger.error('unhandled promise rejection', { reference, err: reason });
    reporter?.reportProcessError(reason, 'unhandledRejection', reference);
  });
  process.on('uncaughtException', (err) => {
    const reference = newRequestId();
    logger.error('uncaught exception: exiting', { reference, err });
    reporter?.reportProcessError(err, 'uncaughtException', reference);
    const exit = (): never => process.exit(1);
    setTimeout(exit, 6000).unref();
    void (reporter?.flush(5000) ?? Promise.resolve()).finally(exit);
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    // A second signal means the operator is done waiting.
    if (stopping) process.exit(1);
    stopping = true;
    logger.info(`${signal} received: finishing in-flight requests`);
    void running.close().then(() => {
      logger.info('stopped');
      process.exitCode = 0;
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return undefined;
}

// Run when executed directly (node dist/server.js, tsx src/server.ts), not when imported by the CLI.
const invokedPath = process.argv[1] ? realpathSync(process.argv[1]) : '';
if (invokedPath === fileURLToPath(import.meta.url)) {
  const code = await main();
  if (code !== undefined) process.exitCode = code;
}
