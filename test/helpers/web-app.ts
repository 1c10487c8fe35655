// The real app (sign-in, sessions, SMB pool) for tests: in-process on an ephemeral port, or as a child
// process (`node --import tsx src/server.ts`) for restart tests. Logs are captured in memory either way.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import winston from 'winston';
import { type AppDeps, createApp } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config/index.js';
import { createLogger, type Logger } from '../../src/log.js';
import { createServices, type ServiceOverrides, type Services } from '../../src/services.js';
import { appEnvFor } from '../fixtures/app-env.js';
import type { DomainInfo } from '../fixtures/domain.js';
import { HttpClient } from './http-client.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const TEST_SESSION_SECRET = 'x'.repeat(40);

/** A fresh data directory under the system temp dir; remove it with rmSync when done. */
export function tempDataDir(prefix = 'portcullis-web-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The environment the app gets for the test domain (what an admin would put in .env). */
export function webEnvFor(domain: DomainInfo, dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    ...appEnvFor(domain),
    DATA_DIR: dataDir,
    SESSION_SECRET: TEST_SESSION_SECRET,
    // PORT=0 (any free port) is refused by the config (1–65535): in-process apps listen on 0 themselves,
    // child processes get a port from freePort().
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

export interface WebApp {
  url: string;
  config: Config;
  services: Services;
  /** Every line the app logged so far (JSON, one entry per line). */
  logs: string[];
  /** A client with an empty cookie jar. */
  client(): HttpClient;
  close(): Promise<void>;
}

export interface WebAppOptions {
  env?: Record<string, string>;
  /** A data directory to reuse (e.g. between two instances); otherwise a fresh one, removed at close. */
  dataDir?: string;
  /** Adjusts the loaded config before anything is built (e.g. a throttle window of seconds). */
  adjust?: (config: Config) => void;
  services?: ServiceOverrides;
  /** Log level of the in-memory logger (default 'debug', to catch everything). */
  logLevel?: Config['log']['level'];
  /** Routes added after the app's own (AppDeps.mount): a test's own door into the app. */
  mount?: AppDeps['mount'];
}

/** A JSON logger whose lines land in `logs`, so tests can read (and scan) everything the app logged. */
export function memoryLogger(level: Config['log']['level']): { logs: string[]; logger: Logger } {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(line);
      done();
    },
  });
  return { logs, logger: createLogger({ level, format: 'json', transports: [new winston.transports.Stream({ stream: sink })] }) };
}

/** Serves `handler` on an ephemeral loopback port. */
export async function listenLocally(handler: http.RequestListener, options: http.ServerOptions = {}): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(options, handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function startWebApp(domain: DomainInfo, opts: WebAppOptions = {}): Promise<WebApp> {
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? tempDataDir();
  const config = loadConfig(webEnvFor(domain, dataDir, opts.env));
  opts.adjust?.(config);
  const { logs, logger } = memoryLogger(opts.logLevel ?? 'debug');
  const services = await createServices(config, logger, opts.services);
  await services.sessions.ready;
  // The server's own limits (HTTP_MAX_HEADER_BYTES: Negotiate headers), as server.ts sets them.
  const { server, url } = await listenLocally(createApp(config, { logger, services, ...(opts.mount ? { mount: opts.mount } : {}) }), { maxHeaderSize: config.server.maxHeaderBytes });
  return {
    url,
    config,
    services,
    logs,
    client: () => new HttpClient(url),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.close();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A port that was free a moment ago (the OS picks it; a tiny race with other users is accepted). */
export async function freePort(): Promise<number> {
  const probe = http.createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after a few seconds; resolves when it has exited. */
  stop(): Promise<void>;
}

/**
 * `node --import tsx src/server.ts` with this environment (logging at debug, so its stdout holds everything it
 * would ever log); resolves once it says where it listens. `nodeArgs` go before the script (e.g. `npm start`'s
 * V8 flags).
 */
export async function startServerProcess(env: Record<string, string>, opts: { nodeArgs?: string[] } = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', 'src/server.ts'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', LOG_FORMAT: 'json', ...env, LOG_LEVEL: 'debug' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exited = once(child, 'exit');
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 20 s:\n${out}`)), 20_000);
    const look = (): void => {
      const m = /listening on (http:\/\/[^\s"]+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', look);
    child.stderr?.on('data', look);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`server exited at start:\n${out}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(force);
    },
  };
}
