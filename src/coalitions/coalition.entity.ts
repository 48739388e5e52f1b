import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const COALITION_STATUSES = ['forming', 'active', 'dissolved'] as const;
export type CoalitionStatus = (typeof COALITION_STATUSES)[number];

@Entity('coalitions')
@Check('ck_coalitions_status', `"status" IN ('forming','active','dissolved')`)
export class Coalition {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text', unique: true })
  slug: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'date', nullable: true })
  foundedOn: string | null;

  @Column({ type: 'text', default: 'forming' })
  status: CoalitionStatus;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
