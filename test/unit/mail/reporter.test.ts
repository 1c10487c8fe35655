// The reporter's rules with an in-memory sender (delivery itself is tested against real SMTP in
// test/integration/admin): folding by fingerprint, the hourly cap, outages confirmed by checks, safe URLs.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import winston from 'winston';
import { audit, createLogger } from '../../../src/log.js';
import { describeUserAgent, ErrorReporter, formatReport, type MailContent, safeUrl, buildReport, type UpstreamCheck } from '../../../src/mail/index.js';

function capture(): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', format: 'json', transports: [new winston.transports.Stream({ stream })] }), lines };
}

function reporter(opts: { dedupMs?: number; maxPerHour?: number; checks?: () => Promise<UpstreamCheck[]> } = {}) {
  const sent: MailContent[] = [];
  const counts = { sent: 0, duplicate: 0, rate_limit: 0 };
  const r = new ErrorReporter({
    appName: 'Portcullis',
    sender: { send: async (m) => void sent.push(m) },
    logger: capture().logger,
    dedupMs: opts.dedupMs ?? 200,
    maxPerHour: opts.maxPerHour ?? 100,
    hooks: { sent: () => counts.sent++, suppressed: (reason) => counts[reason]++ },
    ...(opts.checks ? { upstreamChecks: opts.checks } : {}),
    outagePollMs: 50,
  });
  return { r, sent, counts };
}

const wait = (ms: number) => new Promise((res) => setTimeout(res, ms));
const thrower = (): Error => new TypeError('same place');

describe('ErrorReporter', () => {
  it('sends the first of a fingerprint at once and the rest as one "N times" mail at the end of the window', async () => {
    const { r, sent, counts } = reporter();
    for (let i = 0; i < 7; i++) r.reportProcessError(thrower(), 'unhandledRejection', `REF${i}`);
    r.reportProcessError(new RangeError('elsewhere'), 'unhandledRejection', 'OTHER');
    await r.flush();
    expect(sent.map((m) => m.subject)).toEqual(['[Portcullis] TypeError at unhandledRejection', '[Portcullis] RangeError at unhandledRejection']);
    await wait(300);
    await r.flush();
    expect(sent).toHaveLength(3);
    expect(sent[2]!.subject).toBe('[Portcullis] TypeError at unhandledRejection (7 times)');
    expect(sent[2]!.text).toContain('This error occurred 7 times since');
    expect(sent[2]!.text).toContain('Reference:   REF6');
    expect(counts).toEqual({ sent: 3, duplicate: 6, rate_limit: 0 });
    await wait(300);
    expect(sent).toHaveLength(3);
    r.close();
  });

  it('caps mails per hour and says how many were held back in the next one', async () => {
    let clock = Date.parse('2025-01-01T10:00:00Z');
    const sent: MailContent[] = [];
    let capped = 0;
    const r = new ErrorReporter({
      appName: 'Portcullis',
      sender: { send: async (m) => void sent.push(m) },
      logger: capture().logger,
      dedupMs: 60_000,
      maxPerHour: 2,
      hooks: { suppressed: (reason) => (reason === 'rate_limit' ? capped++ : undefined) },
      now: () => clock,
    });
    // Distinct types: distinct fingerprints, so only the cap holds them back.
    const errs = [new SyntaxError('a'), new EvalError('b'), new URIError('c'), new ReferenceError('d'), new RangeError('e')];
    for (const e of errs) r.reportProcessError(e, 'unhandledRejection', 'X');
    await r.flush();
    expect(sent.map((m) => m.subject)).toEqual(['[Portcullis] SyntaxError at unhandledRejection', '[Portcullis] EvalError at unhandledRejection']);
    expect(capped).toBe(3);
    clock += 3_600_001;
    r.reportProcessError(new TypeError('later'), 'unhandledRejection', 'Y');
    await r.flush();
    expect(sent).toHaveLength(3);
    expect(sent[2]!.text).toContain('3 earlier reports were not mailed because of the hourly cap (MAIL_MAX_PER_HOUR)');
    r.close();
  });

  it('an outage is mailed only when the checks confirm it, once, and its end once', async () => {
    let down = false;
    const { r, sent } = reporter({ checks: async () => [{ name: 'Directory (LDAP)', ok: !down, detail: down ? 'ECONNREFUSED' : 'ok' }] });
    r.upstreamUnavailable(new Error('busy'));
    await r.flush();
    expect(sent).toHaveLength(0);
    expect(r.degraded).toBe(false);
    down = true;
    for (let i = 0; i < 5; i++) r.upstreamUnavailable(new Error('ECONNREFUSED'));
    await r.flush();
    expect(r.degraded).toBe(true);
    for (let i = 0; i < 5; i++) r.upstreamUnavailable(new Error('ECONNREFUSED'));
    await wait(150);
    expect(sent.map((m) => m.subject)).toEqual(['[Portcullis] Service degraded: Directory (LDAP) not answering']);
    down = false;
    await wait(200);
    await r.flush();
    expect(sent.map((m) => m.subject)).toEqual(['[Portcullis] Service degraded: Directory (LDAP) not answering', '[Portcullis] Recovered: Directory (LDAP) answering again']);
    expect(sent[1]!.text).toContain('Requests answered with 503 meanwhile: 6.');
    r.close();
  });

  it('a failing sender is logged, never thrown', async () => {
    const { logger, lines } = capture();
    const r = new ErrorReporter({ appName: 'P', sender: { send: () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:25')) }, logger, dedupMs: 100, maxPerHour: 5 });
    expect(() => r.reportProcessError(new Error('x'), 'unhandledRejection', 'R')).not.toThrow();
    await r.flush();
    expect(lines.some((l) => l.includes('report mail could not be sent') && l.includes('ECONNREFUSED'))).toBe(true);
    r.close();
  });
});

describe('report facts', () => {
  it('drops secret-named query parameters and keeps the rest', () => {
    expect(safeUrl('/a/b?x=1&password=p&access_token=t&_csrf=c&api-key=k&sort=name')).toEqual({ url: '/a/b?x=1&sort=name', path: '/a/b' });
    expect(safeUrl('/a?token=1')).toEqual({ url: '/a', path: '/a' });
  });

  it('parses platform, browser and version from the user agent', () => {
    expect(describeUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36')).toEqual({
      platform: 'Windows 10',
      browser: 'Chrome',
      browserVersion: '124.0.0.0',
    });
    expect(describeUserAgent('')).toEqual({ platform: 'unknown', browser: 'unknown', browserVersion: '' });
  });

  it('escapes HTML and keeps headers on one line', () => {
    const report = buildReport('unhandledRejection', new Error('<script>alert(1)</script>\r\nBcc: evil@example.test'), 'REF', 'Portcullis');
    const mail = formatReport(report);
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;');
  });

  it('names the NTSTATUS of an SMB error anywhere in the cause chain', () => {
    const smb = Object.assign(new Error('STATUS_DISK_FULL'), { name: 'SmbDiskFullError', status: 0xc000007f, statusName: 'STATUS_DISK_FULL' });
    const report = buildReport('unhandledRejection', new Error('upload failed', { cause: smb }), 'REF', 'Portcullis');
    expect(report.error.ntStatus).toEqual({ name: 'STATUS_DISK_FULL', code: '0xC000007F' });
    expect(report.error.stack).toContain('Caused by: SmbDiskFullError: STATUS_DISK_FULL');
  });
});

describe('audit()', () => {
  it('writes who, what, where and result, in the sign-in lines\' shape', () => {
    const { logger, lines } = capture();
    audit(logger, { action: 'rename', user: 'alice', drive: 'shared', path: '/a.txt', to: '/b.txt', result: 'ok' });
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'info', audit: 'rename', user: 'alice', drive: 'shared', path: '/a.txt', to: '/b.txt', result: 'ok' });
    expect(entry.message).toBe('audit rename shared:/a.txt by alice: ok');
  });
});
