import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../../src/errors/index.js';
import { startTestApp, type TestApp, waitForLog } from './helpers.js';

let app: TestApp;

class SmbLikeNotFound extends Error {
  override name = 'NotFound';
  status = 0xc0000034;
}

beforeAll(async () => {
  app = await startTestApp(
    { SITE_NAME: 'Test <Gate>' },
    {
      statusChecks: async () => ({ ok: true, checkedAt: new Date().toISOString(), ldap: [], smb: [] }),
      mount: (express) => {
        express.get('/boom', () => {
          throw new Error('kaboom at /srv/secret/path');
        });
        express.get('/async-boom', async () => {
          await Promise.resolve();
          throw new TypeError('async kaboom');
        });
        express.get('/conflict', () => {
          throw new ConflictError('“<b>report</b>.pdf” already exists.');
        });
        express.get('/smb-missing', () => {
          throw new SmbLikeNotFound('STATUS_OBJECT_NAME_NOT_FOUND on \\\\fs1\\share\\x');
        });
        express.get('/half', (_req, res, next) => {
          res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': '100' });
          res.write(Buffer.alloc(10));
          setTimeout(() => next(new Error('upstream died mid-transfer')), 10);
        });
      },
    },
  );
});
afterAll(() => app.close());

const json = { Accept: 'application/json' };

describe('GET /healthz', () => {
  it('answers 200 JSON without touching any dependency', async () => {
    const res = await fetch(`${app.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9A-Z]{10}$/);
  });

  it('logs one line for the request', async () => {
    const res = await fetch(`${app.url}/healthz?token=abc`);
    const id = res.headers.get('x-request-id');
    const line = await waitForLog(app.logs, (l) => l.id === id && l.method === 'GET');
    expect(line).toMatchObject({ level: 'info', path: '/healthz', status: 200, bytes: 15 });
    expect(typeof line.ms).toBe('number');
    expect(JSON.stringify(line)).not.toContain('abc');
  });
});

describe('security headers', () => {
  it('sends a strict CSP without unsafe-inline on every response', async () => {
    for (const path of ['/healthz', '/', '/no-such-page']) {
      const res = await fetch(`${app.url}${path}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k = '', ...v]) => [k, v]));
      expect(directives['script-src']).toEqual(["'self'"]);
      expect(directives['style-src']).toEqual(["'self'"]);
      expect(directives['default-src']).toEqual(["'self'"]);
      expect(directives['object-src']).toEqual(["'none'"]);
      expect(directives['frame-ancestors']).toEqual(["'none'"]);
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('renders pages with no inline script or style', async () => {
    const html = await (await fetch(`${app.url}/`)).text();
    // Data is not script: the browser code's messages ride in <script type="application/json"> (never run).
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)(?![^>]*\btype="application\/json")[^>]*>/);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/<style/);
    expect(html).not.toMatch(/\son[a-z]+=/);
    expect(html).toContain('<script type="module" src="/build/app.js"></script>');
    expect(html).toContain('/build/vendor/bootstrap.min.css');
    // The site name is escaped.
    expect(html).toContain('Test &lt;Gate&gt;');
  });
});

describe('unknown routes', () => {
  it('get the 404 page', async () => {
    const res = await fetch(`${app.url}/no/such/page`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('Not found');
    expect(html).toContain('href="/"');
    expect(html).not.toContain('Reference:');
  });

  it('get JSON when the client prefers it', async () => {
    const res = await fetch(`${app.url}/no/such/page`, { headers: json });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ status: 404, code: 'not_found' });
    expect(body.error.message).toEqual(expect.any(String));
    expect(body.error.reference).toBe(res.headers.get('x-request-id'));
  });
});

describe('a route that throws', () => {
  it.each(['/boom', '/async-boom'])('%s gives a 500 page with a reference and no stack', async (path) => {
    const res = await fetch(`${app.url}${path}`);
    expect(res.status).toBe(500);
    const html = await res.text();
    const reference = res.headers.get('x-request-id') ?? '';
    expect(html).toContain(`<code id="error-reference">${reference}</code>`);
    expect(html).not.toContain('kaboom');
    expect(html).not.toMatch(/\bat .*\.ts:\d+/);
    expect(html).not.toContain('/srv/secret');

    const logged = await waitForLog(app.logs, (l) => l.reference === reference && l.level === 'error');
    const err = logged.err as { message: string; stack: string };
    expect(err.message).toContain('kaboom');
    expect(err.stack).toContain('app.test.ts');
  });

  it('gives JSON with the reference when asked', async () => {
    const res = await fetch(`${app.url}/boom`, { headers: json });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('kaboom');
    const body = JSON.parse(text) as { error: { status: number; message: string; reference: string } };
    expect(body.error.status).toBe(500);
    expect(body.error.reference).toMatch(/^[0-9A-Z]{10}$/);
    await waitForLog(app.logs, (l) => l.reference === body.error.reference && l.level === 'error');
  });

  it('shows an expected error’s own message, escaped', async () => {
    const res = await fetch(`${app.url}/conflict`);
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(html).toContain('“&lt;b&gt;report&lt;/b&gt;.pdf” already exists.');
    expect(html).not.toContain('<b>report');
  });

  it('maps an SMB-style error by name without leaking its path', async () => {
    const res = await fetch(`${app.url}/smb-missing`, { headers: json });
    expect(res.status).toBe(404);
    const text = await res.text();
    expect(text).not.toContain('fs1');
    expect(text).not.toContain('STATUS_');
  });

  it('cuts the connection when the body had already started', async () => {
    const res = await fetch(`${app.url}/half`);
    expect(res.status).toBe(200);
    await expect(res.arrayBuffer()).rejects.toThrow();
  });
});
