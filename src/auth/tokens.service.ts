import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { unauthorized } from '../common/problem';
import { AuthSession } from './auth-session.entity';
import { RefreshToken } from './refresh-token.entity';

export const ACCESS_TOKEN_SECONDS = 15 * 60;
export const REFRESH_TOKEN_DAYS = 30;
/** A client that lost the answer to a refresh may retry with the same token this long. */
export const REFRESH_GRACE_SECONDS = 20;
export const JWT_AUDIENCE = 'convoca-api';
export const JWT_ISSUER = 'convoca';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: 'Bearer';
}

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

@Injectable()
export class TokensService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly jwt: JwtService,
  ) {}

  /** A new session (login) with its first pair of tokens. */
  async startSession(userId: string, em: EntityManager = this.db.manager): Promise<TokenPair> {
    const session = await em.save(AuthSession, em.create(AuthSession, { userId }));
    return this.issue(em, userId, session.id);
  }

  private async issue(em: EntityManager, userId: string, sessionId: string): Promise<TokenPair> {
    const refreshToken = randomBytes(32).toString('base64url');
    await em.insert(RefreshToken, {
      sessionId,
      tokenHash: sha256(refreshToken),
      expiresAt: new Date(Date.now() + REFRESH_TOKEN_DAYS * 86_400_000),
    });
    const accessToken = await this.jwt.signAsync({ sid: sessionId }, { subject: userId, expiresIn: ACCESS_TOKEN_SECONDS, audience: JWT_AUDIENCE, issuer: JWT_ISSUER, algorithm: 'HS256' });
    return { accessToken, refreshToken, expiresIn: ACCESS_TOKEN_SECONDS, tokenType: 'Bearer' };
  }

  /**
   * Exchanges a refresh token for a new pair; the old one dies. Presenting a
   * token that was already exchanged means it was copied: the whole session
   * (token family) is revoked — unless it is a retry within a few seconds of
   * the exchange, which a client that lost the response legitimately makes.
   */
  async rotate(refreshToken: string): Promise<TokenPair> {
    const outcome = await this.db.transaction(async (em) => {
      const token = await em.findOne(RefreshToken, { where: { tokenHash: sha256(refreshToken) }, lock: { mode: 'pessimistic_write' } });
      if (!token) return { error: 'unknown' as const };
      const [session] = await em.query<{ user_id: string; revoked_at: Date | null; disabled_at: Date | null }[]>(
        'SELECT s.user_id, s.revoked_at, u.disabled_at FROM auth_sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1 FOR UPDATE OF s',
        [token.sessionId],
      );
      if (!session || session.revoked_at || session.disabled_at) return { error: 'revoked' as const };
      if (token.expiresAt.getTime() <= Date.now()) return { error: 'expired' as const };
      if (token.rotatedAt) {
        const age = (Date.now() - token.rotatedAt.getTime()) / 1000;
        if (age > REFRESH_GRACE_SECONDS) {
          await em.update(AuthSession, { id: token.sessionId }, { revokedAt: new Date(), revokedReason: 'refresh-token-reuse' });
          return { error: 'reused' as const };
        }
      } else {
        await em.update(RefreshToken, { id: token.id }, { rotatedAt: new Date() });
      }
      return { pair: await this.issue(em, session.user_id, token.sessionId) };
    });
    if ('error' in outcome) {
      throw unauthorized(outcome.error === 'reused' ? 'This refresh token was already used; the session has been closed. Log in again.' : 'The refresh token is not valid.');
    }
    return outcome.pair;
  }

  /** Logout: the session of this refresh token, and every token of it, dies. */
  async revokeByRefreshToken(refreshToken: string, userId: string): Promise<void> {
    await this.db.query(
      `UPDATE auth_sessions s SET revoked_at = now(), revoked_reason = 'logout'
        FROM refresh_tokens t
       WHERE t.token_hash = $1 AND t.session_id = s.id AND s.user_id = $2 AND s.revoked_at IS NULL`,
      [sha256(refreshToken), userId],
    );
  }

  async revokeSession(userId: string, sessionId: string, reason: string): Promise<void> {
    await this.db.query('UPDATE auth_sessions SET revoked_at = now(), revoked_reason = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL', [sessionId, userId, reason]);
  }

  async revokeAllSessions(em: EntityManager, userId: string, reason: string, exceptSessionId?: string): Promise<void> {
    await em.query(
      `UPDATE auth_sessions SET revoked_at = now(), revoked_reason = $2 WHERE user_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR id <> $3::uuid)`,
      [userId, reason, exceptSessionId ?? null],
    );
  }
}
