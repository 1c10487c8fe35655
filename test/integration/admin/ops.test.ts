// /readyz and /metrics on the real app, and the outage mails: the test domain (its own DC) is stopped and
// started, which must give one "degraded" and one "recovered" mail and /readyz going 503 then 200 again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDomain, stopDomain, type DomainInfo } from '../../fixtures/domain.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { type HttpClient, signIn, signInOk } from '../../helpers/http-client.js';
import { type AdminApp, type SmtpSink, startAdminApp, startSmtp } from './helpers.js';

const TOKEN = 'admin-token-for-tests-0123456789';
const bearer = { Authorization: `Bearer ${TOKEN}` };

function metricValue(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('readiness, metrics and outage mails', () => {
  let domain: DomainInfo;
  let smtp: SmtpSink;
  let app: AdminApp;
  let alice: HttpClient;
  let domainStopped = false;

  beforeAll(async () => {
    domain = requireDomain();
    smtp = await startSmtp(0);
    // The outage below is a stopped DC: its ports refuse connections at once, so no timeout is needed to see it.
    // Generous timeouts keep a busy first run (the DC just provisioned, 2 cores) from turning a slow sign-in into a 503.
    app = await startAdminApp(domain, { env: { MAIL_HOST: '127.0.0.1', MAIL_PORT: String(smtp.port), ADMIN_TOKEN: TOKEN, SMB_TIMEOUT_MS: '30000', LDAP_TIMEOUT_MS: '30000' } });
    alice = app.client();
  });
  afterAll(async () => {
    if (domainStopped) await startDomain({ name: domain.name, ip: domain.ip });
    await app?.close();
    await smtp?.close();
  });

  it('/readyz: ready, with details only for local or admin requests; ?deep=1 adds the SMB servers', async () => {
    const local = await app.client().get('/readyz', { headers: { Accept: 'application/json' } });
    expect(local.status).toBe(200);
    const body = JSON.parse(local.text) as { status: string; checks: { name: string; ok: boolean }[] };
    expect(body.status).toBe('ready');
    expect(body.checks.map((c) => c.name)).toEqual(['Session store', 'Directory (LDAP)']);
    expect(body.checks.every((c) => c.ok)).toBe(true);

    const proxied = await app.client().get('/readyz', { headers: { 'X-Forwarded-For': '198.51.100.9' } });
    expect(proxied.status).toBe(200);
    expect(JSON.parse(proxied.text)).toEqual({ status: 'ready' });
    const admin = await app.client().get('/readyz?deep=1', { headers: { 'X-Forwarded-For': '198.51.100.9', ...bearer } });
    const deep = JSON.parse(admin.text) as { checks: { name: string; ok: boolean }[] };
    expect(deep.checks.map((c) => c.name)).toEqual(['Session store', 'Directory (LDAP)', `File server ${domain.fileServerName}`]);
    const wrongToken = await app.client().get('/readyz', { headers: { 'X-Forwarded-For': '198.51.100.9', Authorization: 'Bearer nope-nope-nope-nope' } });
    expect(JSON.parse(wrongToken.text)).toEqual({ status: 'ready' });
  });

  it('/metrics needs the token, and its counters move with sign-ins, requests, SMB errors and connections', async () => {
    expect((await app.client().get('/metrics')).status).toBe(401);
    expect((await app.client().get('/metrics', { headers: { Authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
    const before = (await app.client().get('/metrics', { headers: bearer })).text;

    await signInOk(alice, 'alice', DEMO_PASSWORD);
    await signIn(app.client(), 'alice', 'not-the-password');
    expect((await alice.get('/browse/home/')).status).toBe(200);
    expect((await alice.get('/browse/home/no-such-folder-here/')).status).toBe(404);

    const reply = await app.client().get('/metrics', { headers: bearer });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const after = reply.text;
    const delta = (name: string, labels = ''): number => metricValue(after, name, labels) - metricValue(before, name, labels);
    expect(delta('portcullis_sign_ins_total', 'outcome="success"')).toBe(1);
    expect(delta('portcullis_sign_ins_total', 'outcome="rejected"')).toBe(1);
    expect(delta('portcullis_http_requests_total', 'method="POST",route="/login",status="303"')).toBe(1);
    expect(delta('portcullis_http_requests_total', 'method="GET",route="/browse/*",status="404"')).toBe(1);
    expect(delta('portcullis_smb_errors_total', 'ntstatus="STATUS_OBJECT_NAME_NOT_FOUND"')).toBe(1);
    expect(delta('portcullis_http_request_duration_seconds_count', 'method="GET",route="/browse/*"')).toBe(2);
    expect(delta('portcullis_http_sent_bytes_total')).toBeGreaterThan(1000);
    expect(delta('portcullis_http_received_bytes_total')).toBeGreaterThan(100);
    expect(metricValue(after, 'portcullis_smb_connections', `server="${domain.ip}:445"`)).toBeGreaterThanOrEqual(1);
    expect(metricValue(after, 'portcullis_sessions_active')).toBeGreaterThanOrEqual(1);
    expect(after).toContain('portcullis_mails_sent_total');
  });

  it('a stopped DC gives one "degraded" mail and /readyz 503; started again, one "recovered" mail and /readyz 200', async () => {
    smtp.mails.length = 0;
    await stopDomain(domain.name);
    domainStopped = true;
    // Several users hit the outage: one mail, not one per request.
    for (let i = 0; i < 4; i++) {
      const r = await alice.get('/browse/home/', { headers: { Accept: 'application/json' } });
      expect(r.status).toBe(503);
    }
    const ready = await app.client().get('/readyz', { headers: { Accept: 'application/json' } });
    expect(ready.status).toBe(503);
    const readyBody = JSON.parse(ready.text) as { status: string; checks: { name: string; ok: boolean }[] };
    expect(readyBody.status).toBe('unready');
    expect(readyBody.checks.find((c) => c.name === 'Directory (LDAP)')?.ok).toBe(false);

    const [degraded] = await smtp.waitFor(1, 60_000);
    expect(degraded!.parsed.subject).toMatch(/^\[Portcullis\] Service degraded: .*Directory \(LDAP\).*not answering$/);
    expect(degraded!.parsed.text).toContain(`File server ${domain.fileServerName}`);
    expect(app.reporter.degraded).toBe(true);
    for (let i = 0; i < 3; i++) expect((await alice.get('/browse/home/')).status).toBe(503);

    await startDomain({ name: domain.name, ip: domain.ip });
    domainStopped = false;
    const mails = await smtp.waitFor(2, 60_000);
    expect(mails[1]!.parsed.subject).toMatch(/^\[Portcullis\] Recovered: .*answering again$/);
    expect(mails[1]!.parsed.text).toMatch(/Requests answered with 503 meanwhile: [7-9]\b/);
    expect((await app.client().get('/readyz')).status).toBe(200);
    expect((await alice.get('/browse/home/')).status).toBe(200);
    // Nothing more to wait for: a third mail would be a bug, and 1.5 s of quiet is enough to catch the usual one.
    await new Promise((r) => setTimeout(r, 1500));
    expect(smtp.mails).toHaveLength(2);
  }, 180_000);
});

describe('/metrics without a token', () => {
  it('does not exist (404)', async () => {
    const app = await startAdminApp(requireDomain(), { env: { MAIL_HOST: '127.0.0.1', MAIL_PORT: '2528' } });
    try {
      expect((await app.client().get('/metrics', { headers: bearer })).status).toBe(404);
    } finally {
      await app.close();
    }
  });
});
