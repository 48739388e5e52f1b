import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import type { Tx } from '../database/transactions';
import { OutboxMessage, type Channel, type OutboxState, type TextChannel } from './outbox-message.entity';

/** A message to write: template key, address, language, what the template needs, and its dedupe key; a text's channel and the rest (TextParts). */
export interface NewMessageRow {
  template: string;
  recipient: string;
  locale: string;
  payload: Record<string, unknown>;
  dedupeKey: string;
  channel: Channel;
  fallbackRecipient: string | null;
  organisationId: string | null;
  signupId: string | null;
}

/** A due message, claimed by one worker for one delivery attempt. */
export interface ClaimedMessage {
  id: string;
  template: string;
  recipient: string;
  locale: string;
  payload: Record<string, unknown>;
  attempts: number;
  channel: Channel;
  organisation_id: string | null;
  signup_id: string | null;
}

/** Which messages a worker delivers: e-mails (OutboxWorker), or texts (TextWorker). */
export type Lane = 'email' | 'text';
const inLane = (lane: Lane) => (lane === 'email' ? `channel = 'email'` : `channel <> 'email'`);

/** Reached people of an event per channel: signups with a notice sent there; and texts that went by e-mail for the budget. */
export interface ReachRow {
  email: number;
  sms: number;
  whatsapp: number;
  budget_fallbacks: number;
}

/**
 * The INSERT of messages given by `rows` (VALUES or a SELECT of template,
 * recipient, locale, payload, dedupe key), a dedupe key already present
 * skipped — for `insert`, and for a statement that writes its messages
 * itself (a signup's confirmation, in the statement that takes the seat:
 * the one stated exception to "no SQL text leaves a repository", re-exported
 * by outbox.service.ts for the events module's notices).
 */
export function outboxInsertSql(rows: string): string {
  return `INSERT INTO outbox_messages (template, recipient, locale, payload, dedupe_key, channel, fallback_recipient, organisation_id, signup_id) ${rows} ON CONFLICT (dedupe_key) DO NOTHING`;
}

const ROW_VALUES = (m: NewMessageRow) => [m.template, m.recipient, m.locale, JSON.stringify(m.payload), m.dedupeKey, m.channel, m.fallbackRecipient, m.organisationId, m.signupId];

/** Statements written at once by `insertMany`: one per thousand messages. */
const BATCH = 1000;

/** The outbox_messages table: written in the transactions of the changes that owe e-mails, read and settled by the worker. */
@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Writes one message in `tx`; false when its dedupe key was already there. */
  async insert(tx: Tx, m: NewMessageRow): Promise<boolean> {
    const rows = await tx.query<{ id: string }[]>(`${outboxInsertSql('VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)')} RETURNING id`, ROW_VALUES(m));
    return rows.length === 1;
  }

  /** Writes many messages in `tx`, one statement per thousand; returns how many were new. */
  async insertMany(tx: Tx, messages: NewMessageRow[]): Promise<number> {
    let written = 0;
    for (let i = 0; i < messages.length; i += BATCH) {
      const batch = messages.slice(i, i + BATCH);
      const columns = batch.map(ROW_VALUES);
      const rows = await tx.query<{ id: string }[]>(
        `${outboxInsertSql('SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::text[], $7::text[], $8::uuid[], $9::uuid[])')} RETURNING id`,
        ROW_VALUES(batch[0]).map((_v, i) => columns.map((c) => c[i])),
      );
      written += rows.length;
    }
    return written;
  }

  /** Newest first: `limit + 1` messages (in `state`, when given) after the keyset cursor `afterSeq`. */
  page(query: { state?: OutboxState; limit: number; afterSeq: string | null }): Promise<OutboxMessage[]> {
    const qb = this.db.getRepository(OutboxMessage).createQueryBuilder('m');
    if (query.state) qb.andWhere('m.state = :state', { state: query.state });
    if (query.afterSeq !== null) qb.andWhere('m.seq < :after', { after: query.afterSeq });
    return qb
      .orderBy('m.seq', 'DESC')
      .take(query.limit + 1)
      .getMany();
  }

  /**
   * Erasure, in `tx`: messages to these addresses or numbers (lower-cased; a text's fallback address too) keep no
   * address, payload or error, and a pending one is failed (outbox.states.ts
   * `afterErasure`): it is never sent.
   */
  async forgetRecipients(tx: Tx, addresses: string[]): Promise<void> {
    await tx.query(
      `UPDATE outbox_messages SET recipient = '[erased]', fallback_recipient = NULL, payload = '{}'::jsonb, last_error = NULL,
              state = CASE WHEN state = 'pending' THEN 'failed' ELSE state END
        WHERE lower(recipient) = ANY($1::text[]) OR lower(fallback_recipient) = ANY($1::text[])`,
      [addresses],
    );
  }

  /** Is any message of the lane due now? (Cheap: the partial index of pending messages.) */
  async anyDue(lane: Lane): Promise<boolean> {
    const [due] = await this.db.query<{ due: boolean }[]>(`SELECT EXISTS (SELECT 1 FROM outbox_messages WHERE state = 'pending' AND next_attempt_at <= now() AND ${inLane(lane)}) AS due`);
    return due.due;
  }

  async countPending(lane: Lane): Promise<number> {
    const [{ n }] = await this.db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM outbox_messages WHERE state = 'pending' AND ${inLane(lane)}`);
    return n;
  }

  /**
   * Claims the next due message of the lane in `tx` (`FOR UPDATE SKIP
   * LOCKED`: another worker takes the next one), or null when none is due.
   */
  async claimNextDue(tx: Tx, lane: Lane): Promise<ClaimedMessage | null> {
    const [m] = await tx.query<ClaimedMessage[]>(
      `SELECT id, template, recipient, locale, payload, attempts, channel, organisation_id, signup_id FROM outbox_messages
        WHERE state = 'pending' AND next_attempt_at <= now() AND ${inLane(lane)}
        ORDER BY next_attempt_at, seq LIMIT 1
        FOR UPDATE SKIP LOCKED`,
    );
    return m ?? null;
  }

  /** Sent; a text with the segments it was billed as and the provider's id for it. */
  async markSent(tx: Tx, id: string, attempts: number, text?: { segments: number; providerMessageId: string | null }): Promise<void> {
    await tx.query(`UPDATE outbox_messages SET state = 'sent', attempts = $2, sent_at = now(), last_error = NULL, segments = $3, provider_message_id = $4 WHERE id = $1`, [
      id,
      attempts,
      text?.segments ?? null,
      text?.providerMessageId ?? null,
    ]);
  }

  /**
   * A text that cannot go as a text (`reason`: the budget is spent, the
   * provider is gone, the number is not valid) goes by e-mail instead, now,
   * to the address kept for that; with none, it fails.
   */
  async fallBackToEmail(tx: Tx, id: string, reason: string): Promise<void> {
    await tx.query(
      `UPDATE outbox_messages
          SET fallback_reason = $2, next_attempt_at = now(),
              channel = CASE WHEN fallback_recipient IS NULL THEN channel ELSE 'email' END,
              recipient = coalesce(fallback_recipient, recipient),
              state = CASE WHEN fallback_recipient IS NULL THEN 'failed' ELSE state END,
              last_error = CASE WHEN fallback_recipient IS NULL THEN $2 ELSE last_error END
        WHERE id = $1`,
      [id, reason],
    );
  }

  /** A text never sent (the number opted out): failed, with the reason. */
  async markRefused(tx: Tx, id: string, reason: string): Promise<void> {
    await tx.query(`UPDATE outbox_messages SET state = 'failed', last_error = $2 WHERE id = $1`, [id, reason]);
  }

  /** Opt-out, in `tx`: pending texts to the number on the channel are never sent. */
  async cancelPendingTexts(tx: Tx, phone: string, channel: TextChannel, reason: string): Promise<number> {
    const rows = await tx.query<{ id: string }[]>(`UPDATE outbox_messages SET state = 'failed', last_error = $3 WHERE state = 'pending' AND channel = $2 AND recipient = $1 RETURNING id`, [
      phone,
      channel,
      reason,
    ]);
    return rows.length;
  }

  /** A delivery receipt: the provider's status for the text it gave `providerMessageId`. Returns whether such a text is known. */
  async recordReceipt(channel: TextChannel, providerMessageId: string, status: string): Promise<boolean> {
    const rows = await this.db.query<{ id: string }[]>(`UPDATE outbox_messages SET delivery_status = $3, delivery_status_at = now() WHERE provider_message_id = $2 AND channel = $1 RETURNING id`, [
      channel,
      providerMessageId,
      status.slice(0, 40),
    ]);
    return rows.length > 0;
  }

  /** How many of an event's signups each channel reached (a notice sent), and how many texts went by e-mail for the budget. */
  async reachOfEvent(tx: Tx, eventId: string): Promise<ReachRow> {
    const [row] = await tx.query<ReachRow[]>(
      `SELECT count(DISTINCT o.signup_id) FILTER (WHERE o.state = 'sent' AND o.channel = 'email')::int AS email,
              count(DISTINCT o.signup_id) FILTER (WHERE o.state = 'sent' AND o.channel = 'sms')::int AS sms,
              count(DISTINCT o.signup_id) FILTER (WHERE o.state = 'sent' AND o.channel = 'whatsapp')::int AS whatsapp,
              count(*) FILTER (WHERE o.fallback_reason = 'text-budget-spent')::int AS budget_fallbacks
         FROM outbox_messages o JOIN event_signups s ON s.id = o.signup_id
        WHERE s.event_id = $1`,
      [eventId],
    );
    return row;
  }

  /** A failed attempt: the message's new state, the (redacted) error, and when to try again. */
  async markAttemptFailed(tx: Tx, id: string, attempt: { attempts: number; state: OutboxState; error: string; retryInSeconds: number }): Promise<void> {
    await tx.query(`UPDATE outbox_messages SET attempts = $2, state = $3, last_error = $4, next_attempt_at = now() + make_interval(secs => $5) WHERE id = $1`, [
      id,
      attempt.attempts,
      attempt.state,
      attempt.error,
      attempt.retryInSeconds,
    ]);
  }
}
