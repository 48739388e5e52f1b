import { Inject, Injectable, Logger } from '@nestjs/common';

import { sha256Hex } from '../common/hash';
import { WorkerJob } from '../common/periodic-task';
import { normalisePhone } from '../common/phone';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Transactions } from '../database/transactions';
import type { TextChannel } from '../outbox/outbox-message.entity';
import { OutboxService } from '../outbox/outbox.service';
import { countSegments } from '../outbox/segments';
import { renderText } from '../outbox/text-templates';
import { TextProviders } from './providers/text-providers';
import { TextMessagesRepository } from './text-messages.repository';

/** Texts sent at once by one process. Each is its own transaction. */
const CONCURRENCY = 4;

/** The notice whose text asks "SI or NO": sending it makes it the question a reply from that number answers. */
export const QUESTION_TEMPLATE = 'event.reminder';
/** The one text that goes to a number that opted out: the confirmation of it. */
export const OPT_OUT_TEMPLATE = 'text.opt_out_confirmation';

/** Why a text went by e-mail instead (outbox_messages.fallback_reason). */
export const BUDGET_SPENT = 'text-budget-spent';
const UNAVAILABLE = 'text-unavailable';

/** A provider's error may quote the number: keep it out of the database and logs. */
const redact = (text: string) => text.replace(/\+?\d[\d\s-]{6,}\d/g, '<number>').slice(0, 500);

/**
 * Delivers due texts (SMS, WhatsApp) as the outbox worker delivers e-mail
 * (issue 24): each claimed with FOR UPDATE SKIP LOCKED in its own
 * transaction, sent, settled before commit — any number of processes send
 * each text once at a time, with the same retries and backoff as e-mail.
 * Before sending: a number that opted out on the channel gets nothing (but
 * the confirmation of the opt-out); a text whose organisation's monthly
 * budget cannot cover its segments goes by e-mail instead (recorded as
 * `text-budget-spent`), as does one whose channel is no longer configured.
 * Sending the day-before reminder records it as the question a reply from
 * that number answers. Runs where the outbox worker runs (OUTBOX_WORKER).
 */
@Injectable()
export class TextWorker extends WorkerJob {
  constructor(
    private readonly outbox: OutboxService,
    private readonly texts: TextMessagesRepository,
    private readonly providers: TextProviders,
    private readonly transactions: Transactions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super(new Logger('Texts'), config.outboxWorker, config.outboxPollMs);
  }

  protected round(): Promise<number> {
    return this.deliverDue();
  }

  /** Delivers every due text; returns how many were attempted (sent, failed, or turned into e-mails). */
  async deliverDue(): Promise<number> {
    if (!(await this.outbox.anyDue('text'))) return 0;
    return this.task.inLanes(CONCURRENCY, () => this.deliverOne());
  }

  private deliverOne(): Promise<boolean> {
    return this.transactions.run(async (tx) => {
      const m = await this.outbox.claimNextDue(tx, 'text');
      if (!m) return false;
      const channel = m.channel as TextChannel;
      const provider = this.providers.for(channel);
      const to = normalisePhone(m.recipient);
      if (!provider || !to) {
        await this.outbox.fallBackToEmail(tx, m.id, UNAVAILABLE);
        return true;
      }
      const phoneHash = sha256Hex(to);
      if (m.template !== OPT_OUT_TEMPLATE && (await this.texts.isOptedOut(tx, phoneHash, channel))) {
        await this.outbox.markRefused(tx, m.id, 'opted-out');
        return true;
      }
      const content = renderText(m.template, m.locale, m.payload);
      const segments = channel === 'sms' ? countSegments(content.body).segments : 1;
      const month = m.organisation_id ? await this.texts.reserve(m.organisation_id, segments, this.config.textMonthlySegments) : null;
      if (m.organisation_id && !month) {
        await this.outbox.fallBackToEmail(tx, m.id, BUDGET_SPENT);
        return true;
      }
      const attempts = m.attempts + 1;
      try {
        const providerMessageId = await provider.send({ to, content, locale: m.locale, reference: m.id });
        await this.outbox.markSent(tx, m.id, attempts, { segments, providerMessageId });
        if (m.template === QUESTION_TEMPLATE && m.signup_id) await this.texts.recordQuestion(tx, { phoneHash, channel, signupId: m.signup_id, locale: m.locale });
      } catch (err) {
        if (m.organisation_id && month) await this.texts.release(m.organisation_id, month, segments);
        const state = await this.outbox.attemptFailed(tx, m.id, attempts, redact(err instanceof Error ? err.message : String(err)));
        this.logger.warn({ messageId: m.id, template: m.template, channel, attempts, failed: state === 'failed' }, state === 'failed' ? 'text failed for good' : 'text will be retried');
      }
      return true;
    });
  }
}
