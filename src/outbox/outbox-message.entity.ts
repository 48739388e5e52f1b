import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const OUTBOX_STATES = ['pending', 'sent', 'failed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];
/** Where a message goes: an e-mail address, or a phone number (E.164) by SMS or WhatsApp (issue 24). */
export const CHANNELS = ['email', 'sms', 'whatsapp'] as const;
export type Channel = (typeof CHANNELS)[number];
export type TextChannel = Exclude<Channel, 'email'>;
export const TEXT_CHANNELS: readonly TextChannel[] = ['sms', 'whatsapp'];

/**
 * A message the system owes: an e-mail, or a text (SMS, WhatsApp) to a phone number. Written in the same transaction as the change
 * that causes it; delivered by the worker. `dedupeKey` makes the same notice
 * for the same cause impossible to produce twice.
 */
@Entity('outbox_messages')
@Check('ck_outbox_messages_state', `"state" IN ('pending','sent','failed')`)
@Check('ck_outbox_messages_channel', `"channel" IN ('email','sms','whatsapp')`)
@Index('ix_outbox_messages_due', ['nextAttemptAt'], { where: `"state" = 'pending'` })
@Index('ix_outbox_messages_provider_message_id', ['providerMessageId'], { where: `"provider_message_id" IS NOT NULL` })
@Index('ix_outbox_messages_signup_id', ['signupId'], { where: `"signup_id" IS NOT NULL` })
export class OutboxMessage {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Arrival order (FIFO delivery, stable paging). */
  @Column({ type: 'bigint', generated: 'identity', generatedIdentity: 'ALWAYS', unique: true })
  seq: string;

  /** Template key, e.g. `account.password_reset`. */
  @Column({ type: 'text' })
  template: string;

  /** An e-mail address (channel email) or an E.164 phone number (sms, whatsapp). */
  @Column({ type: 'text' })
  recipient: string;

  @Column({ type: 'text', default: 'email' })
  channel: Channel;

  /** A text's e-mail address, for when it cannot go as a text (the organisation's budget is spent): then it goes there. */
  @Column({ type: 'text', nullable: true })
  fallbackRecipient: string | null;

  /** Why a text went by e-mail instead (`text-budget-spent`, `text-unavailable`). */
  @Column({ type: 'text', nullable: true })
  fallbackReason: string | null;

  /** The organisation whose monthly text budget a text is counted against (the event's host); null: none (replies to a person's own text). */
  @Column({ type: 'uuid', nullable: true })
  organisationId: string | null;

  /** The signup a notice is about: the event's reach counts (per channel) are read through it. */
  @Column({ type: 'uuid', nullable: true })
  signupId: string | null;

  /** Segments a text was billed as (GSM-7 or UCS-2; one per WhatsApp message). */
  @Column({ type: 'integer', nullable: true })
  segments: number | null;

  /** The provider's id of a sent text: its delivery receipts name it. */
  @Column({ type: 'text', nullable: true })
  providerMessageId: string | null;

  /** The last delivery receipt's status, as the provider says it (`delivered`, `read`, `failed`, …). */
  @Column({ type: 'text', nullable: true })
  deliveryStatus: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  deliveryStatusAt: Date | null;

  @Column({ type: 'text', default: 'es' })
  locale: string;

  /** What the template needs; personal data here is erased with the person. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  payload: Record<string, unknown>;

  @Column({ type: 'text', unique: true })
  dedupeKey: string;

  @Column({ type: 'text', default: 'pending' })
  state: OutboxState;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  sentAt: Date | null;
}
