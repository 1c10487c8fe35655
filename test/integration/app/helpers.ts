import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import winston from 'winston';
import { type AppDeps, createApp } from '../../../src/app.js';
import { type Config, loadConfig } from '../../../src/config/index.js';
import { createLogger } from '../../../src/log.js';

export interface TestApp {
  url: string;
  /** Every log entry so far, parsed from the JSON lines the app wrote. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/** The real app on an ephemeral port, logging JSON into memory. */
export async function startTestApp(env: NodeJS.ProcessEnv = {}, deps: Omit<AppDeps, 'logger'> = {}): Promise<TestApp & { config: Config }> {
  const config = loadConfig({ NODE_ENV: 'test', ...env });
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ level: 'debug', format: 'json', transports: [new winston.transports.Stream({ stream: sink })] });
  const server = http.createServer(createApp(config, { ...deps, logger }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    logs,
    config,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Logging happens on 'finish', which can land just after the client has the response. */
export async function waitForLog(logs: Record<string, unknown>[], match: (entry: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  for (let i = 0; i < 50; i++) {
    const found = logs.find(match);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no matching log entry in:\n${logs.map((l) => JSON.stringify(l)).join('\n')}`);
}
