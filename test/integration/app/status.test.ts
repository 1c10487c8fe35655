import { once } from 'node:events';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from './helpers.js';

// A listening port stands in for an SMB server; a closed one for a server that is down.
let listener: net.Server;
let openPort = 0;
let closedPort = 0;

beforeAll(async () => {
  listener = net.createServer((s) => s.destroy()).listen(0, '127.0.0.1');
  await once(listener, 'listening');
  openPort = (listener.address() as net.AddressInfo).port;
  const probe = net.createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  closedPort = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
});
afterAll(() => new Promise((r) => listener.close(r)));

interface Report {
  status: string;
  ldap: { state: string; detail: string; target: string }[];
  smb: { state: string; detail: string; target: string; name: string }[];
}

describe('status page', () => {
  it('says LDAP is not configured and probes the mapped SMB servers', async () => {
    const app = await startTestApp({
      SMB_HOST_MAP: `fs1.example.test=127.0.0.1:${openPort},fs2=127.0.0.1:${closedPort}`,
      SMB_TIMEOUT_MS: '2000',
    });
    try {
      const res = await fetch(`${app.url}/`, { headers: { Accept: 'application/json' } });
      expect(res.status).toBe(200);
      const report = (await res.json()) as Report;
      expect(report.status).toBe('degraded');
      expect(report.ldap).toEqual([expect.objectContaining({ state: 'skip', detail: expect.stringContaining('LDAP_URLS') })]);
      expect(report.smb).toEqual([
        expect.objectContaining({ name: 'File server fs1.example.test', target: `127.0.0.1:${openPort}`, state: 'pass' }),
        expect.objectContaining({ name: 'File server fs2', target: `127.0.0.1:${closedPort}`, state: 'fail', detail: expect.stringContaining('ECONNREFUSED') }),
      ]);

      const html = await (await fetch(`${app.url}/`)).text();
      expect(html).toContain('not configured');
      expect(html).toContain('badge pc-check-pass');
      expect(html).toContain('badge pc-check-fail');
    } finally {
      await app.close();
    }
  });

  it('reports a failed LDAP bind with its error message', async () => {
    const app = await startTestApp({
      LDAP_URLS: `ldap://127.0.0.1:${closedPort}`,
      LDAP_BIND_DN: 'CN=svc,DC=example,DC=test',
      LDAP_BIND_PASSWORD: 'irrelevant',
      LDAP_BASE_DN: 'DC=example,DC=test',
      LDAP_TIMEOUT_MS: '2000',
      SMB_PROBE: `127.0.0.1:${openPort}`,
    });
    try {
      const report = (await (await fetch(`${app.url}/`, { headers: { Accept: 'application/json' } })).json()) as Report;
      expect(report.ldap).toEqual([expect.objectContaining({ state: 'fail', target: `ldap://127.0.0.1:${closedPort}`, detail: expect.stringMatching(/ECONNREFUSED|connect/i) })]);
      expect(report.smb).toEqual([expect.objectContaining({ state: 'pass' })]);
      expect(JSON.stringify(report)).not.toContain('irrelevant');
    } finally {
      await app.close();
    }
  });
});
