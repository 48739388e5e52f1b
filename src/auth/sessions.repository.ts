import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import { roleGrantsSql, type AuthUser, type RoleGrant } from '../access/caller';
import { preparedQuery } from '../common/sql';
import type { Tx } from '../database/transactions';
import { AuthSession } from './auth-session.entity';
import { RefreshToken } from './refresh-token.entity';

/** A session as a refresh reads it: its login, and whether either was closed. */
export interface SessionState {
  userId: string;
  revokedAt: Date | null;
  userDisabledAt: Date | null;
}

/** The auth_sessions and refresh_tokens tables: logins on devices and their token families. */
@Injectable()
export class SessionsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A new session of the login; returns its id. */
  async insertSession(tx: Tx, userId: string): Promise<string> {
    const session = await tx.save(AuthSession, tx.create(AuthSession, { userId }));
    return session.id;
  }

  async insertRefreshToken(tx: Tx, token: { sessionId: string; tokenHash: string; expiresAt: Date }): Promise<void> {
    await tx.insert(RefreshToken, token);
  }

  /** The refresh token with this hash, locked until `tx` ends. */
  lockRefreshToken(tx: Tx, tokenHash: string): Promise<RefreshToken | null> {
    return tx.findOne(RefreshToken, { where: { tokenHash }, lock: { mode: 'pessimistic_write' } });
  }

  /** The session, locked until `tx` ends, with whether its login is disabled. */
  async lockSession(tx: Tx, sessionId: string): Promise<SessionState | null> {
    const [row] = await tx.query<{ user_id: string; revoked_at: Date | null; disabled_at: Date | null }[]>(
      'SELECT s.user_id, s.revoked_at, u.disabled_at FROM auth_sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1 FOR UPDATE OF s',
      [sessionId],
    );
    return row ? { userId: row.user_id, revokedAt: row.revoked_at, userDisabledAt: row.disabled_at } : null;
  }

  async markRotated(tx: Tx, refreshTokenId: string): Promise<void> {
    await tx.update(RefreshToken, { id: refreshTokenId }, { rotatedAt: new Date() });
  }

  /** Closes a session found open or closed (the reuse of a refresh token). */
  async close(tx: Tx, sessionId: string, reason: string): Promise<void> {
    await tx.update(AuthSession, { id: sessionId }, { revokedAt: new Date(), revokedReason: reason });
  }

  /** Logout: closes the open session of this refresh token, if it is the login's. */
  async closeByRefreshToken(tokenHash: string, userId: string): Promise<void> {
    await this.db.query(
      `UPDATE auth_sessions s SET revoked_at = now(), revoked_reason = 'logout'
        FROM refresh_tokens t
       WHERE t.token_hash = $1 AND t.session_id = s.id AND s.user_id = $2 AND s.revoked_at IS NULL`,
      [tokenHash, userId],
    );
  }

  /** Closes the login's session if it is open. */
  async closeOpen(userId: string, sessionId: string, reason: string): Promise<void> {
    await this.db.query('UPDATE auth_sessions SET revoked_at = now(), revoked_reason = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL', [sessionId, userId, reason]);
  }

  /** Closes every open session of the login, in `tx` (but `exceptSessionId`'s). */
  async closeAllOpen(tx: Tx, userId: string, reason: string, exceptSessionId: string | null): Promise<void> {
    await tx.query(`UPDATE auth_sessions SET revoked_at = now(), revoked_reason = $2 WHERE user_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR id <> $3::uuid)`, [
      userId,
      reason,
      exceptSessionId,
    ]);
  }

  /**
   * The login behind an open session, with its linked member records
   * (oldest link first) and its roles (RoleGrant, oldest first); null when
   * the session is closed or the login disabled. One round trip, for every
   * authenticated request: a read that joins the users, member_logins and
   * role_assignments tables for that one purpose.
   */
  async loadAuthUser(userId: string, sessionId: string): Promise<AuthUser | null> {
    // Prepared (common/sql.ts): every authenticated request runs it; all by key, so one plan serves.
    const [row] = await preparedQuery<{ id: string; email: string; is_platform_admin: boolean; member_ids: string[]; roles: RoleGrant[] }>(
      this.db.manager,
      `SELECT u.id, u.email, u.is_platform_admin,
              (SELECT coalesce(array_agg(l.member_id::text ORDER BY l.created_at, l.member_id), '{}') FROM member_logins l WHERE l.user_id = u.id) AS member_ids,
              ${roleGrantsSql('u.id')} AS roles
         FROM users u JOIN auth_sessions s ON s.user_id = u.id
        WHERE u.id = $1 AND s.id = $2 AND s.revoked_at IS NULL AND u.disabled_at IS NULL`,
      [userId, sessionId],
    );
    if (!row) return null;
    return { id: row.id, email: row.email, isPlatformAdmin: row.is_platform_admin, memberIds: row.member_ids, sessionId, roles: row.roles };
  }
}
