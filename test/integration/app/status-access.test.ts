// /status once sign-in is on (issue 10, item 6): strangers learn only "ok" or "not ok"; the LDAP URLs, file-server
// addresses and errors go only to this machine (loopback, not forwarded) or to the ADMIN_TOKEN, as on /readyz.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { memoryLogger, startWebApp, type WebApp } from '../../helpers/web-app.js';
import { startTestApp } from './helpers.js';

const ADMIN_TOKEN = 'status-admin-token-0123456789';
/** A port in this test's own range where nothing listens: a file server that is down. */
const DOWN_SMB = '127.0.0.1:4619';
const forwarded = { 'X-Forwarded-For': '203.0.113.7' };
const asJson = { Accept: 'application/json' };

async function statusJson(url: string, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/status`, { headers: { ...asJson, ...headers } });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

async function statusHtml(url: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${url}/status`, { headers });
  expect(res.status).toBe(200);
  return res.text();
}

/** Things a stranger must not learn from the page: where the DC and file servers are, and how binds fail. */
function expectNoDetails(body: string, domain: DomainInfo): void {
  for (const secret of [domain.ip, 'ldaps://', 'ldap://', 'Directory bind', 'File server', DOWN_SMB, 'ECONNREFUSED']) expect(body).not.toContain(secret);
}

/** A non-loopback IPv4 address of this machine, if it has one: connecting to it from it is a non-loopback client. */
const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal)?.address;

describe('status page once sign-in is on', () => {
  let domain: DomainInfo;
  let healthy: WebApp;
  let degraded: WebApp;
  beforeAll(async () => {
    domain = requireDomain();
    healthy = await startWebApp(domain, { env: { ADMIN_TOKEN, TRUST_PROXY: 'loopback' } });
    degraded = await startWebApp(domain, { env: { ADMIN_TOKEN, TRUST_PROXY: 'loopback', SMB_PROBE: DOWN_SMB } });
  });
  afterAll(async () => {
    await healthy?.close();
    await degraded?.close();
  });

  it('shows this machine every check, and says sign-in is on', async () => {
    const report = await statusJson(healthy.url);
    expect(report).toMatchObject({ status: 'ok', ok: true, ldap: [expect.objectContaining({ target: domain.ldapsUrl, state: 'pass' })] });
    const html = await statusHtml(healthy.url);
    expect(html).toContain('Everything answers.');
    expect(html).toContain(domain.ldapsUrl);
    expect(html).toContain('Sign-in is on.');
    expect(html).not.toContain('Sign-in is not available yet');
  });

  it('tells a client forwarded by the proxy only "ok"', async () => {
    expect(await statusJson(healthy.url, forwarded)).toEqual({ status: 'ok' });
    const html = await statusHtml(healthy.url, forwarded);
    expect(html).toContain('<strong>ok</strong>');
    expect(html).not.toContain('Sign-in is not available yet');
    expectNoDetails(html, domain);
  });

  it('tells it only "not ok" when a file server is down, without saying which or why', async () => {
    expect(await statusJson(degraded.url, forwarded)).toEqual({ status: 'degraded' });
    const html = await statusHtml(degraded.url, forwarded);
    expect(html).toContain('<strong>not ok</strong>');
    expectNoDetails(html, domain);
    // This machine still sees which check failed and why.
    const local = (await statusJson(degraded.url)) as { smb: { target: string; state: string; detail: string }[] };
    expect(local.smb).toContainEqual(expect.objectContaining({ target: DOWN_SMB, state: 'fail', detail: expect.stringContaining('ECONNREFUSED') }));
  });

  it('shows the details to the admin token, from anywhere, and not to a wrong one', async () => {
    const admin = await statusJson(degraded.url, { ...forwarded, Authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(admin).toMatchObject({ status: 'degraded', smb: expect.arrayContaining([expect.objectContaining({ target: DOWN_SMB })]) });
    expect(await statusJson(degraded.url, { ...forwarded, Authorization: `Bearer ${ADMIN_TOKEN}x` })).toEqual({ status: 'degraded' });
  });

  it.skipIf(externalAddress === undefined)('tells a client on a non-loopback address only "ok" or "not ok"', async () => {
    // The same services behind a second listener on this machine's network address: the client connects from it.
    const { logger } = memoryLogger('warn');
    const server = http.createServer(createApp(degraded.config, { logger, services: degraded.services }));
    server.listen(0, externalAddress);
    await once(server, 'listening');
    try {
      const url = `http://${externalAddress}:${(server.address() as AddressInfo).port}`;
      expect(await statusJson(url)).toEqual({ status: 'degraded' });
      expectNoDetails(await statusHtml(url), domain);
      expect(await statusJson(url, { Authorization: `Bearer ${ADMIN_TOKEN}` })).toMatchObject({ smb: expect.any(Array) });
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  // Issue 14: the operators' page stays English on purpose (README, Languages), so it must not call itself German.
  it('stays English for a German browser, navbar included, and says so in <html lang> and Content-Language', async () => {
    const res = await fetch(`${healthy.url}/status`, { headers: { ...forwarded, 'Accept-Language': 'de-DE,de;q=0.9' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-language')).toBe('en');
    const html = await res.text();
    expect(html).toMatch(/<html lang="en"/);
    expect(html).toContain('<strong>ok</strong>: everything this service needs is answering.');
    // The navbar in English too ("Help", not "Hilfe").
    expect(html).toContain('aria-label="Main"');
    expect(html).not.toContain('Hilfe');
    // The sign-in page beside it is German for the same browser: the page is English by choice, not by accident.
    const login = await fetch(`${healthy.url}/login`, { headers: { 'Accept-Language': 'de-DE,de;q=0.9' } });
    expect(await login.text()).toMatch(/<html lang="de"/);
  });

  it('has no Status link in the navigation bar for signed-out users', async () => {
    const login = await healthy.client().get('/login');
    expect(login.status).toBe(200);
    expect(login.text).not.toContain('href="/status"');
    const nav = /<nav[\s\S]*?<\/nav>/.exec(await statusHtml(healthy.url, forwarded))?.[0] ?? '';
    expect(nav).not.toContain('href="/status"');
  });
});

describe('status page before sign-in is configured', () => {
  it('is the set-up page: says sign-in is not available yet and shows the details to anyone', async () => {
    const app = await startTestApp({ SMB_PROBE: DOWN_SMB, SMB_TIMEOUT_MS: '2000' });
    try {
      const html = await statusHtml(app.url, forwarded);
      expect(html).toContain('Sign-in is not available yet');
      expect(html).toContain(DOWN_SMB);
      expect(await statusJson(app.url, forwarded)).toMatchObject({ status: 'degraded', smb: [expect.objectContaining({ target: DOWN_SMB })] });
    } finally {
      await app.close();
    }
  });
});
