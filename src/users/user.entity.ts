import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * A login. It may be linked to member records in any number of data
 * controllers (`member_logins`), each link made through a message the
 * person received at that record's address.
 */
@Entity('users')
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** citext: one account per address whatever its case. */
  @Column({ type: 'citext', unique: true })
  email: string;

  /** argon2id, encoded with its parameters. Never leaves the server. */
  @Column({ type: 'text', select: false })
  passwordHash: string;

  @Column({ type: 'boolean', default: false })
  isPlatformAdmin: boolean;

  /**
   * When the owner of the address proved it (an e-mailed link followed, or
   * an operator's own login). A login never confirmed never blocks the
   * address's owner from registering, accepting an invitation or resetting.
   */
  @Column({ type: 'timestamptz', nullable: true })
  emailConfirmedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  disabledAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastLoginAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
