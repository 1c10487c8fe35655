import { describe, expect, it } from 'vitest';
import { httpTimeouts } from '../../src/http-timeouts.js';

const server = (headersTimeoutSeconds: number, requestTimeoutSeconds: number) => ({
  server: { port: 3000, host: '127.0.0.1', trustProxy: false, shutdownGraceSeconds: 30, headersTimeoutSeconds, requestTimeoutSeconds },
});

describe('httpTimeouts', () => {
  it('by default: headers within 60 s, no whole-request limit, checked every 15 s', () => {
    expect(httpTimeouts(server(60, 0))).toEqual({ headersTimeout: 60_000, requestTimeout: 0, connectionsCheckingInterval: 15_000 });
  });

  it('a request limit shorter than the headers limit caps it (Node refuses headers > request)', () => {
    expect(httpTimeouts(server(60, 20))).toMatchObject({ headersTimeout: 20_000, requestTimeout: 20_000 });
  });

  it('a short headers limit is checked often enough to mean something, a long one at most every 30 s', () => {
    expect(httpTimeouts(server(1, 0)).connectionsCheckingInterval).toBe(250);
    expect(httpTimeouts(server(3600, 0)).connectionsCheckingInterval).toBe(30_000);
  });
});
