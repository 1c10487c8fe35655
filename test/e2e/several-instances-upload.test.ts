// Issue 11, several instances, in real Chromium: alice uploads a 48 MiB file with the page's uploader through nginx
// (docs/nginx-portcullis.conf) in front of two instances sharing Redis, and the instance receiving a chunk is
// SIGKILLed. nginx answers that chunk 502; the uploader asks the survivor where the upload stands and finishes
// there, and the file on the share has the bytes she picked.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainInfo } from '../fixtures/domain.js';
import { startNginxInFront, type NginxFixture } from '../fixtures/nginx.js';
import { DEMO_PASSWORD } from '../fixtures/paths.js';
import { waitFor } from '../fixtures/proc.js';
import { startRedis, type RedisFixture } from '../fixtures/redis.js';
import { requireDomain } from '../fixtures/require-domain.js';
import { launchChromium, signInWithForm } from '../helpers/browser.js';
import { startServerProcess, tempDataDir, webEnvFor, type ServerProcess } from '../helpers/web-app.js';
import { randomFile, sha256File } from '../integration/upload/helpers.js';

// This helper's range (apart from test/integration/scale's 5400–5403 and 6640).
const PROXY = { https: 5410, http: 5413 };
const APP_PORTS = [5411, 5412] as const;
const REDIS_PORT = 6641;
const CHUNK = 8 << 20;

describe('several instances: an upload in Chromium survives the death of the instance receiving it', () => {
  let domain: DomainInfo;
  let redis: RedisFixture;
  let nginx: NginxFixture;
  let browser: Browser;
  let work: string;
  const instances: { name: string; server: ServerProcess; dataDir: string }[] = [];
  const name = `scale-e2e-${Date.now()}.bin`;

  beforeAll(async () => {
    domain = requireDomain();
    redis = await startRedis({ name: 'scale-e2e', port: REDIS_PORT });
    for (const [i, port] of APP_PORTS.entries()) {
      const dataDir = tempDataDir('portcullis-scale-e2e-');
      const env = webEnvFor(domain, dataDir, { NODE_ENV: 'production', PORT: String(port), REDIS_URL: redis.url, TRUST_PROXY: 'loopback' });
      instances.push({ name: i === 0 ? 'A' : 'B', server: await startServerProcess(env), dataDir });
    }
    nginx = await startNginxInFront({ name: 'scale-e2e', upstreams: APP_PORTS.map((p) => `127.0.0.1:${p}`), ...PROXY });
    browser = await launchChromium();
    work = mkdtempSync(join(tmpdir(), 'portcullis-scale-e2e-'));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await nginx?.stop();
    for (const i of instances) {
      await i.server.stop();
      rmSync(i.dataDir, { recursive: true, force: true });
    }
    await redis?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
    if (domain) rmSync(join(domain.homesDir, 'alice', name), { force: true });
  });

  it('the uploader finishes through the survivor; the share has the exact bytes', async () => {
    const path = join(work, name);
    const sum = await randomFile(path, 6 * CHUNK);
    const home = join(domain.homesDir, 'alice');
    const temporarySize = (): number => {
      const temp = readdirSync(home).find((n) => n.startsWith('.~portcullis-') && n.includes(name));
      return temp === undefined ? -1 : statSync(join(home, temp)).size;
    };
    const proxyUrl = `https://127.0.0.1:${PROXY.https}`;
    // The test CA is not the browser's; the connection is still HTTPS, so the cookies are Secure as in production.
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`${proxyUrl}/login`);
    await signInWithForm(page, 'alice', DEMO_PASSWORD);
    await page.waitForURL(`${proxyUrl}/browse/home/`);
    await expect.poll(() => page.getByRole('button', { name: 'Upload files' }).isVisible()).toBe(true);
    // Slow the uploads down (about 2 s per chunk) so the test can act while a chunk is on its way.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 4 << 20 });

    const putsDone = (i: { server: ServerProcess }): number => (i.server.output().match(/"method":"PUT"[^\n]*"path":"\/uploads\//g) ?? []).length;
    await page.locator('#pc-upload-input').setInputFiles([path]);
    // The first chunk is in; the uploader sends nothing else meanwhile, so round-robin gives the second chunk to the
    // other instance. Kill it once that chunk is reaching the file server.
    let firstOn: { name: string; server: ServerProcess } | undefined;
    await waitFor('the first chunk to be written', () => {
      firstOn = instances.find((i) => putsDone(i) > 0);
      return Promise.resolve(firstOn !== undefined);
    }, 60_000);
    const victim = instances.find((i) => i !== firstOn);
    await waitFor('the second chunk to reach the file server', () => Promise.resolve(temporarySize() > CHUNK + (1 << 20)), 60_000);
    expect(temporarySize()).toBeLessThan(2 * CHUNK);
    victim?.server.child.kill('SIGKILL');

    const summary = page.locator('.pc-upload-summary');
    await summary.waitFor({ state: 'visible', timeout: 120_000 });
    expect((await summary.textContent()) ?? '').toContain('Uploaded (1)');
    expect(await sha256File(join(home, name))).toBe(sum);
    // The chunk the dead instance was receiving failed, and the uploader asked the survivor where the upload stood.
    expect(victim?.server.child.signalCode).toBe('SIGKILL');
    expect(firstOn?.server.output()).toMatch(/"method":"GET"[^\n]*"path":"\/uploads\/[^"]+"[^\n]*"status":200/);
    expect(readFileSync(nginx.accessLog, 'utf8')).toMatch(/"PUT \/uploads\/[^ ]+ HTTP\/1\.1" 502 /);
    await context.close();
  }, 240_000);
});
