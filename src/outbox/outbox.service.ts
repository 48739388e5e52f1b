import { Injectable } from '@nestjs/common';

import { decodeCursorAs, toPage, type Page } from '../common/pagination';
import type { Tx } from '../database/transactions';
import type { OutboxState } from './outbox-message.entity';
import { OutboxRepository } from './outbox.repository';
import { outboxMessageView, type OutboxMessageView } from './outbox.views';
import { hasTemplate } from './templates';

// The events module's notices write a signup's confirmation inside the statement that takes the seat (the stated exception).
export { outboxInsertSql } from './outbox.repository';

export interface NewMessage {
  template: string;
  recipient: string;
  locale?: string;
  payload: Record<string, unknown>;
  /** One message per cause: e.g. `password_reset:<token id>`, `event_reminder:<signup id>`. */
  dedupeKey: string;
}

function known(message: NewMessage): NewMessage & { locale: string } {
  if (!hasTemplate(message.template)) throw new Error(`unknown e-mail template ${message.template}`);
  return { ...message, locale: message.locale ?? 'es' };
}

@Injectable()
export class OutboxService {
  constructor(private readonly messages: OutboxRepository) {}

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

  /** Erasure: e-mails owed to these addresses are never sent, and kept only as anonymous rows. */
  async forgetRecipients(tx: Tx, addresses: string[]): Promise<void> {
    if (!addresses.length) return;
    await this.messages.forgetRecipients(
      tx,
      addresses.map((e) => e.toLowerCase()),
    );
  }
}
