import type { IncomingMessage, Server, ServerOptions } from 'node:http';
import type { Config } from './config/index.js';

/**
 * Node's HTTP timeouts from the config. The headers limit cuts clients that never finish their headers
 * (slowloris). Node's whole-request limit is off: it is server-wide, and an upload of UPLOAD_MAX_BYTES over a
 * slow link legitimately takes hours; enforceBodyDeadline takes its place, with that exception.
 */
export function httpTimeouts(config: Pick<Config, 'server'>): Pick<ServerOptions, 'headersTimeout' | 'requestTimeout' | 'connectionsCheckingInterval'> {
  const headersTimeout = config.server.headersTimeoutSeconds * 1000;
  // Node checks the headers limit on this interval (30 s by default): often enough for a short limit to mean something.
  const connectionsCheckingInterval = Math.min(30_000, Math.max(250, Math.floor(headersTimeout / 4)));
  return { headersTimeout, requestTimeout: 0, connectionsCheckingInterval };
}

const lifts = new WeakMap<IncomingMessage, () => void>();

/**
 * Every request body must have arrived within `ms` of the request (0 = no limit), or the connection is closed,
 * unless a route lifts the limit with allowSlowBody. Only routes behind sign-in do (uploads), so an anonymous
 * client can't hold a connection open by trickling a body.
 */
export function enforceBodyDeadline(server: Server, ms: number): void {
  if (ms <= 0) return;
  server.prependListener('request', (req: IncomingMessage, res: NodeJS.EventEmitter) => {
    const timer = setTimeout(() => {
      if (!req.complete) req.socket.destroy();
    }, ms);
    timer.unref();
    const lift = (): void => clearTimeout(timer);
    lifts.set(req, lift);
    req.once('end', lift);
    req.once('close', lift);
    // A body the answer did not wait for is still being received (and discarded): the deadline holds for it.
    res.once('finish', () => {
      if (req.complete) lift();
    });
  });
}

/** A signed-in user's upload may take as long as the link needs. */
export function allowSlowBody(req: IncomingMessage): void {
  lifts.get(req)?.();
}

/**
 * Everything http.createServer takes from the config: the timeouts above and the request header limit
 * (HTTP_MAX_HEADER_BYTES), which HTTP Negotiate needs raised: the browser sends the user's whole service ticket,
 * PAC and groups included, in one Authorization header (README: "Single sign-on", measured sizes).
 */
export function httpServerOptions(config: Pick<Config, 'server'>): ServerOptions {
  return { ...httpTimeouts(config), maxHeaderSize: config.server.maxHeaderBytes };
}
