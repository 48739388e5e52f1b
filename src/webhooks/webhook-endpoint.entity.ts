import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

import { Coalition } from '../coalitions/coalition.entity';
import { Organisation } from '../organisations/organisation.entity';

/**
 * A webhook endpoint (issue 22): a URL that receives, signed, the events it
 * subscribes to that belong to its organisation (or a descendant) or its
 * coalition. Exactly one of the two owns it. The secret signs (Standard
 * Webhooks); it is shown once, at registration and at each rotation, and is
 * kept here as it must be to sign. After a rotation the previous secret
 * signs alongside the new one until `previousSecretExpiresAt`.
 */
@Entity('webhook_endpoints')
@Check('ck_webhook_endpoints_owner', `("organisation_id" IS NULL) <> ("coalition_id" IS NULL)`)
@Check('ck_webhook_endpoints_disabled_reason', `"disabled_reason" IS NULL OR "disabled_reason" IN ('failing','manual')`)
export class WebhookEndpoint {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  organisationId: string | null;

  @ManyToOne(() => Organisation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  coalitionId: string | null;

  @ManyToOne(() => Coalition, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'coalition_id' })
  coalition?: Coalition;

  @Column({ type: 'text' })
  url: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** The event types it receives (webhook-events.ts). */
  @Column({ type: 'text', array: true })
  events: string[];

  @Column({ type: 'text', select: false })
  secret: string;

  @Column({ type: 'text', nullable: true, select: false })
  previousSecret: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  previousSecretExpiresAt: Date | null;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  disabledAt: Date | null;

  /** `failing`: disabled by the worker after a day of failed attempts; `manual`: by a person. */
  @Column({ type: 'text', nullable: true })
  disabledReason: string | null;

  /** Since when every attempt has failed (null: the last one succeeded, or none was made). */
  @Column({ type: 'timestamptz', nullable: true })
  failingSince: Date | null;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
