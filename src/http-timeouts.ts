import type { ServerOptions } from 'node:http';
import type { Config } from './config/index.js';

/**
 * Node's HTTP timeouts from the config. Node's own default (a whole request within 300 s) cuts a legitimate
 * upload of UPLOAD_MAX_BYTES over a slow link, so the request limit is a setting (default none) while the
 * headers limit still cuts clients that never finish their headers (slowloris).
 */
export function httpTimeouts(config: Pick<Config, 'server'>): Pick<ServerOptions, 'headersTimeout' | 'requestTimeout' | 'connectionsCheckingInterval'> {
  const requestTimeout = config.server.requestTimeoutSeconds * 1000;
  // Node refuses a headers limit beyond a (non-zero) request limit.
  const headersTimeout = requestTimeout > 0 ? Math.min(config.server.headersTimeoutSeconds * 1000, requestTimeout) : config.server.headersTimeoutSeconds * 1000;
  // Node checks the limits on this interval (30 s by default): check often enough for a short limit to mean something.
  const connectionsCheckingInterval = Math.min(30_000, Math.max(250, Math.floor(headersTimeout / 4)));
  return { headersTimeout, requestTimeout, connectionsCheckingInterval };
}
