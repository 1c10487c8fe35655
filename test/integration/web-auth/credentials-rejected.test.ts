// When the file server stops accepting the kept credential, the user is signed out and told why.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDomain } from '../../fixtures/require-domain.js';
import { run } from '../../fixtures/proc.js';
import { signInOk } from '../../helpers/http-client.js';
import { startWebApp, type WebApp } from '../../helpers/web-app.js';

const domain = requireDomain();
const samba = (args: string[]) => run('samba-tool', [...args, '-H', join(domain.dir, 'private', 'sam.ldb'), '-s', join(domain.dir, 'etc', 'smb.conf')]);

describe('credentials the file server no longer accepts', () => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp(domain);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('signs the user out with the reason once the SMB connection must be rebuilt', async () => {
    const client = app.client();
    await signInOk(client, 'carol', domain.password);
    expect((await client.request('GET', '/browse/home/')).status).toBe(200);
    const sid = decodeURIComponent(client.jar.get('portcullis.sid') ?? '').replace(/^s:/, '').split('.')[0] ?? '';
    expect(sid).not.toBe('');

    await samba(['user', 'disable', 'carol']);
    try {
      // An established SMB session is not re-checked; the next connection is (after idle close, a restart …).
      await app.services.pool.closeSession(sid);
      const refused = await client.request('GET', '/browse/home/Documents/');
      expect(refused.status).toBe(303);
      expect(refused.location).toBe(`/login?next=${encodeURIComponent('/browse/home/Documents/')}`);
      const login = await client.request('GET', refused.location ?? '/login');
      expect(login.text).toContain('Sign in');
      // A notice explaining why, not a sign-in error.
      expect(login.text).toMatch(/class="alert alert-info"[^>]*>Your account has been disabled\. Ask the help desk\.</);
      expect(login.text).not.toContain('alert-danger');
      // Signed out for real: the old cookies reach no files.
      const again = await client.request('GET', '/browse/home/');
      expect(again.status).toBe(303);
      expect(again.location).toMatch(/^\/login/);
      expect(app.logs.some((l) => l.includes('credentials_rejected') || l.includes('account_disabled'))).toBe(true);
    } finally {
      await samba(['user', 'enable', 'carol']);
    }
  });
});
