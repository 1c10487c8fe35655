// Issue 11: past its capacity the instance queues page and file GETs fairly and turns away what it cannot take
// in time with a clear 503 + Retry-After, never an answer that does not come. The file server's replies are held
// at a relay, so the requests in their turn stay in it as long as the test wants: with HTTP_MAX_IN_FLIGHT=2 and
// HTTP_QUEUE_LIMIT=2, two are worked on, two wait, the fifth is turned away at once; health checks never wait.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LARGE_FILE } from '../../fixtures/domain-data.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { waitFor } from '../../fixtures/proc.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { signedIn, startBrowseApp } from '../../helpers/browse.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startSmbReplyGate, type SmbReplyGate } from '../../helpers/smb-reply-gate.js';
import { freePort, type WebApp } from '../../helpers/web-app.js';

const TOKEN = 'admission-test-token-0123456789';

let domain: DomainInfo;
let gate: SmbReplyGate;
let app: WebApp;
let alice: HttpClient;
let bob: HttpClient;

const get = (client: HttpClient, path: string, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(new URL(path, client.baseUrl), { headers: { Accept: 'text/html', Cookie: client.jar.header(), ...headers } });

async function inTurn(): Promise<{ running: number; waiting: number }> {
  const text = await (await fetch(new URL('/metrics', app.url), { headers: { Authorization: `Bearer ${TOKEN}` } })).text();
  const value = (state: string): number => Number(new RegExp(`^portcullis_http_requests_in_turn\\{state="${state}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { running: value('running'), waiting: value('waiting') };
}

beforeAll(async () => {
  domain = requireDomain();
  gate = await startSmbReplyGate({ port: await freePort(), target: { host: domain.ip, port: 445 } });
  app = await startBrowseApp(domain, {
    env: { SMB_HOST_MAP: `${domain.fileServerName}=127.0.0.1:${gate.port}`, HTTP_MAX_IN_FLIGHT: '2', HTTP_QUEUE_LIMIT: '2', HTTP_QUEUE_WAIT_MS: '60000', ADMIN_TOKEN: TOKEN },
    logLevel: 'error',
  });
  alice = await signedIn(app, 'alice');
  bob = await signedIn(app, 'bob');
  // Both SMB connections up before the relay holds anything.
  expect((await get(alice, '/browse/home/')).status).toBe(200);
  expect((await get(bob, '/browse/home/')).status).toBe(200);
}, 120_000);
afterAll(async () => {
  gate?.release();
  await app?.close();
  await gate?.close();
});

describe('page and file GETs past capacity', () => {
  it('two worked on, two waiting in order, the fifth turned away at once with Retry-After; health never waits', async () => {
    gate.hold();
    const first = [get(alice, '/browse/home/'), get(bob, '/browse/home/')];
    await waitFor('two requests in their turn', async () => (await inTurn()).running === 2, 30_000);
    const queued = [get(alice, '/browse/home/Documents/'), get(bob, '/browse/home/')];
    await waitFor('two requests waiting their turn', async () => (await inTurn()).waiting === 2, 30_000);

    const turnedAway = await get(alice, '/browse/home/');
    expect(turnedAway.status).toBe(503);
    expect(Number(turnedAway.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await turnedAway.text()).toMatch(/The server is busy right now, please try again in (a second|\d+ seconds)\./);
    const json = await get(alice, '/browse/home/', { Accept: 'application/json' });
    expect(json.status).toBe(503);
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe('server_busy');
    // In German for a German browser.
    const german = await get(bob, '/browse/home/', { 'Accept-Language': 'de' });
    expect(await german.text()).toContain('Der Server ist gerade ausgelastet');
    // Health checks and static files are answered while the queue is full.
    expect((await fetch(new URL('/healthz', app.url))).status).toBe(200);

    gate.release();
    const answers = await Promise.all([...first, ...queued]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    await Promise.all(answers.map((r) => r.text()));
    await waitFor('the queue to empty', async () => {
      const t = await inTurn();
      return t.running === 0 && t.waiting === 0;
    }, 30_000);
  });

  it('a request that would wait longer than HTTP_QUEUE_WAIT_MS is answered 503 when its wait runs out, not left hanging', async () => {
    const short = await startBrowseApp(domain, {
      env: { SMB_HOST_MAP: `${domain.fileServerName}=127.0.0.1:${gate.port}`, HTTP_MAX_IN_FLIGHT: '1', HTTP_QUEUE_WAIT_MS: '1000' },
      logLevel: 'error',
    });
    try {
      const carol = await signedIn(short, 'alice');
      expect((await get(carol, '/browse/home/')).status).toBe(200);
      gate.hold();
      const held = get(carol, '/browse/home/');
      await waitFor('the first request to wait on the file server', async () => gate.held > 0, 30_000);
      const waiting = await get(carol, '/browse/home/Documents/');
      expect(waiting.status).toBe(503);
      expect(waiting.headers.get('retry-after')).toMatch(/^\d+$/);
      gate.release();
      expect((await held).status).toBe(200);
    } finally {
      gate.release();
      await short.close();
    }
  });

  it('a download gives its turn back once its answer starts: a long transfer does not hold a slot', async () => {
    const one = await startBrowseApp(domain, { env: { HTTP_MAX_IN_FLIGHT: '1', HTTP_QUEUE_WAIT_MS: '60000' }, logLevel: 'error' });
    try {
      const dave = await signedIn(one, 'alice');
      const download = await get(dave, `/download/shared/${encodeURIComponent(LARGE_FILE.path)}`);
      expect(download.status).toBe(200);
      // The 64 MiB body is not read: the transfer stays under way while another page is asked for.
      const listing = await get(dave, '/browse/home/');
      expect(listing.status).toBe(200);
      await listing.text();
      await download.body?.cancel();
    } finally {
      await one.close();
    }
  });
});
