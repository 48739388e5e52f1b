import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const OUTBOX_STATES = ['pending', 'sent', 'failed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

/**
 * An e-mail the system owes. Written in the same transaction as the change
 * that causes it; delivered by the worker. `dedupeKey` makes the same notice
 * for the same cause impossible to produce twice.
 */
@Entity('outbox_messages')
@Check('ck_outbox_messages_state', `"state" IN ('pending','sent','failed')`)
@Index('ix_outbox_messages_due', ['nextAttemptAt'], { where: `"state" = 'pending'` })
export class OutboxMessage {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Arrival order (FIFO delivery, stable paging). */
  @Column({ type: 'bigint', generated: 'identity', generatedIdentity: 'ALWAYS', unique: true })
  seq: string;

  /** Template key, e.g. `account.password_reset`. */
  @Column({ type: 'text' })
  template: string;

  @Column({ type: 'text' })
  recipient: string;

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
