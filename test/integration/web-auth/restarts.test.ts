// Sessions outlive the things around them: the app process (embedded SQLite store), the instance (two apps
// sharing Redis) and the file server (Samba killed and started again mid-session).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDomain, stopDomain, type DomainInfo } from '../../fixtures/domain.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { startRedis, type RedisFixture } from '../../fixtures/redis.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { HttpClient, listedNames, menuDrives, signInOk, signOut } from '../../helpers/http-client.js';
import { freePort, startServerProcess, startWebApp, tempDataDir, webEnvFor, type WebApp } from '../../helpers/web-app.js';
import { rmSync } from 'node:fs';

describe('sessions across restarts and instances', () => {
  let domain: DomainInfo;
  beforeAll(() => {
    domain = requireDomain();
  });

  it('survive an app process restart (embedded store, same SESSION_SECRET and DATA_DIR)', async () => {
    const dataDir = tempDataDir();
    const port = await freePort();
    const env = webEnvFor(domain, dataDir, { PORT: String(port) });
    let server = await startServerProcess(env);
    try {
      const client = new HttpClient(server.url);
      await signInOk(client, 'alice', DEMO_PASSWORD);
      expect(listedNames((await client.get('/browse/home/')).text)).toContain('Documents');
      const firstOutput = server.output();
      await server.stop();
      expect(server.child.exitCode).toBe(0);

      server = await startServerProcess(env);
      client.baseUrl = server.url;
      const after = await client.get('/browse/home/Documents/');
      expect(after.status).toBe(200);
      expect(listedNames(after.text)).toContain('Essay draft.txt');
      expect(menuDrives(after.text)).toEqual(['My home', 'Shared', 'Library']);
      // What the process printed (at debug) never holds the password.
      expect(`${firstOutput}${server.output()}`).not.toContain(DEMO_PASSWORD);
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  describe('two instances sharing Redis', () => {
    let redis: RedisFixture;
    let a: WebApp;
    let b: WebApp;
    beforeAll(async () => {
      redis = await startRedis({ name: 'web-auth-127.0.0.13', port: 6403 });
      a = await startWebApp(domain, { env: { REDIS_URL: redis.url } });
      b = await startWebApp(domain, { env: { REDIS_URL: redis.url } });
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await redis?.stop();
    });

    it('sign in on A, list files on B with the same cookies; sign out on B ends it on A', async () => {
      expect(a.services.sessions.kind).toBe('redis');
      const onA = a.client();
      await signInOk(onA, 'alice', DEMO_PASSWORD);
      expect((await onA.get('/browse/home/')).status).toBe(200);
      const onB = new HttpClient(b.url, onA.jar);
      const listed = await onB.get('/browse/shared/');
      expect(listed.status).toBe(200);
      expect(listedNames(listed.text)).toContain('Projects');
      // B opened its own SMB connection from the sealed key (A's is not reachable from B).
      expect(b.services.pool.stats().connections).toBe(1);

      const stale = onA.copy();
      expect((await signOut(onB)).location).toBe('/login?signed-out=1');
      const replay = await new HttpClient(a.url, stale.jar).get('/browse/home/');
      expect(replay.status).toBe(303);
      expect(replay.location).toMatch(/^\/login/);
    });
  });

  it('survive Samba being killed and started again mid-session: the next page load needs no new sign-in', async () => {
    const app = await startWebApp(domain);
    try {
      const client = app.client();
      await signInOk(client, 'alice', DEMO_PASSWORD);
      expect((await client.get('/browse/home/')).status).toBe(200);
      // Our own domain (PORTCULLIS_TEST_DOMAIN_IP): same name and address, so the app's config still points at it.
      await stopDomain(domain.name);
      await startDomain({ name: domain.name, ip: domain.ip });
      const after = await client.get('/browse/home/Documents/');
      expect(after.status).toBe(200);
      expect(listedNames(after.text)).toContain('Essay draft.txt');
      expect((await client.get('/browse/shared/')).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
