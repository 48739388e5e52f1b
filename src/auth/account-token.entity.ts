import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';

import { User } from '../users/user.entity';

export const ACCOUNT_TOKEN_PURPOSES = ['password_reset', 'invitation', 'registration', 'email_verification', 'member_link'] as const;
export type AccountTokenPurpose = (typeof ACCOUNT_TOKEN_PURPOSES)[number];

/**
 * Single-use, expiring tokens sent by e-mail (reset, invitation,
 * registration, address verification). Only a SHA-256 hash is stored, so a
 * database leak gives nobody a working link.
 */
@Entity('account_tokens')
@Check('ck_account_tokens_purpose', `"purpose" IN ('password_reset','invitation','registration','email_verification','member_link')`)
export class AccountToken {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  purpose: AccountTokenPurpose;

  @Column({ type: 'text', unique: true })
  tokenHash: string;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  userId: string | null;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  memberId: string | null;

  /** The address the link was sent to: the token proves control of this address only. */
  @Column({ type: 'citext', nullable: true })
  email: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  usedAt: Date | null;
}
