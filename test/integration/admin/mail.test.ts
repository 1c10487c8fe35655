// Exception mails against a real SMTP server (smtp-server) and the real app signed in to the Samba AD DC:
// every field of a report, the no-secrets rule (sign-in and an upload-like POST), deduplication counts,
// SMTP authentication, and an SMTP outage that changes nothing for users.
import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmbError } from '../../../src/smb/index.js';
import { noteSmbTarget } from '../../../src/web/middleware/index.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import type { DomainInfo } from '../../fixtures/domain.js';
import { csrfTokenIn, signIn, signInOk, type HttpClient } from '../../helpers/http-client.js';
import { type AdminApp, field, type ReceivedMail, type SmtpSink, startAdminApp, startSmtp } from './helpers.js';

const IPHONE_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

function mount(app: Express): void {
  app.get('/test/smb-fail', (_req, res) => {
    noteSmbTarget(res, 'shared', '/Reports/Q1 <budget>.xlsx');
    throw new SmbError(0xc0000001, 'STATUS_UNSUCCESSFUL: read');
  });
  app.get('/test/boom-de', () => {
    throw new RangeError('boom for a German reader');
  });
  app.get('/test/boom', () => {
    throw new TypeError('boom for dedup');
  });
  app.post('/test/upload', (req) => {
    const body = req.body as Record<string, string>;
    // A careless error message that quotes a secret: the report must not repeat it.
    throw new Error(`could not store ${body.filename ?? ''} (password ${body.password ?? ''}, key ${body.api_key ?? ''})`);
  });
}

/** The cookie values the client holds (session, key, CSRF secret). */
function cookieValues(client: HttpClient): string[] {
  return (client.jar.header() ?? '')
    .split(';')
    .map((p) => p.slice(p.indexOf('=') + 1).trim())
    .filter((v) => v.length >= 4);
}

function everyForm(mail: ReceivedMail): string {
  return [mail.raw, mail.parsed.subject ?? '', mail.parsed.text ?? '', typeof mail.parsed.html === 'string' ? mail.parsed.html : ''].join('\n');
}

function leaks(mail: ReceivedMail, secrets: string[]): string[] {
  const all = everyForm(mail);
  return secrets.filter((s) => all.includes(s) || all.includes(encodeURIComponent(s)) || all.includes(Buffer.from(s).toString('base64')));
}

describe('exception mails', () => {
  let domain: DomainInfo;
  let smtp: SmtpSink;
  let app: AdminApp;
  let alice: HttpClient;

  beforeAll(async () => {
    domain = requireDomain();
    smtp = await startSmtp(0);
    app = await startAdminApp(domain, {
      env: { MAIL_HOST: '127.0.0.1', MAIL_PORT: String(smtp.port), TRUST_PROXY: 'loopback' },
      mount,
      // Long enough that the five repeats below fall inside one window even on a busy machine.
      reporter: { dedupMs: 10_000 },
    });
    alice = app.client();
    await signInOk(alice, 'alice', DEMO_PASSWORD);
  });
  afterAll(async () => {
    await app?.close();
    await smtp?.close();
  });

  it('carries every field, in text and HTML, with the reference the user saw', async () => {
    smtp.mails.length = 0;
    const reply = await alice.get('/test/smb-fail?sort=name&access_token=tok-abcdef123456&_csrf=csrf-zzz999', {
      headers: { 'User-Agent': IPHONE_UA, 'X-Forwarded-For': '203.0.113.7' },
    });
    expect(reply.status).toBe(500);
    const reference = reply.headers.get('x-request-id') ?? '';
    expect(reply.text).toContain(reference);
    const [mail] = await smtp.waitFor(1);
    const { parsed } = mail!;
    const text = parsed.text ?? '';
    expect(parsed.subject).toBe('[Portcullis] SmbError at GET /test/smb-fail');
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.text : '').toBe('admins@example.test');
    expect(parsed.from?.text).toContain('portcullis@example.test');
    expect(field(text, 'Reference')).toBe(reference);
    const time = Date.parse((field(text, 'Time') ?? '').replace(' UTC', 'Z').replace(' ', 'T'));
    expect(Math.abs(Date.now() - time)).toBeLessThan(60_000);
    expect(field(text, 'Host')).toBe(hostname());
    expect(field(text, 'App version')).toBe(`Portcullis ${VERSION}`);
    expect(field(text, 'Method')).toBe('GET');
    expect(field(text, 'Path')).toBe('/test/smb-fail?sort=name');
    expect(field(text, 'Client IP')).toBe('203.0.113.7');
    expect(field(text, 'User agent')).toBe(IPHONE_UA);
    expect(field(text, 'Platform')).toBe('iOS 17.4 (mobile, Apple iPhone)');
    expect(field(text, 'Browser')).toBe('Mobile Safari 17.4');
    expect(field(text, 'Username')).toBe('alice');
    expect(field(text, 'Drive')).toBe('shared');
    expect(field(text, 'SMB path')).toBe('/Reports/Q1 <budget>.xlsx');
    expect(field(text, 'Error type')).toBe('SmbError');
    expect(field(text, 'Message')).toBe('STATUS_UNSUCCESSFUL: read');
    expect(field(text, 'NTSTATUS')).toMatch(/^STATUS_UNSUCCESSFUL \(0xC0000001\)$|^\S+ \(0xC0000001\)$/);
    expect(text).toMatch(/Stack:\nSmbError: STATUS_UNSUCCESSFUL: read\n\s+at /);
    expect(text).toContain('mail.test.ts');
    const html = typeof parsed.html === 'string' ? parsed.html : '';
    expect(html).toContain(reference);
    expect(html).toContain('/Reports/Q1 &lt;budget&gt;.xlsx');
    expect(html).not.toContain('<budget>');
    expect(html).toContain('203.0.113.7');
    expect(leaks(mail!, ['tok-abcdef123456', 'csrf-zzz999', ...cookieValues(alice)])).toEqual([]);
  });

  // Issue 14: "Admin mails stay English." The user reads the 500 page in German; the admins' mail is the same as ever.
  it('stays English when the user reads German: the page is German, the mail is not', async () => {
    smtp.mails.length = 0;
    const reply = await alice.get('/test/boom-de', { headers: { 'Accept-Language': 'de-DE,de;q=0.9' } });
    expect(reply.status).toBe(500);
    expect(reply.text).toMatch(/<html lang="de"/);
    expect(reply.text).toContain('Bei uns ist etwas schiefgelaufen.');
    const reference = reply.headers.get('x-request-id') ?? '';
    expect(reply.text).toContain(reference);
    const [mail] = await smtp.waitFor(1);
    const text = mail!.parsed.text ?? '';
    expect(mail!.parsed.subject).toBe('[Portcullis] RangeError at GET /test/boom-de');
    expect(field(text, 'Reference')).toBe(reference);
    expect(field(text, 'Username')).toBe('alice');
    expect(field(text, 'Message')).toBe('boom for a German reader');
    expect(field(text, 'Error type')).toBe('RangeError');
    // Nothing of the German page in the mail, text or HTML.
    const html = typeof mail!.parsed.html === 'string' ? mail!.parsed.html : '';
    for (const german of ['schiefgelaufen', 'Referenz', 'Fehler']) expect(`${text}\n${html}`).not.toContain(german);
  });

  it('an upload-like POST with secret-named fields: none of them, nor cookies or Authorization, reach the mail', async () => {
    smtp.mails.length = 0;
    const page = await alice.get('/browse/home/');
    const csrf = csrfTokenIn(page.text);
    const secrets = { password: 'Upload-Secret-PW-1', client_secret: 'cs-9f8e7d6c5b', api_key: 'ak-1234567890abc', session_id: 'sess-55aa66bb' };
    const reply = await alice.post('/test/upload?upload_token=ut-0987654321', { _csrf: csrf, filename: 'report.pdf', content: 'hello', ...secrets }, {
      headers: { Authorization: 'Bearer bearer-secret-token-XYZ', Accept: 'application/json' },
    });
    expect(reply.status).toBe(500);
    const [mail] = await smtp.waitFor(1);
    const text = mail!.parsed.text ?? '';
    expect(field(text, 'Username')).toBe('alice');
    expect(field(text, 'Path')).toBe('/test/upload');
    expect(field(text, 'Message')).toBe('could not store report.pdf (password [redacted], key [redacted])');
    expect(leaks(mail!, [...Object.values(secrets), csrf, 'bearer-secret-token-XYZ', 'ut-0987654321', DEMO_PASSWORD, ...cookieValues(alice)])).toEqual([]);
  });

  it('folds repeats of one fingerprint into one more mail: "occurred N times since …"', async () => {
    smtp.mails.length = 0;
    for (let i = 0; i < 5; i++) expect((await alice.get('/test/boom')).status).toBe(500);
    await smtp.waitFor(1);
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.parsed.subject).toBe('[Portcullis] TypeError at GET /test/boom');
    const mails = await smtp.waitFor(2, 40_000);
    expect(mails[1]!.parsed.subject).toBe('[Portcullis] TypeError at GET /test/boom (5 times)');
    expect(mails[1]!.parsed.text).toMatch(/This error occurred 5 times since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    await new Promise((r) => setTimeout(r, 2500));
    expect(smtp.mails).toHaveLength(2);
    const metrics = await app.metrics.registry.metrics();
    expect(metrics).toMatch(/portcullis_mails_suppressed_total\{reason="duplicate"\} 4\b/);
    expect(metrics).toMatch(/portcullis_mails_sent_total\{kind="error"\} [4-9]/);
  });
});

describe('sign-in failing on our side (wrong service password), over authenticated SMTP', () => {
  let smtp: SmtpSink;
  let app: AdminApp;

  beforeAll(async () => {
    const domain = requireDomain();
    smtp = await startSmtp(0, { auth: { user: 'mailer', pass: 'Mail-Pass-77' } });
    app = await startAdminApp(domain, {
      env: { MAIL_HOST: '127.0.0.1', MAIL_PORT: String(smtp.port), MAIL_USER: 'mailer', MAIL_PASSWORD: 'Mail-Pass-77', LDAP_BIND_PASSWORD: 'Wrong-Service-PW-3' },
    });
  });
  afterAll(async () => {
    await app?.close();
    await smtp?.close();
  });

  it('mails the admins without the password, cookies, CSRF token or Authorization header', async () => {
    const client = app.client();
    const page = await client.get('/login');
    const csrf = csrfTokenIn(page.text);
    const reply = await client.post('/login', { _csrf: csrf, username: 'alice', password: DEMO_PASSWORD, next: '' }, {
      headers: { Authorization: 'Basic ' + Buffer.from(`alice:${DEMO_PASSWORD}`).toString('base64'), 'User-Agent': IPHONE_UA },
    });
    expect(reply.status).toBe(500);
    const [mail] = await smtp.waitFor(1);
    expect(mail!.auth).toBe('mailer');
    const text = mail!.parsed.text ?? '';
    expect(mail!.parsed.subject).toBe('[Portcullis] DirectoryConfigError at POST /login');
    expect(field(text, 'Username')).toBe('not signed in');
    expect(field(text, 'Method')).toBe('POST');
    expect(field(text, 'Error type')).toBe('DirectoryConfigError');
    expect(field(text, 'Reference')).toBe(reply.headers.get('x-request-id'));
    expect(leaks(mail!, [DEMO_PASSWORD, csrf, 'Wrong-Service-PW-3', 'Mail-Pass-77', Buffer.from(`alice:${DEMO_PASSWORD}`).toString('base64'), ...cookieValues(client)])).toEqual([]);
    // Nor in the logs.
    expect(app.logs.filter((l) => l.includes(DEMO_PASSWORD) || l.includes(csrf) || l.includes('Wrong-Service-PW-3'))).toEqual([]);
  });

  it('signing in still fails politely for the user, and an unknown error never blocks the answer', async () => {
    const start = Date.now();
    const reply = await signIn(app.client(), 'bob', DEMO_PASSWORD);
    expect(reply.status).toBe(500);
    // Generous: a real DC bind is part of this request, and a busy machine (the first run on 2 cores) slows it.
    expect(Date.now() - start).toBeLessThan(15_000);
  });
});

describe('SMTP down', () => {
  let app: AdminApp;

  beforeAll(async () => {
    const domain = requireDomain();
    // Nothing listens on 2534.
    app = await startAdminApp(domain, { env: { MAIL_HOST: '127.0.0.1', MAIL_PORT: '2534' }, mount });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('keeps serving: the 500 comes at once, the send failure is logged, later requests are fine', async () => {
    const client = app.client();
    const start = Date.now();
    const reply = await client.get('/test/boom', { headers: { Accept: 'application/json' } });
    expect(reply.status).toBe(500);
    // Only local work here (the mail server refuses at once), with slack for a busy machine.
    expect(Date.now() - start).toBeLessThan(10_000);
    expect((JSON.parse(reply.text) as { error: { reference: string } }).error.reference).toBe(reply.headers.get('x-request-id'));
    const until = Date.now() + 15_000;
    while (!app.logs.some((l) => l.includes('report mail could not be sent')) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    const line = app.logs.find((l) => l.includes('report mail could not be sent'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ level: 'error', kind: 'error' });
    expect((await client.get('/healthz')).status).toBe(200);
    expect((await client.get('/login')).status).toBe(200);
    expect(await app.metrics.registry.metrics()).toMatch(/portcullis_mails_failed_total\{kind="error"\} 1\b/);
  });
});
