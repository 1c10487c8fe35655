// Live folders behind the README's nginx example (docs/nginx-portcullis.conf, as shipped but for addresses and
// certificates): the event stream is passed on as it is written, not buffered until it ends, so the first
// event, the heartbeats and a change arrive through the proxy while the stream stays open.
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainInfo } from '../../fixtures/domain.js';
import { SHARES } from '../../fixtures/domain-data.js';
import { startNginxInFront, type NginxInFront } from '../../fixtures/nginx.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { signedIn, startBrowseApp } from '../../helpers/browse.js';
import { openStream, smbclient, until } from '../../helpers/live.js';
import type { WebApp } from '../../helpers/web-app.js';

const PROXY = { https: 5210, http: 5211 };
const FOLDER = `Live nginx ${process.pid}`;

describe('live folders through nginx', () => {
  let domain: DomainInfo;
  let app: WebApp;
  let nginx: NginxInFront;

  beforeAll(async () => {
    domain = requireDomain();
    const dir = join(domain.sharesDir, SHARES.shared, FOLDER);
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    app = await startBrowseApp(domain, { env: { LIVE_HEARTBEAT_SECONDS: '1' } });
    nginx = await startNginxInFront({ name: 'live', upstreams: [new URL(app.url).host], ...PROXY });
  }, 120_000);
  afterAll(async () => {
    await nginx?.stop();
    await app?.close();
    if (domain) rmSync(join(domain.sharesDir, SHARES.shared, FOLDER), { recursive: true, force: true });
  });

  it('passes events and heartbeats on as they are written', async () => {
    const alice = await signedIn(app, 'alice');
    const s = await openStream(alice, `/live/shared/${encodeURIComponent(FOLDER)}/`, { origin: `https://127.0.0.1:${PROXY.https}`, ca: nginx.ca });
    try {
      expect(s.status).toBe(200);
      await s.waitFor((e) => e.type === 'live');
      await until(() => s.comments >= 2, 'two heartbeats through nginx');
      await smbclient(domain, SHARES.shared, `cd "${FOLDER}"; mkdir "through nginx"`);
      await s.waitFor((e) => e.type === 'change' && e.data.name === 'through nginx');
      expect(s.ended).toBe(false);
    } finally {
      s.close();
    }
    await until(() => app.services.live.stats().watches === 0, 'the watch let go when the client left nginx');
  });
});
