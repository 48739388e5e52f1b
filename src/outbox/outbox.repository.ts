import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import type { Tx } from '../database/transactions';
import { OutboxMessage, type OutboxState } from './outbox-message.entity';

/** A message to write: template key, address, language, what the template needs, and its dedupe key. */
export interface NewMessageRow {
  template: string;
  recipient: string;
  locale: string;
  payload: Record<string, unknown>;
  dedupeKey: string;
}

/** A due message, claimed by one worker for one delivery attempt. */
export interface ClaimedMessage {
  id: string;
  template: string;
  recipient: string;
  locale: string;
  payload: Record<string, unknown>;
  attempts: number;
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
  return `INSERT INTO outbox_messages (template, recipient, locale, payload, dedupe_key) ${rows} ON CONFLICT (dedupe_key) DO NOTHING`;
}

/** Statements written at once by `insertMany`: one per thousand messages. */
const BATCH = 1000;

/** The outbox_messages table: written in the transactions of the changes that owe e-mails, read and settled by the worker. */
@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Writes one message in `tx`; false when its dedupe key was already there. */
  async insert(tx: Tx, m: NewMessageRow): Promise<boolean> {
    const rows = await tx.query<{ id: string }[]>(`${outboxInsertSql('VALUES ($1, $2, $3, $4, $5)')} RETURNING id`, [m.template, m.recipient, m.locale, JSON.stringify(m.payload), m.dedupeKey]);
    return rows.length === 1;
  }

  /** Writes many messages in `tx`, one statement per thousand; returns how many were new. */
  async insertMany(tx: Tx, messages: NewMessageRow[]): Promise<number> {
    let written = 0;
    for (let i = 0; i < messages.length; i += BATCH) {
      const batch = messages.slice(i, i + BATCH);
      const rows = await tx.query<{ id: string }[]>(`${outboxInsertSql('SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::text[])')} RETURNING id`, [
        batch.map((m) => m.template),
        batch.map((m) => m.recipient),
        batch.map((m) => m.locale),
        batch.map((m) => JSON.stringify(m.payload)),
        batch.map((m) => m.dedupeKey),
      ]);
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
   * Erasure, in `tx`: messages to these addresses (lower-cased) keep no
   * address, payload or error, and a pending one is failed (outbox.states.ts
   * `afterErasure`): it is never sent.
   */
  async forgetRecipients(tx: Tx, addresses: string[]): Promise<void> {
    await tx.query(
      `UPDATE outbox_messages SET recipient = '[erased]', payload = '{}'::jsonb, last_error = NULL,
              state = CASE WHEN state = 'pending' THEN 'failed' ELSE state END
        WHERE lower(recipient) = ANY($1::text[])`,
      [addresses],
    );
  }

  /** Is any message due now? (Cheap: the partial index of pending messages.) */
  async anyDue(): Promise<boolean> {
    const [due] = await this.db.query<{ due: boolean }[]>(`SELECT EXISTS (SELECT 1 FROM outbox_messages WHERE state = 'pending' AND next_attempt_at <= now()) AS due`);
    return due.due;
  }

  async countPending(): Promise<number> {
    const [{ n }] = await this.db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM outbox_messages WHERE state = 'pending'`);
    return n;
  }

  /**
   * Claims the next due message in `tx` (`FOR UPDATE SKIP LOCKED`: another
   * worker takes the next one), or null when none is due.
   */
  async claimNextDue(tx: Tx): Promise<ClaimedMessage | null> {
    const [m] = await tx.query<ClaimedMessage[]>(
      `SELECT id, template, recipient, locale, payload, attempts FROM outbox_messages
        WHERE state = 'pending' AND next_attempt_at <= now()
        ORDER BY next_attempt_at, seq LIMIT 1
        FOR UPDATE SKIP LOCKED`,
    );
    return m ?? null;
  }

  async markSent(tx: Tx, id: string, attempts: number): Promise<void> {
    await tx.query(`UPDATE outbox_messages SET state = 'sent', attempts = $2, sent_at = now(), last_error = NULL WHERE id = $1`, [id, attempts]);
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
