import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Fixed-window counters in PostgreSQL, so every API process shares them. */
@Entity('rate_limits')
export class RateLimitCounter {
  @PrimaryColumn({ type: 'text' })
  key: string;

  @Column({ type: 'integer' })
  count: number;

  @Column({ type: 'timestamptz' })
  resetAt: Date;
}
