// Report mails: a subject naming the app, the error type and the path; a readable text body and the same as HTML.
import type { ErrorReport } from './report.js';

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

export interface Repeats {
  /** Occurrences in the window, this one included. */
  count: number;
  since: Date;
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Header text must stay on one line (no header injection through a path or a message). */
const oneLine = (s: string, max = 160): string => {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  const flat = s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

const when = (d: Date): string => d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

function rows(report: ErrorReport): [string, string][] {
  const r = report.request;
  const e = report.error;
  const out: [string, string][] = [
    ['Reference', report.reference],
    ['Time', when(report.time)],
    ['Host', report.host],
    ['App version', `${report.appName} ${report.version}`],
  ];
  if (r) {
    out.push(
      ['Method', r.method],
      ['Path', r.url],
      ['Client IP', r.clientIp],
      ['User agent', r.userAgent],
      ['Platform', r.platform],
      ['Browser', `${r.browser}${r.browserVersion ? ` ${r.browserVersion}` : ''}`],
      ['Username', r.username],
    );
    if (r.drive !== undefined) out.push(['Drive', r.drive]);
    if (r.smbPath !== undefined) out.push(['SMB path', r.smbPath]);
  } else {
    out.push(['Source', report.kind === 'uncaughtException' ? 'uncaught exception (the process exits)' : 'unhandled promise rejection']);
  }
  out.push(['Error type', e.type], ['Message', e.message]);
  if (e.code !== undefined) out.push(['Code', e.code]);
  if (e.ntStatus) out.push(['NTSTATUS', `${e.ntStatus.name} (${e.ntStatus.code})`]);
  return out;
}

export function formatReport(report: ErrorReport, repeats?: Repeats, capNote?: string): MailContent {
  const where = report.request ? `${report.request.method} ${report.request.path}` : report.kind;
  const times = repeats && repeats.count > 1 ? ` (${repeats.count} times)` : '';
  const subject = oneLine(`[${report.appName}] ${report.error.type} at ${where}${times}`, 200);
  const notes: string[] = [];
  if (repeats && repeats.count > 1) notes.push(`This error occurred ${repeats.count} times since ${when(repeats.since)}. Details below are of the latest occurrence.`);
  if (capNote) notes.push(capNote);

  const table = rows(report);
  const width = Math.max(...table.map(([k]) => k.length));
  const text = [
    `${report.appName} hit an unexpected error.`,
    ...notes.map((n) => `\n${n}`),
    '',
    ...table.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${v}`),
    '',
    'Stack:',
    report.error.stack,
    '',
  ].join('\n');

  const html = [
    '<!doctype html><html><body style="font-family: sans-serif">',
    `<h2>${escapeHtml(report.appName)}: ${escapeHtml(report.error.type)}</h2>`,
    ...notes.map((n) => `<p><strong>${escapeHtml(n)}</strong></p>`),
    '<table cellpadding="4" style="border-collapse: collapse">',
    ...table.map(([k, v]) => `<tr><th align="left" valign="top">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`),
    '</table>',
    '<h3>Stack</h3>',
    `<pre style="white-space: pre-wrap">${escapeHtml(report.error.stack)}</pre>`,
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}

export interface OutageFacts {
  appName: string;
  host: string;
  /** Components failing their check, with what they said. */
  failing: { name: string; detail: string }[];
  since: Date;
  /** The request error that led to the check, if any (first one). */
  firstError: string | undefined;
}

export function formatDegraded(f: OutageFacts): MailContent {
  const names = f.failing.map((c) => c.name).join(', ');
  const subject = oneLine(`[${f.appName}] Service degraded: ${names} not answering`, 200);
  const lines = [
    `${f.appName} on ${f.host} cannot reach: ${names}.`,
    `Since: ${when(f.since)}`,
    '',
    ...f.failing.map((c) => `- ${c.name}: ${c.detail}`),
    '',
    f.firstError ? `First failing request: ${f.firstError}` : '',
    'Users get "try again shortly" (503) meanwhile. You will get one more mail when it recovers; no mail per failing request.',
    '',
  ];
  const html = `<!doctype html><html><body style="font-family: sans-serif"><h2>${escapeHtml(subject)}</h2><pre style="white-space: pre-wrap">${escapeHtml(lines.join('\n'))}</pre></body></html>`;
  return { subject, text: lines.join('\n'), html };
}

export function formatRecovered(f: OutageFacts & { recoveredAt: Date; affectedRequests: number }): MailContent {
  const names = f.failing.map((c) => c.name).join(', ');
  const minutes = Math.max(0, Math.round((f.recoveredAt.getTime() - f.since.getTime()) / 1000));
  const subject = oneLine(`[${f.appName}] Recovered: ${names} answering again`, 200);
  const lines = [
    `${f.appName} on ${f.host} reaches ${names} again.`,
    `Degraded from ${when(f.since)} to ${when(f.recoveredAt)} (${minutes} s).`,
    `Requests answered with 503 meanwhile: ${f.affectedRequests}.`,
    '',
  ];
  const html = `<!doctype html><html><body style="font-family: sans-serif"><h2>${escapeHtml(subject)}</h2><pre style="white-space: pre-wrap">${escapeHtml(lines.join('\n'))}</pre></body></html>`;
  return { subject, text: lines.join('\n'), html };
}
