// A full SMB set-up queue answers 503 with the queue's own Retry-After, not the generic 30 s.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../../src/errors/index.js';
import { createLogger } from '../../../src/log.js';
import { SmbBusyError } from '../../../src/sessions/index.js';
import { errorHandler } from '../../../src/web/middleware/index.js';

describe('503 answers', () => {
  it('carry SmbBusyError’s Retry-After and say when to come back; other 503s keep the default', async () => {
    const app = express();
    app.get('/busy', () => {
      throw new SmbBusyError({ retryAfterSeconds: 7 });
    });
    app.get('/down', () => {
      throw new UnavailableError();
    });
    app.use(errorHandler({ logger: createLogger({ level: 'error', format: 'json' }) }));
    const server = http.createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const busy = await fetch(`${url}/busy`, { headers: { Accept: 'application/json' } });
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('7');
      expect(((await busy.json()) as { error: { message: string; code: string } }).error).toMatchObject({
        code: 'smb_busy',
        message: 'The file server is busy, please try again in 7 seconds.',
      });
      const down = await fetch(`${url}/down`, { headers: { Accept: 'application/json' } });
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBe('30');
    } finally {
      server.close();
    }
  });
});
