import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

import { Organisation } from '../organisations/organisation.entity';

/**
 * Text segments an organisation's events have used in a calendar month (UTC,
 * `month` its first day): taken by the worker before it sends, with a
 * conditional upsert, so two workers never spend past the budget (issue 24).
 */
@Entity('text_segment_usage')
export class TextSegmentUsage {
  @PrimaryColumn({ type: 'uuid' })
  organisationId: string;

  @ManyToOne(() => Organisation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  @PrimaryColumn({ type: 'date' })
  month: string;

  @Column({ type: 'integer', default: 0 })
  segments: number;
}
