import { realpathSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createApp } from './app.js';
import { type Config, ConfigError, loadConfig, missingLdapSettings } from './config/index.js';
import { createServices, type Services } from './services.js';
import { createLogger, type Logger } from './log.js';

/** How long in-flight requests may run after a shutdown signal before their sockets are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const missing = missingLdapSettings(config);
  let services: Services | undefined;
  if (missing.length === 0) {
    services = createServices(config, logger);
    await services.sessions.ready.catch(async (err: unknown) => {
      await services?.close();
      throw err;
    });
  } else {
    logger.warn(`sign-in is off until these are set: ${missing.join(', ')}; serving the status page only`);
  }
  const app = createApp(config, { logger, ...(services ? { services } : {}) });
  return new Promise((resolve, reject) => {
    const server = app.listen(config.server.port, config.server.host, (err?: Error) => {
      if (err) return reject(err);
      const shownHost = config.server.host === '0.0.0.0' || config.server.host === '::' ? 'localhost' : config.server.host;
      const { port } = server.address() as AddressInfo;
      const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
      const close = (): Promise<void> =>
        new Promise((done) => {
          const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
          force.unref();
          server.close(() => {
            clearTimeout(force);
            void (services?.close() ?? Promise.resolve()).finally(done);
          });
          server.closeIdleConnections();
        });
      resolve({ server, url, close });
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
  if (config.session.secretGenerated) {
    logger.warn('SESSION_SECRET is not set: using a random one for this process, so sessions end when it restarts');
  }

  let running: RunningServer;
  try {
    running = await startServer(config, logger);
  } catch (err) {
    logger.error(`cannot listen on ${config.server.host}:${config.server.port}: ${(err as Error).message}`);
    return 1;
  }
  logger.info(`${config.site.name} listening on ${running.url}`, { env: config.env });

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
