import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import { returningRows } from '../common/sql';
import type { Tx } from '../database/transactions';
import { User } from './user.entity';
import type { LinkedMember } from './users.views';

/** The fields a new login is written with. */
export interface NewUser {
  email: string;
  passwordHash: string;
  isPlatformAdmin?: boolean;
  emailConfirmedAt: Date | null;
}

/** The users table (logins), and the reads of the member records linked to a login. */
@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Serialises the creation of the first platform admin, until `tx` ends (several processes may boot at once). */
  async lockFirstAdmin(tx: Tx): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock(7244310052)');
  }

  countPlatformAdmins(tx: Tx): Promise<number> {
    return tx.count(User, { where: { isPlatformAdmin: true } });
  }

  findByEmail(tx: Tx, email: string): Promise<User | null> {
    return tx.findOne(User, { where: { email } });
  }

  existsWithEmail(tx: Tx, email: string): Promise<boolean> {
    return tx.exists(User, { where: { email } });
  }

  findById(tx: Tx, id: string): Promise<User | null> {
    return tx.findOne(User, { where: { id } });
  }

  /** The login locked until `tx` ends. */
  lockById(tx: Tx, id: string): Promise<User | null> {
    return tx.findOne(User, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** The login of an address with its password hash, locked until `tx` ends. */
  lockByEmailWithHash(tx: Tx, email: string): Promise<User | null> {
    return tx.getRepository(User).createQueryBuilder('u').addSelect('u.passwordHash').where('u.email = :email', { email }).setLock('pessimistic_write').getOne();
  }

  insert(tx: Tx, user: NewUser): Promise<User> {
    return tx.save(User, tx.create(User, { ...user, isPlatformAdmin: user.isPlatformAdmin ?? false }));
  }

  /** `limit + 1` logins by address, after the keyset cursor `afterEmail`. */
  page(limit: number, afterEmail: string | null): Promise<User[]> {
    const qb = this.db.getRepository(User).createQueryBuilder('u');
    if (afterEmail !== null) qb.where('u.email > :after', { after: afterEmail });
    return qb
      .orderBy('u.email', 'ASC')
      .take(limit + 1)
      .getMany();
  }

  /** With the password hash, for login only. */
  findForLogin(email: string): Promise<User | null> {
    return this.db.getRepository(User).createQueryBuilder('u').addSelect('u.passwordHash').where('u.email = :email', { email }).getOne();
  }

  findWithHash(id: string): Promise<User | null> {
    return this.db.getRepository(User).createQueryBuilder('u').addSelect('u.passwordHash').where('u.id = :id', { id }).getOne();
  }

  async setPasswordHash(tx: Tx, id: string, passwordHash: string): Promise<void> {
    await tx.update(User, { id }, { passwordHash });
  }

  /** A new password set by the owner of the address, which counts as confirmed from now on; returns the address. */
  async setOwnersPassword(tx: Tx, id: string, passwordHash: string): Promise<string> {
    const [user] = await returningRows<{ email: string }>(
      tx,
      'UPDATE users SET password_hash = $2, email_confirmed_at = coalesce(email_confirmed_at, now()), updated_at = now() WHERE id = $1 RETURNING email',
      [id, passwordHash],
    );
    return user.email;
  }

  async setLastLogin(id: string): Promise<void> {
    await this.db.getRepository(User).update({ id }, { lastLoginAt: new Date() });
  }

  /** Erasure: the address is replaced and the login can no longer be used. */
  async close(tx: Tx, id: string): Promise<void> {
    await tx.query(`UPDATE users SET email = 'erased-' || id || '@invalid', password_hash = '!erased', disabled_at = now(), updated_at = now() WHERE id = $1`, [id]);
  }

  /** The member records linked to a login (member_logins), oldest link first. */
  linkedMembers(userId: string): Promise<LinkedMember[]> {
    return this.db.query<LinkedMember[]>('SELECT member_id AS id, controller_id AS "controllerId" FROM member_logins WHERE user_id = $1 ORDER BY created_at, member_id', [userId]);
  }

  /** The preferred language of the login's first linked member record, if any. */
  async firstLinkedLanguage(tx: Tx, userId: string): Promise<string | null> {
    const [row] = await tx.query<{ locale: string | null }[]>(
      'SELECT m.preferred_language AS locale FROM member_logins l JOIN members m ON m.id = l.member_id WHERE l.user_id = $1 ORDER BY l.created_at, l.member_id LIMIT 1',
      [userId],
    );
    return row?.locale ?? null;
  }
}
