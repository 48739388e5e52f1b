import { createTransport } from 'nodemailer';

import type { MailAttachment } from './templates';

export interface OutgoingMail {
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  /** Inline images (a check-in's QR code) the HTML part shows by Content-ID. */
  attachments?: MailAttachment[];
  /** Stable per outbox message, so a receiver can drop a redelivery. */
  messageId: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** nodemailer over `SMTP_URL` (smtp:// with STARTTLS when offered, smtps:// for implicit TLS). */
export function smtpMailer(smtpUrl: string): Mailer {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  const transport = createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    // Reuse connections: one SMTP handshake per connection, not per message.
    pool: true,
    maxConnections: 4,
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(mail) {
      await transport.sendMail(mail);
    },
    close() {
      transport.close();
    },
  };
}
