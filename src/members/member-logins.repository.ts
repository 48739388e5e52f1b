import { Injectable } from '@nestjs/common';

import type { Tx } from '../database/transactions';
import type { PreferredLanguage } from './member.entity';

/**
 * Member records `m` a login (id at `user`) may be linked to through a link
 * mailed to `email`: held with that address, not erased, not linked yet, in a
 * data controller where the login has no record yet.
 */
const linkableSql = (user: string, email: string): string =>
  `m.email = ${email}::citext AND m.erased_at IS NULL
   AND NOT EXISTS (SELECT 1 FROM member_logins l WHERE l.member_id = m.id)
   AND NOT EXISTS (SELECT 1 FROM member_logins l WHERE l.user_id = ${user} AND l.controller_id = m.controller_id)`;

/** The login linked to a record, and whether anything else is left on it (another record, a role, platform admin). */
export interface LinkedLogin {
  id: string;
  email: string;
  keep: boolean;
}

/** The table `member_logins`: which login holds which member record. */
@Injectable()
export class MemberLoginsRepository {
  async isLinked(tx: Tx, memberId: string): Promise<boolean> {
    const [linked] = await tx.query<unknown[]>('SELECT 1 FROM member_logins WHERE member_id = $1', [memberId]);
    return !!linked;
  }

  /**
   * The login linked to this record, if any, locked. It may be linked to
   * records of other data controllers too, and hold roles (`keep`).
   */
  async linkedLogin(tx: Tx, memberId: string): Promise<LinkedLogin | null> {
    const [linked] = await tx.query<LinkedLogin[]>(
      `SELECT u.id, u.email,
              (u.is_platform_admin OR EXISTS (SELECT 1 FROM role_assignments r WHERE r.user_id = u.id)
                OR EXISTS (SELECT 1 FROM member_logins o WHERE o.user_id = u.id AND o.member_id <> $1)) AS keep
         FROM member_logins l JOIN users u ON u.id = l.user_id WHERE l.member_id = $1 FOR UPDATE OF u`,
      [memberId],
    );
    return linked ?? null;
  }

  async unlink(tx: Tx, memberId: string): Promise<void> {
    await tx.query('DELETE FROM member_logins WHERE member_id = $1', [memberId]);
  }

  /** The preferred language of one record the login may be linked to through `email`, or null when there is none. */
  async linkableLanguage(tx: Tx, userId: string, email: string): Promise<PreferredLanguage | null> {
    const [record] = await tx.query<{ preferred_language: PreferredLanguage }[]>(`SELECT m.preferred_language FROM members m WHERE ${linkableSql('$1', '$2')} LIMIT 1`, [userId, email]);
    return record?.preferred_language ?? null;
  }

  /**
   * Links to the login the records it may be linked to through `email`
   * (only `only`, when given), at most one per data controller (the oldest);
   * the linked records count as verified.
   */
  async link(tx: Tx, userId: string, email: string, only: string[] | null): Promise<{ memberId: string; controllerId: string }[]> {
    const linked = await tx.query<{ member_id: string; controller_id: string }[]>(
      `WITH candidates AS (
         SELECT DISTINCT ON (m.controller_id) m.id, m.controller_id FROM members m
          WHERE ${linkableSql('$1', '$2')} AND ($3::uuid[] IS NULL OR m.id = ANY($3::uuid[]))
          ORDER BY m.controller_id, m.created_at, m.id
       )
       INSERT INTO member_logins (member_id, user_id, controller_id)
       SELECT id, $1, controller_id FROM candidates ORDER BY id
       ON CONFLICT DO NOTHING
       RETURNING member_id, controller_id`,
      [userId, email, only],
    );
    if (linked.length) {
      await tx.query('UPDATE members SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = ANY($1::uuid[])', [linked.map((l) => l.member_id)]);
    }
    return linked.map((l) => ({ memberId: l.member_id, controllerId: l.controller_id }));
  }
}
