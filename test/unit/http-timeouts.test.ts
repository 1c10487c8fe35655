import { describe, expect, it } from 'vitest';
import { httpTimeouts } from '../../src/http-timeouts.js';

const server = (headersTimeoutSeconds: number, requestTimeoutSeconds: number) => ({
  server: { port: 3000, host: '127.0.0.1', trustProxy: false, shutdownGraceSeconds: 30, headersTimeoutSeconds, maxHeaderBytes: 65_536, requestTimeoutSeconds },
});

describe('httpTimeouts', () => {
  it('headers within HTTP_HEADERS_TIMEOUT_SECONDS; Node\'s server-wide request limit is off (enforceBodyDeadline replaces it)', () => {
    expect(httpTimeouts(server(60, 300))).toEqual({ headersTimeout: 60_000, requestTimeout: 0, connectionsCheckingInterval: 15_000 });
  });

  it('a short headers limit is checked often enough to mean something, a long one at most every 30 s', () => {
    expect(httpTimeouts(server(1, 0)).connectionsCheckingInterval).toBe(250);
    expect(httpTimeouts(server(3600, 0)).connectionsCheckingInterval).toBe(30_000);
  });
});
