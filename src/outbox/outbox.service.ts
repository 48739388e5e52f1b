import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { decodeCursor, type Page, toPage } from '../common/pagination';
import { OutboxMessage, type OutboxState } from './outbox-message.entity';
import { hasTemplate } from './templates';

export interface NewMessage {
  template: string;
  recipient: string;
  locale?: string;
  payload: Record<string, unknown>;
  /** One message per cause: e.g. `password_reset:<token id>`, `event_reminder:<signup id>`. */
  dedupeKey: string;
}

/** What an operator may see of a message: never its body or the full address. */
export interface OutboxMessageView {
  id: string;
  template: string;
  recipient: string;
  locale: string;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '***';
  return `${address[0]}***@${address.slice(at + 1)}`;
}

/**
 * The INSERT of messages given by `rows` (VALUES or a SELECT of template,
 * recipient, locale, payload, dedupe key), a dedupe key already present
 * skipped — for `enqueue`, and for a statement that writes its messages
 * itself (a signup's confirmation, in the statement that takes the seat).
 */
export function outboxInsertSql(rows: string): string {
  return `INSERT INTO outbox_messages (template, recipient, locale, payload, dedupe_key) ${rows} ON CONFLICT (dedupe_key) DO NOTHING`;
}

@Injectable()
export class OutboxService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Writes a message inside the caller's transaction `em`: it exists if and
   * only if the change that causes it commits. A second message with the
   * same dedupe key is silently not written. Returns whether it was new.
   */
  async enqueue(em: EntityManager, message: NewMessage): Promise<boolean> {
    if (!hasTemplate(message.template)) throw new Error(`unknown e-mail template ${message.template}`);
    const rows = await em.query<{ id: string }[]>(
      `${outboxInsertSql('VALUES ($1, $2, $3, $4, $5)')} RETURNING id`,
      [message.template, message.recipient, message.locale ?? 'es', JSON.stringify(message.payload), message.dedupeKey],
    );
    return rows.length === 1;
  }

  /**
   * `enqueue` for many messages at once (one statement per thousand), for
   * notices to everyone signed up to an event. Same guarantees: inside `em`'s
   * transaction, a dedupe key already present is silently skipped. Returns
   * how many were new.
   */
  async enqueueMany(em: EntityManager, messages: NewMessage[]): Promise<number> {
    for (const m of messages) if (!hasTemplate(m.template)) throw new Error(`unknown e-mail template ${m.template}`);
    let written = 0;
    for (let i = 0; i < messages.length; i += 1000) {
      const batch = messages.slice(i, i + 1000);
      const rows = await em.query<{ id: string }[]>(
        `${outboxInsertSql('SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::text[])')} RETURNING id`,
        [batch.map((m) => m.template), batch.map((m) => m.recipient), batch.map((m) => m.locale ?? 'es'), batch.map((m) => JSON.stringify(m.payload)), batch.map((m) => m.dedupeKey)],
      );
      written += rows.length;
    }
    return written;
  }

  async list(query: { state?: OutboxState; limit: number; cursor?: string }): Promise<Page<OutboxMessageView>> {
    const qb = this.db.getRepository(OutboxMessage).createQueryBuilder('m');
    if (query.state) qb.andWhere('m.state = :state', { state: query.state });
    const after = decodeCursor<[string]>(query.cursor);
    if (after) qb.andWhere('m.seq < :after', { after: after[0] });
    const rows = await qb.orderBy('m.seq', 'DESC').take(query.limit + 1).getMany();
    return toPage(rows, query.limit, (m) => [m.seq], (m): OutboxMessageView => ({
      id: m.id,
      template: m.template,
      recipient: maskAddress(m.recipient),
      locale: m.locale,
      state: m.state,
      attempts: m.attempts,
      nextAttemptAt: m.nextAttemptAt,
      lastError: m.lastError,
      createdAt: m.createdAt,
      sentAt: m.sentAt,
    }));
  }

  /** Erasure: e-mails owed to these addresses are never sent, and kept only as anonymous rows. */
  async forgetRecipients(tx: EntityManager, addresses: string[]): Promise<void> {
    if (!addresses.length) return;
    await tx.query(
      `UPDATE outbox_messages SET recipient = '[erased]', payload = '{}'::jsonb, last_error = NULL,
              state = CASE WHEN state = 'pending' THEN 'failed' ELSE state END
        WHERE lower(recipient) = ANY($1::text[])`,
      [addresses.map((e) => e.toLowerCase())],
    );
  }
}
