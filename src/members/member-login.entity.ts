import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

import { Organisation } from '../organisations/organisation.entity';
import { User } from '../users/user.entity';
import { Member } from './member.entity';

/**
 * A login's link to one member record. A record has at most one login; a
 * login has at most one record per data controller. Made only when the
 * person followed a link e-mailed to the record's address (invitation,
 * registration, or a "link my membership" request).
 */
@Entity('member_logins')
@Index('uq_member_logins_user_controller', ['userId', 'controllerId'], { unique: true })
export class MemberLogin {
  @PrimaryColumn({ type: 'uuid' })
  memberId: string;

  @ManyToOne(() => Member, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'member_id' })
  member?: Member;

  @Column({ type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  /** The record's controller (kept here for the one-link-per-controller rule). */
  @Column({ type: 'uuid' })
  controllerId: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'controller_id' })
  controller?: Organisation;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
