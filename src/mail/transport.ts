// Sending over SMTP with nodemailer: STARTTLS whenever the server offers it (TLS from the first byte with
// MAIL_SECURE), authentication when MAIL_USER is set. Timeouts are short: a report is never worth a hung socket.
import { hostname } from 'node:os';
import type { Transporter } from 'nodemailer';
import type { MailConfig } from '../config/index.js';
import type { MailContent } from './format.js';
import type { MailSender } from './reporter.js';

export function smtpSender(mail: MailConfig, appName: string): MailSender {
  if (!mail.host) throw new Error('MAIL_HOST is not set');
  const host = mail.host;
  // nodemailer costs ~12 MB of memory once loaded, and most processes never send a mail: load it on the first.
  let transport: Promise<Transporter> | undefined;
  const transportOf = (): Promise<Transporter> =>
    (transport ??= import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({
        host,
        port: mail.port,
        secure: mail.secure,
        ...(mail.user ? { auth: { user: mail.user, pass: mail.password ?? '' } } : {}),
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 20_000,
      }),
    ));
  const from = mail.from ?? `"${appName.replace(/["\\]/g, '')}" <portcullis@${hostname()}>`;
  return {
    async send(content: MailContent): Promise<void> {
      await (await transportOf()).sendMail({ from, to: mail.adminEmails, subject: content.subject, text: content.text, html: content.html });
    },
  };
}

/** Whether exception mails can go anywhere: a host and at least one admin address. */
export const mailConfigured = (mail: MailConfig): boolean => Boolean(mail.host) && mail.adminEmails.length > 0;
