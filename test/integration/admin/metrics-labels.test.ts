// Issue 10, item 11: the `route` label of the HTTP metrics is a bounded set. 10,000 requests to random paths
// (GET, HEAD, POST and PUT, many refused by CSRF before any route, some inside real areas) add a handful of
// series, not 10,000: whatever no route handled is labelled (unmatched).
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDomain } from '../../fixtures/require-domain.js';
import { signInOk } from '../../helpers/http-client.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { startWebApp, type WebApp } from '../../helpers/web-app.js';

const TOKEN = 'admin-token-for-metrics-labels-0123';
const REQUESTS = 10_000;
const PARALLEL = 16;

/** `route` label → requests counted, from portcullis_http_requests_total. */
function routes(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^portcullis_http_requests_total\{[^}]*route="([^"]*)"[^}]*\} (\d+)$/.exec(line);
    if (m) out.set(m[1] ?? '', (out.get(m[1] ?? '') ?? 0) + Number(m[2]));
  }
  return out;
}

const seriesOf = (text: string, name: string): number => text.split('\n').filter((l) => l.startsWith(`${name}{`)).length;

describe('metrics labels under random paths', () => {
  let app: WebApp;
  let agent: http.Agent;

  beforeAll(async () => {
    app = await startWebApp(requireDomain(), { env: { ADMIN_TOKEN: TOKEN, LOGIN_MAX_PER_IP: '1000' }, logLevel: 'error' });
    agent = new http.Agent({ keepAlive: true, maxSockets: PARALLEL });
  });
  afterAll(async () => {
    agent?.destroy();
    await app?.close();
  });

  const metrics = async (): Promise<string> => (await app.client().get('/metrics', { headers: { Authorization: `Bearer ${TOKEN}` } })).text;

  function send(method: string, path: string, cookie?: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = http.request(new URL(path, app.url), { method, agent, headers: { Accept: 'text/html', ...(cookie ? { Cookie: cookie } : {}), ...(method === 'POST' || method === 'PUT' ? { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': '3' } : {}) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(method === 'POST' || method === 'PUT' ? 'a=1' : undefined);
    });
  }

  it(`${REQUESTS.toLocaleString('en')} random paths add only a few series; CSRF refusals and unknown paths are (unmatched)`, async () => {
    // Signed in too, so requests inside the real areas get past sign-in and their own handlers answer.
    const alice = app.client();
    await signInOk(alice, 'alice', DEMO_PASSWORD);
    const cookie = alice.jar.header();
    const before = await metrics();
    const kinds: [string, (r: string) => string, boolean][] = [
      ['GET', (r) => `/${r}/${r}`, false],
      ['POST', (r) => `/${r}`, false],
      ['POST', (r) => `/${r}/x`, true],
      ['PUT', (r) => `/${r}.php`, false],
      ['HEAD', (r) => `/${r}`, true],
      ['POST', (r) => `/browse/home/${r}/`, true],
      ['GET', (r) => `/browse/home/${r}/`, true],
      ['GET', (r) => `/download/home/${r}`, false],
    ];
    const statuses = new Map<string, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < REQUESTS) {
          const i = next++;
          const [method, path, signedIn] = kinds[i % kinds.length] as [string, (r: string) => string, boolean];
          const status = await send(method, path(`r${randomBytes(6).toString('hex')}`), signedIn ? cookie : undefined);
          const key = `${method} ${status}`;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
        }
      }),
    );
    const after = await metrics();
    const labels = routes(after);
    const counted = new Map([...labels].map(([route, n]) => [route, n - (routes(before).get(route) ?? 0)]));
    console.log(`${REQUESTS} random requests: ${JSON.stringify(Object.fromEntries(statuses))}; route labels after: ${JSON.stringify(Object.fromEntries(counted))}`);

    // Every request was counted, under a handful of labels, none of them a random path.
    expect([...counted.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(REQUESTS);
    expect(labels.size).toBeLessThanOrEqual(12);
    for (const route of labels.keys()) expect(route).not.toMatch(/r[0-9a-f]{12}/);
    expect(seriesOf(after, 'portcullis_http_requests_total') - seriesOf(before, 'portcullis_http_requests_total')).toBeLessThanOrEqual(20);
    expect(seriesOf(after, 'portcullis_http_request_duration_seconds_bucket')).toBeLessThan(400);
    // Refused by CSRF before routing (POST anywhere without a token) or matched by nothing: (unmatched).
    expect(statuses.get('POST 403')).toBeGreaterThanOrEqual((REQUESTS / kinds.length) * 3 - 3);
    expect(counted.get('(unmatched)')).toBeGreaterThanOrEqual((REQUESTS / kinds.length) * 5 - 5);
    // Requests the areas themselves answered keep their area's label.
    expect(counted.get('/browse/*')).toBeGreaterThanOrEqual(REQUESTS / kinds.length - 1);
    expect(counted.get('/download/*')).toBeGreaterThanOrEqual(REQUESTS / kinds.length - 1);
  }, 600_000);

  it('static files are (static), a known route keeps its pattern', async () => {
    const before = routes(await metrics());
    const css = await app.client().get('/css/app.css');
    expect(css.status).toBe(200);
    expect((await app.client().get('/login')).status).toBe(200);
    const after = routes(await metrics());
    expect((after.get('(static)') ?? 0) - (before.get('(static)') ?? 0)).toBe(1);
    expect((after.get('/login') ?? 0) - (before.get('/login') ?? 0)).toBe(1);
  });
});
