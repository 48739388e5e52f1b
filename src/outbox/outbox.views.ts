import { ApiProperty, ApiSchema } from '@nestjs/swagger';

import { PageOf } from '../common/pagination';
import { OUTBOX_STATES, type OutboxMessage, type OutboxState } from './outbox-message.entity';

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

/** An e-mail owed, with its recipient masked and no body. */
@ApiSchema({ name: 'OutboxMessageView' })
export class OutboxMessageViewSchema implements OutboxMessageView {
  @ApiProperty() id: string;
  @ApiProperty() template: string;
  @ApiProperty({ description: 'Masked' }) recipient: string;
  @ApiProperty() locale: string;
  @ApiProperty({ enum: OUTBOX_STATES }) state: OutboxState;
  @ApiProperty() attempts: number;
  @ApiProperty() nextAttemptAt: Date;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty({ nullable: true, type: Date }) sentAt: Date | null;
}

export const OutboxMessagePage = PageOf(OutboxMessageViewSchema, 'OutboxMessagePage');

export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '***';
  return `${address[0]}***@${address.slice(at + 1)}`;
}

export function outboxMessageView(m: OutboxMessage): OutboxMessageView {
  return {
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
  };
}
