// Issue 13, Live folders: the real app against the real Samba DC, through an SMB proxy that counts the
// CHANGE_NOTIFY requests outstanding at the file server (the server's view of how many watches there are).
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requireDomain } from '../../fixtures/require-domain.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { SHARES } from '../../fixtures/domain-data.js';
import { signedIn, startBrowseApp } from '../../helpers/browse.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { notifyCountingProxy, openStream, smbclient, until, type NotifyCountingProxy, type SseStream } from '../../helpers/live.js';
import type { WebApp } from '../../helpers/web-app.js';

const PROXY_PORT = 5201;
const TOKEN = 'live-test-admin-token';
const FOLDER = `Live test ${process.pid}`;
const live = (sub = ''): string => `/live/shared/${encodeURIComponent(FOLDER)}/${sub ? `${encodeURIComponent(sub)}/` : ''}`;

describe('live folders', () => {
  let domain: DomainInfo;
  let proxy: NotifyCountingProxy;
  let app: WebApp;
  let alice: HttpClient;
  const open: SseStream[] = [];
  const stream = async (client: HttpClient, path: string): Promise<SseStream> => {
    const s = await openStream(client, path);
    open.push(s);
    return s;
  };
  const closeAll = (): void => {
    for (const s of open.splice(0)) s.close();
  };
  const watches = (): number => app.services.live.stats().watches;

  beforeAll(async () => {
    domain = requireDomain();
    for (const sub of ['', 'a', 'b', 'c']) {
      const dir = join(domain.sharesDir, SHARES.shared, FOLDER, sub);
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o777); // past the umask: alice's smbclient writes here
    }
    proxy = await notifyCountingProxy(PROXY_PORT, { host: domain.ip, port: 445 });
    app = await startBrowseApp(domain, {
      env: {
        SMB_HOST_MAP: `${domain.fileServerName}=127.0.0.1:${PROXY_PORT}`,
        LIVE_MAX_WATCHES: '3',
        LIVE_MAX_WATCHES_PER_SESSION: '2',
        LIVE_HEARTBEAT_SECONDS: '1',
        ADMIN_TOKEN: TOKEN,
      },
    });
    alice = await signedIn(app, 'alice');
  });
  afterEach(async () => {
    closeAll();
    await until(() => watches() === 0, 'no watch left after the test');
  });
  afterAll(async () => {
    closeAll();
    await app?.close();
    await proxy?.close();
    if (domain) rmSync(join(domain.sharesDir, SHARES.shared, FOLDER), { recursive: true, force: true });
  });

  it('20 tabs on one folder hold one watch (one CHANGE_NOTIFY at the server); a change reaches all; the last to leave tears it down', async () => {
    const tabs = await Promise.all(Array.from({ length: 20 }, () => stream(alice, live())));
    expect(tabs[0]?.status).toBe(200);
    expect(tabs[0]?.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(tabs[0]?.headers['x-accel-buffering']).toBe('no');
    await Promise.all(tabs.map((t) => t.waitFor((e) => e.type === 'live')));
    expect(app.services.live.stats()).toMatchObject({ watches: 1, viewers: 20 });
    await until(() => proxy.outstanding() === 1, 'one CHANGE_NOTIFY outstanding');

    await smbclient(domain, SHARES.shared, `cd "${FOLDER}"; mkdir "made by smbclient"`);
    await Promise.all(tabs.map((t) => t.waitFor((e) => e.type === 'change' && e.data.action === 'added' && e.data.name === 'made by smbclient')));
    // Still one: the watch re-armed its CHANGE_NOTIFY after answering, not once per tab.
    await until(() => proxy.outstanding() === 1, 'the CHANGE_NOTIFY re-armed');
    expect(proxy.outstanding()).toBe(1);
    // Heartbeats keep an idle stream open through proxies (LIVE_HEARTBEAT_SECONDS=1 here).
    await until(() => (tabs[0]?.comments ?? 0) > 0, 'a heartbeat comment');

    // Tabs close in any order, all at once: the count drops to zero once, and the watch goes with the last.
    for (const t of tabs.slice(1)) t.close();
    await until(() => app.services.live.stats().viewers === 1, '19 tabs gone');
    expect(watches()).toBe(1);
    tabs[0]?.close();
    await until(() => watches() === 0 && proxy.outstanding() === 0, 'the watch torn down at the server');
    expect(proxy.encrypted()).toBe(0);
    open.splice(0);
  });

  it('parallel opens and closes, some before the watch is even in place, leave no watch and no CHANGE_NOTIFY behind', async () => {
    for (let round = 0; round < 3; round++) {
      const tabs = await Promise.all(Array.from({ length: 15 }, () => stream(alice, live())));
      // Half go at once (mid set-up), the rest after the watch is live; then one more opens and closes.
      for (const t of tabs.slice(0, 7)) t.close();
      await Promise.all(tabs.slice(7).map((t) => t.waitFor((e) => e.type === 'live')));
      expect(watches()).toBe(1);
      closeAll();
    }
    await until(() => watches() === 0 && proxy.outstanding() === 0, 'nothing left at the app or the server');
    expect(app.services.live.stats().viewers).toBe(0);
  });

  it('two sessions of one user share the watch; another user on the same folder gets their own', async () => {
    const aliceAgain = await signedIn(app, 'alice');
    const bob = await signedIn(app, 'bob');
    const a1 = await stream(alice, '/live/library/');
    const a2 = await stream(aliceAgain, '/live/library/');
    await Promise.all([a1, a2].map((s) => s.waitFor((e) => e.type === 'live')));
    expect(watches()).toBe(1);
    const b = await stream(bob, '/live/library/');
    await b.waitFor((e) => e.type === 'live');
    expect(watches()).toBe(2);
    await until(() => proxy.outstanding() === 2, 'two CHANGE_NOTIFY outstanding');
    closeAll();
    await until(() => watches() === 0 && proxy.outstanding() === 0, 'both watches torn down');
  });

  it('over the caps a stream is told "paused" at once, counted in /metrics; tabs of a folder already watched are free', async () => {
    const first = await stream(alice, live('a'));
    const second = await stream(alice, live('b'));
    await Promise.all([first, second].map((s) => s.waitFor((e) => e.type === 'live')));
    // LIVE_MAX_WATCHES_PER_SESSION=2: a third folder is refused; another tab on a watched one is not.
    const third = await stream(alice, live('c'));
    expect((await third.waitFor((e) => e.type === 'paused')).data).toEqual({ reason: 'session-cap' });
    await until(() => third.ended, 'the refused stream ends');
    const again = await stream(alice, live('a'));
    await again.waitFor((e) => e.type === 'live');
    expect(watches()).toBe(2);
    // LIVE_MAX_WATCHES=3: another session takes the last watch, the next folder is refused for everyone.
    const other = await signedIn(app, 'alice');
    const last = await stream(other, live('c'));
    await last.waitFor((e) => e.type === 'live');
    const over = await stream(other, live());
    expect((await over.waitFor((e) => e.type === 'paused')).data).toEqual({ reason: 'total-cap' });
    expect(watches()).toBe(3);

    const metrics = await fetch(`${app.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } }).then((r) => r.text());
    expect(metrics).toMatch(/^portcullis_live_watches 3$/m);
    expect(metrics).toMatch(/^portcullis_live_streams 4$/m);
    expect(metrics).toMatch(/^portcullis_live_refused\{reason="session-cap"\} 1$/m);
    expect(metrics).toMatch(/^portcullis_live_refused\{reason="total-cap"\} 1$/m);
    closeAll();
    await until(() => watches() === 0 && proxy.outstanding() === 0, 'all watches torn down');
  });

  it('signing out pauses that session\'s streams and lets go of their watch', async () => {
    const client = await signedIn(app, 'alice');
    const s = await stream(client, live());
    await s.waitFor((e) => e.type === 'live');
    const page = await client.get('/browse/home/');
    const csrf = /name="_csrf" value="([^"]*)"/.exec(page.text)?.[1] ?? '';
    await client.post('/logout', { _csrf: csrf });
    expect((await s.waitFor((e) => e.type === 'paused')).data).toEqual({ reason: 'signed-out' });
    await until(() => watches() === 0, 'the watch let go');
  });

  it('a session that ends without a sign-out (expired, removed from the store) stops its stream within a few heartbeats', async () => {
    const client = await signedIn(app, 'alice');
    const s = await stream(client, live());
    await s.waitFor((e) => e.type === 'live');
    const cookie = client.jar.names().map((n) => client.jar.get(n) ?? '').find((v) => v.startsWith('s%3A') || v.startsWith('s:'));
    const sid = /^s(?:%3A|:)([^.]+)\./.exec(cookie ?? '')?.[1];
    expect(sid).toBeDefined();
    await new Promise<void>((resolve, reject) => app.services.sessions.store.destroy(sid ?? '', (err: unknown) => (err ? reject(err as Error) : resolve())));
    expect((await s.waitFor((e) => e.type === 'paused')).data).toEqual({ reason: 'signed-out' });
    await until(() => watches() === 0, 'the watch let go');
  });

  it('a dropped file server connection pauses the stream ("lost"), never leaving it silently stale', async () => {
    const s = await stream(alice, live());
    await s.waitFor((e) => e.type === 'live');
    await until(() => proxy.outstanding() === 1, 'the CHANGE_NOTIFY outstanding');
    await proxy.close(); // drops every connection through it
    expect((await s.waitFor((e) => e.type === 'paused')).data).toEqual({ reason: 'lost' });
    await until(() => watches() === 0, 'the dead watch removed');
    open.splice(0);
  });
});
