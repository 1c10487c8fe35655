// Live folders on a file server that does not do change notification (smbd with `change notify = no`): the
// stream says "paused" (refused) rather than leaving the page silently stale, and no watch is kept.
import { chownSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivesFileFor } from '../../fixtures/app-env.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { run } from '../../fixtures/proc.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { startSmbd, type SmbdFixture } from '../../fixtures/smbd.js';
import { signedIn, startBrowseApp } from '../../helpers/browse.js';
import { openStream, until } from '../../helpers/live.js';
import type { WebApp } from '../../helpers/web-app.js';

const SMBD_PORT = 5220;
const HOST = 'nonotify.example.test';

describe('live folders on a server that refuses change notification', () => {
  let domain: DomainInfo;
  let smbd: SmbdFixture;
  let app: WebApp;

  beforeAll(async () => {
    domain = requireDomain();
    smbd = await startSmbd({ name: 'live-nonotify', port: SMBD_PORT, users: ['alice'], settings: { 'change notify': 'no' } });
    const [, , uid, gid] = (await run('getent', ['passwd', 'alice'])).trim().split(':').map(Number);
    chownSync(smbd.shareDir, uid as number, gid as number);
    const drives = join(domain.dir, 'drives-live-nonotify.yaml');
    writeFileSync(drives, `${drivesFileFor(domain).trimEnd()}\n  - name: No notify\n    unc: '\\\\${HOST}\\${smbd.share}'\n`);
    app = await startBrowseApp(domain, { env: { DRIVES_FILE: drives, SMB_HOST_MAP: `${domain.fileServerName}=${domain.ip}:445,${HOST}=127.0.0.1:${SMBD_PORT}` } });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await smbd?.stop();
  });

  it('says "paused" with the reason "refused", and keeps no watch', async () => {
    const alice = await signedIn(app, 'alice');
    const s = await openStream(alice, '/live/no-notify/');
    try {
      expect((await s.waitFor((e) => e.type === 'paused')).data).toEqual({ reason: 'refused' });
      await until(() => s.ended, 'the stream ends');
      expect(app.services.live.stats()).toMatchObject({ watches: 0, viewers: 0 });
      expect(app.services.live.stats().refused.refused).toBe(1);
    } finally {
      s.close();
    }
  });
});
