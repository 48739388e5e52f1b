import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';

import { WebhookEndpoint } from './webhook-endpoint.entity';

export const DELIVERY_STATES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/**
 * One event owed to one endpoint: written in the transaction of the change
 * that causes it (no change, no delivery), sent by the worker (claimed with
 * FOR UPDATE SKIP LOCKED, so several processes send each once), retried
 * with exponential backoff. Its id is the `webhook-id` header, the same on
 * every attempt and on a replay. Also the endpoint's delivery log.
 */
@Entity('webhook_deliveries')
@Check('ck_webhook_deliveries_state', `"state" IN ('pending','delivered','failed')`)
@Index('ix_webhook_deliveries_due', ['nextAttemptAt'], { where: `"state" = 'pending'` })
@Index('ix_webhook_deliveries_endpoint_seq', ['endpointId', 'seq'])
export class WebhookDelivery {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Arrival order (delivery order, stable paging). */
  @Column({ type: 'bigint', generated: 'identity', generatedIdentity: 'ALWAYS', unique: true })
  seq: string;

  @Column({ type: 'uuid' })
  endpointId: string;

  @ManyToOne(() => WebhookEndpoint, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'endpoint_id' })
  endpoint?: WebhookEndpoint;

  @Column({ type: 'text' })
  eventType: string;

  /** The body sent: `{type, timestamp, data}`, ids and non-personal fields only. */
  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Column({ type: 'text', default: 'pending' })
  state: DeliveryState;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  /** When it was queued, or queued again by a replay: retries stop a day after this. */
  @Column({ type: 'timestamptz', default: () => 'now()' })
  queuedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastAttemptAt: Date | null;

  @Column({ type: 'integer', nullable: true })
  lastStatusCode: number | null;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
