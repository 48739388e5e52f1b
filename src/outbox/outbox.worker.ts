import { Inject, Injectable, Logger } from '@nestjs/common';

import { WorkerJob } from '../common/periodic-task';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Transactions } from '../database/transactions';
import { smtpMailer, type Mailer } from './mailer';
import { OutboxService } from './outbox.service';
import { render } from './templates';

/** Messages sent at once by one worker. Each is its own transaction. */
const CONCURRENCY = 4;

/** SMTP errors can quote the address; keep them out of the database and logs. */
const redact = (text: string) => text.replace(/[^\s<>@]+@[^\s<>@]+/g, '<address>').slice(0, 500);

/**
 * Delivers due outbox messages. Each message is claimed with
 * `FOR UPDATE SKIP LOCKED` inside its own transaction, sent, and marked sent
 * before commit, so any number of workers (in API processes or standalone)
 * never send the same message concurrently. If a process dies between the
 * SMTP answer and the commit, that message is sent again on restart: the
 * at-least-once edge, at most CONCURRENCY messages per dead worker; the
 * stable Message-ID lets receivers drop the copy.
 */
@Injectable()
export class OutboxWorker extends WorkerJob {
  /** Opens an SMTP connection pool for one delivery round; null without SMTP_URL. */
  private readonly openMailer: (() => Mailer) | null;
  private heldNoticeAt = 0;

  constructor(
    private readonly messages: OutboxService,
    private readonly transactions: Transactions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super(new Logger('Outbox'), config.outboxWorker, config.outboxPollMs);
    const smtpUrl = config.smtpUrl;
    this.openMailer = smtpUrl ? () => smtpMailer(smtpUrl) : null;
  }

  protected round(): Promise<number> {
    return this.deliverDue();
  }

  /** Delivers every due message; returns how many were attempted. */
  async deliverDue(): Promise<number> {
    if (!this.openMailer) {
      await this.noticeHeld();
      return 0;
    }
    // Nothing due (the usual case): no SMTP connection at all.
    if (!(await this.messages.anyDue('email'))) return 0;
    // One pool per round: connections are reused within a burst and none
    // stays open between rounds or after shutdown.
    const mailer = this.openMailer();
    try {
      return await this.task.inLanes(CONCURRENCY, () => this.deliverOne(mailer));
    } finally {
      mailer.close();
    }
  }

  /** Claims, sends and settles one due message. False when none is due. */
  private async deliverOne(mailer: Mailer): Promise<boolean> {
    return this.transactions.run(async (tx) => {
      const m = await this.messages.claimNextDue(tx, 'email');
      if (!m) return false;
      const attempts = m.attempts + 1;
      try {
        const content = render(m.template, m.locale, m.payload);
        await mailer.send({ to: m.recipient, from: this.config.mailFrom, messageId: `<${m.id}@convoca>`, ...content });
        await this.messages.markSent(tx, m.id, attempts);
      } catch (err) {
        const state = await this.messages.attemptFailed(tx, m.id, attempts, redact(err instanceof Error ? err.message : String(err)));
        const failed = state === 'failed';
        this.logger.warn({ messageId: m.id, template: m.template, attempts, failed }, failed ? 'outbox message failed for good' : 'outbox message will be retried');
      }
      return true;
    });
  }

  /** Without SMTP_URL nothing is sent: say so once a minute, without personal data. */
  private async noticeHeld(): Promise<void> {
    if (Date.now() - this.heldNoticeAt < 60_000) return;
    const n = await this.messages.countPending('email');
    if (n > 0) {
      this.heldNoticeAt = Date.now();
      this.logger.log(`SMTP_URL is not set: ${n} e-mail(s) kept in the outbox, not sent`);
    }
  }
}
