// Live-folder streams never end by themselves: a SIGTERM must end them (with `paused`, reason shutdown, so the
// page reconnects elsewhere) instead of holding the process for the whole SHUTDOWN_GRACE_SECONDS.
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { HttpClient, signInOk } from '../../helpers/http-client.js';
import { openStream } from '../../helpers/live.js';
import { type ServerProcess, startServerProcess, tempDataDir, webEnvFor } from '../../helpers/web-app.js';

const PORT = 5230;

describe('live folders at shutdown', () => {
  let server: ServerProcess | undefined;
  const dataDir = tempDataDir('portcullis-live-shutdown-');
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('SIGTERM ends open streams with "paused" (shutdown) and the process exits well inside the grace period', async () => {
    const domain = requireDomain();
    server = await startServerProcess(webEnvFor(domain, dataDir, { PORT: String(PORT), SHUTDOWN_GRACE_SECONDS: '60' }));
    const client = new HttpClient(server.url);
    await signInOk(client, 'alice', DEMO_PASSWORD);
    const streams = await Promise.all([openStream(client, '/live/home/'), openStream(client, '/live/home/')]);
    await Promise.all(streams.map((s) => s.waitFor((e) => e.type === 'live')));
    const exited = once(server.child, 'exit');
    const started = Date.now();
    server.child.kill('SIGTERM');
    for (const s of streams) expect((await s.waitFor((e) => e.type === 'paused')).data).toEqual({ reason: 'shutdown' });
    const [code] = (await exited) as [number | null];
    const tookMs = Date.now() - started;
    console.log(`exit ${code} ${tookMs} ms after SIGTERM with two live streams open`);
    expect(code).toBe(0);
    // The 60 s grace would have run out had the streams held the server open.
    expect(tookMs).toBeLessThan(30_000);
  });
});
