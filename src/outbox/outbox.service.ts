import { Inject, Injectable } from '@nestjs/common';

import { decodeCursorAs, toPage, type Page } from '../common/pagination';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import type { Tx } from '../database/transactions';
import type { Channel, OutboxState, TextChannel } from './outbox-message.entity';
import { OutboxRepository, type ClaimedMessage, type Lane, type NewMessageRow, type ReachRow } from './outbox.repository';
import { afterAttempt, retryDelayMs } from './outbox.states';
import { outboxMessageView, type OutboxMessageView } from './outbox.views';
import { hasTemplate } from './templates';
import { hasTextTemplate } from './text-templates';

// The events module's notices write a signup's confirmation inside the statement that takes the seat (the stated exception).
export { outboxInsertSql } from './outbox.repository';

export interface NewMessage {
  template: string;
  recipient: string;
  locale?: string;
  payload: Record<string, unknown>;
  /** One message per cause: e.g. `password_reset:<token id>`, `event_reminder:<signup id>`. */
  dedupeKey: string;
  /** Default `email`: then `recipient` is an address; for `sms` and `whatsapp`, an E.164 number (issue 24). */
  channel?: Channel;
  /** A text's e-mail address, should it have to go by e-mail (its organisation's budget is spent). */
  fallbackRecipient?: string | null;
  /** Whose monthly text budget a text counts against (the event's host); none for a reply to a person's own text. */
  organisationId?: string | null;
  /** The signup a notice is about (the event's reach counts). */
  signupId?: string | null;
}

function known(message: NewMessage): NewMessageRow {
  const channel = message.channel ?? 'email';
  if (channel === 'email' ? !hasTemplate(message.template) : !hasTextTemplate(message.template)) throw new Error(`unknown ${channel} template ${message.template}`);
  return {
    ...message,
    locale: message.locale ?? 'es',
    channel,
    fallbackRecipient: message.fallbackRecipient ?? null,
    organisationId: message.organisationId ?? null,
    signupId: message.signupId ?? null,
  };
}

@Injectable()
export class OutboxService {
  constructor(
    private readonly messages: OutboxRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // ---------------------------------------------------------------- delivery (the e-mail worker, the text worker)

  anyDue(lane: Lane): Promise<boolean> {
    return this.messages.anyDue(lane);
  }

  countPending(lane: Lane): Promise<number> {
    return this.messages.countPending(lane);
  }

  /** The next due message of the lane, claimed for `tx` (FOR UPDATE SKIP LOCKED); null when none is due. */
  claimNextDue(tx: Tx, lane: Lane): Promise<ClaimedMessage | null> {
    return this.messages.claimNextDue(tx, lane);
  }

  markSent(tx: Tx, id: string, attempts: number, text?: { segments: number; providerMessageId: string | null }): Promise<void> {
    return this.messages.markSent(tx, id, attempts, text);
  }

  /**
   * A failed attempt: retried with exponential backoff (OUTBOX_RETRY_BASE_MS,
   * doubling, capped at six hours), failed for good after
   * OUTBOX_MAX_ATTEMPTS. `error` must hold no personal data. Returns the
   * message's new state.
   */
  async attemptFailed(tx: Tx, id: string, attempts: number, error: string): Promise<OutboxState> {
    const state = afterAttempt(false, attempts, this.config.outboxMaxAttempts);
    await this.messages.markAttemptFailed(tx, id, { attempts, state, error, retryInSeconds: retryDelayMs(attempts, this.config.outboxRetryBaseMs) / 1000 });
    return state;
  }

  /** A text that cannot go as one goes by e-mail now (failed, with no address to fall back to); `reason` is recorded. */
  fallBackToEmail(tx: Tx, id: string, reason: string): Promise<void> {
    return this.messages.fallBackToEmail(tx, id, reason);
  }

  /** A text that must not be sent (its number opted out). */
  markRefused(tx: Tx, id: string, reason: string): Promise<void> {
    return this.messages.markRefused(tx, id, reason);
  }

  // ---------------------------------------------------------------- writing

  /**
   * Writes a message inside the caller's transaction `tx`: it exists if and
   * only if the change that causes it commits. A second message with the
   * same dedupe key is silently not written. Returns whether it was new.
   */
  enqueue(tx: Tx, message: NewMessage): Promise<boolean> {
    return this.messages.insert(tx, known(message));
  }

  /**
   * `enqueue` for many messages at once (one statement per thousand), for
   * notices to everyone signed up to an event. Same guarantees: inside `tx`'s
   * transaction, a dedupe key already present is silently skipped. Returns
   * how many were new.
   */
  enqueueMany(tx: Tx, messages: NewMessage[]): Promise<number> {
    return this.messages.insertMany(tx, messages.map(known));
  }

  async list(query: { state?: OutboxState; limit: number; cursor?: string }): Promise<Page<OutboxMessageView>> {
    const after = decodeCursorAs<[string]>(query.cursor, 'integer');
    const rows = await this.messages.page({ state: query.state, limit: query.limit, afterSeq: after ? String(after[0]) : null });
    return toPage(rows, query.limit, (m) => [m.seq], outboxMessageView);
  }

  /** Opt-out (issue 24), in `tx`: texts owed to the number on the channel are never sent. */
  cancelPendingTexts(tx: Tx, phone: string, channel: TextChannel): Promise<number> {
    return this.messages.cancelPendingTexts(tx, phone, channel, 'opted-out');
  }

  /** A provider's delivery receipt for one of its texts. */
  recordReceipt(channel: TextChannel, providerMessageId: string, status: string): Promise<boolean> {
    return this.messages.recordReceipt(channel, providerMessageId, status);
  }

  /** Per channel, how many of an event's signups a notice reached; and the texts that went by e-mail because the budget was spent. */
  async reachOfEvent(tx: Tx, eventId: string): Promise<{ email: number; sms: number; whatsapp: number; textBudgetFallbacks: number }> {
    const r: ReachRow = await this.messages.reachOfEvent(tx, eventId);
    return { email: r.email, sms: r.sms, whatsapp: r.whatsapp, textBudgetFallbacks: r.budget_fallbacks };
  }

  /** Erasure: e-mails owed to these addresses are never sent, and kept only as anonymous rows. */
  async forgetRecipients(tx: Tx, addresses: string[]): Promise<void> {
    if (!addresses.length) return;
    await this.messages.forgetRecipients(
      tx,
      addresses.map((e) => e.toLowerCase()),
    );
  }
}
