import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appEnvFor } from '../../fixtures/app-env.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { startTestApp, type TestApp } from './helpers.js';

interface Report {
  ok: boolean;
  ldap: { name: string; state: string; detail: string }[];
  smb: { name: string; state: string; target: string }[];
}

const statusOf = async (app: TestApp): Promise<Report> => (await (await fetch(`${app.url}/`, { headers: { Accept: 'application/json' } })).json()) as Report;

// Skipped only when the fixture was switched off on purpose; otherwise requireDomain() fails loudly.
describe.skipIf(process.env.PORTCULLIS_NO_FIXTURE === '1')('status page against the Samba AD DC', () => {
  let domain: DomainInfo;
  let env: Record<string, string>;
  beforeAll(() => {
    domain = requireDomain();
    env = appEnvFor(domain);
  });

  describe('with the fixture settings', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(env);
    });
    afterAll(() => app.close());

    it('binds over LDAPS as the service account and reaches the SMB port', async () => {
      const report = await statusOf(app);
      expect(report.ldap).toEqual([expect.objectContaining({ name: 'Directory bind (LDAPS)', state: 'pass' })]);
      expect(report.smb).toEqual([expect.objectContaining({ name: `File server ${domain.fileServerName}`, target: `${domain.ip}:445`, state: 'pass' })]);
      expect(report.ok).toBe(true);
    });

    it('shows pass badges on the HTML page', async () => {
      const html = await (await fetch(`${app.url}/`)).text();
      expect(html).toContain('Everything answers.');
      expect(html).not.toContain('pc-check-fail');
    });
  });

  it('binds over LDAP with StartTLS', async () => {
    const app = await startTestApp({ ...env, LDAP_URLS: domain.ldapUrl, LDAP_STARTTLS: 'true' });
    try {
      expect((await statusOf(app)).ldap).toEqual([expect.objectContaining({ name: 'Directory bind (LDAP + StartTLS)', state: 'pass' })]);
    } finally {
      await app.close();
    }
  });

  it('reports a wrong service password as a failed bind', async () => {
    const app = await startTestApp({ ...env, LDAP_BIND_PASSWORD: 'not-the-password' });
    try {
      const report = await statusOf(app);
      expect(report.ok).toBe(false);
      expect(report.ldap).toEqual([expect.objectContaining({ state: 'fail', detail: expect.stringContaining('data 52e') })]);
    } finally {
      await app.close();
    }
  });
});
