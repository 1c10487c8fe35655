export { ErrorReporter, type MailSender, type MailKind, type ReporterHooks, type ReporterOptions, type SuppressReason, type UpstreamCheck } from './reporter.js';
export { smtpSender, mailConfigured } from './transport.js';
export { formatReport, formatDegraded, formatRecovered, type MailContent } from './format.js';
export { buildReport, fingerprint, safeUrl, routeOf, describeUserAgent, appVersion, type ErrorReport } from './report.js';
