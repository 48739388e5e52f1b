import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { type Mailer, smtpMailer } from './mailer';
import { render } from './templates';
import { PeriodicTask } from '../common/periodic-task';

/** Messages sent at once by one worker. Each is its own transaction. */
const CONCURRENCY = 4;
const MAX_BACKOFF_MS = 6 * 3600_000;

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
export class OutboxWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Outbox');
  /** Opens an SMTP connection pool for one delivery round; null without SMTP_URL. */
  private readonly openMailer: (() => Mailer) | null;
  private readonly task: PeriodicTask;
  private heldNoticeAt = 0;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const smtpUrl = config.smtpUrl;
    this.openMailer = smtpUrl ? () => smtpMailer(smtpUrl) : null;
    this.task = new PeriodicTask(this.logger, config.outboxPollMs, () => this.deliverDue());
  }

  onApplicationBootstrap(): void {
    if (this.config.outboxWorker) this.task.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** Delivers every due message; returns how many were attempted. */
  async deliverDue(): Promise<number> {
    if (!this.openMailer) {
      await this.noticeHeld();
      return 0;
    }
    // Nothing due (the usual case): no SMTP connection at all.
    const [due] = await this.db.query<{ due: boolean }[]>(`SELECT EXISTS (SELECT 1 FROM outbox_messages WHERE state = 'pending' AND next_attempt_at <= now()) AS due`);
    if (!due.due) return 0;
    // One pool per round: connections are reused within a burst and none
    // stays open between rounds or after shutdown.
    const mailer = this.openMailer();
    let attempted = 0;
    const lane = async () => {
      while (!this.task.stopped && (await this.deliverOne(mailer))) attempted++;
    };
    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, lane));
    } finally {
      mailer.close();
    }
    return attempted;
  }

  /** Claims, sends and settles one due message. False when none is due. */
  private async deliverOne(mailer: Mailer): Promise<boolean> {
    return this.db.transaction(async (em) => {
      const [m] = await em.query<{ id: string; template: string; recipient: string; locale: string; payload: Record<string, unknown>; attempts: number }[]>(
        `SELECT id, template, recipient, locale, payload, attempts FROM outbox_messages
          WHERE state = 'pending' AND next_attempt_at <= now()
          ORDER BY next_attempt_at, seq LIMIT 1
          FOR UPDATE SKIP LOCKED`,
      );
      if (!m) return false;
      const attempts = m.attempts + 1;
      try {
        const content = render(m.template, m.locale, m.payload);
        await mailer.send({ to: m.recipient, from: this.config.mailFrom, messageId: `<${m.id}@convoca>`, ...content });
        await em.query(`UPDATE outbox_messages SET state = 'sent', attempts = $2, sent_at = now(), last_error = NULL WHERE id = $1`, [m.id, attempts]);
      } catch (err) {
        const failed = attempts >= this.config.outboxMaxAttempts;
        const backoff = Math.min(this.config.outboxRetryBaseMs * 2 ** (attempts - 1), MAX_BACKOFF_MS);
        await em.query(
          `UPDATE outbox_messages SET attempts = $2, state = $3, last_error = $4, next_attempt_at = now() + make_interval(secs => $5) WHERE id = $1`,
          [m.id, attempts, failed ? 'failed' : 'pending', redact(err instanceof Error ? err.message : String(err)), backoff / 1000],
        );
        this.logger.warn({ messageId: m.id, template: m.template, attempts, failed }, failed ? 'outbox message failed for good' : 'outbox message will be retried');
      }
      return true;
    });
  }

  /** Without SMTP_URL nothing is sent: say so once a minute, without personal data. */
  private async noticeHeld(): Promise<void> {
    if (Date.now() - this.heldNoticeAt < 60_000) return;
    const [{ n }] = await this.db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM outbox_messages WHERE state = 'pending'`);
    if (n > 0) {
      this.heldNoticeAt = Date.now();
      this.logger.log(`SMTP_URL is not set: ${n} e-mail(s) kept in the outbox, not sent`);
    }
  }
}
