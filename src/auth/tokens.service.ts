import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';

import type { AuthUser } from '../access/caller';
import { UUID_PATTERN } from '../common/dto-fields';
import { sha256Hex } from '../common/hash';
import { unauthorized } from '../common/problem';
import { Transactions, type Tx } from '../database/transactions';
import type { TokenPair } from './auth.views';
import { SessionsRepository } from './sessions.repository';

export const ACCESS_TOKEN_SECONDS = 15 * 60;
export const REFRESH_TOKEN_DAYS = 30;
/** A client that lost the answer to a refresh may retry with the same token this long. */
export const REFRESH_GRACE_SECONDS = 20;
export const JWT_AUDIENCE = 'convoca-api';
/** The pages' cookie session: its own audience, so a cookie is never a Bearer token nor the reverse. */
export const PAGES_AUDIENCE = 'convoca-pages';
export const BROWSER_SESSION_SECONDS = 12 * 3600;
export const JWT_ISSUER = 'convoca';

@Injectable()
export class TokensService {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly transactions: Transactions,
    private readonly jwt: JwtService,
  ) {}

  /** A new session (login) with its first pair of tokens. */
  async startSession(userId: string, tx: Tx = this.transactions.auto): Promise<TokenPair> {
    const sessionId = await this.sessions.insertSession(tx, userId);
    return this.issue(tx, userId, sessionId);
  }

  private async issue(tx: Tx, userId: string, sessionId: string): Promise<TokenPair> {
    const refreshToken = randomBytes(32).toString('base64url');
    await this.sessions.insertRefreshToken(tx, {
      sessionId,
      tokenHash: sha256Hex(refreshToken),
      expiresAt: new Date(Date.now() + REFRESH_TOKEN_DAYS * 86_400_000),
    });
    const accessToken = await this.jwt.signAsync({ sid: sessionId }, { subject: userId, expiresIn: ACCESS_TOKEN_SECONDS, audience: JWT_AUDIENCE, issuer: JWT_ISSUER, algorithm: 'HS256' });
    return { accessToken, refreshToken, expiresIn: ACCESS_TOKEN_SECONDS, tokenType: 'Bearer' };
  }

  /**
   * A new session for the pages (log in on a page): no refresh token, one
   * signed value for an `HttpOnly` cookie that names the session, so logout,
   * a password change or a disabled account ends it at once, as for the API.
   */
  async startBrowserSession(userId: string): Promise<string> {
    const sessionId = await this.sessions.insertSession(this.transactions.auto, userId);
    return this.jwt.signAsync({ sid: sessionId }, { subject: userId, expiresIn: BROWSER_SESSION_SECONDS, audience: PAGES_AUDIENCE, issuer: JWT_ISSUER, algorithm: 'HS256' });
  }

  /** The user behind a pages cookie, or null (forged, expired, revoked, disabled, or not a pages cookie). */
  async browserSessionUser(cookie: string): Promise<AuthUser | null> {
    let payload: { sub?: unknown; sid?: unknown };
    try {
      payload = await this.jwt.verifyAsync(cookie, { audience: PAGES_AUDIENCE, issuer: JWT_ISSUER, algorithms: ['HS256'] });
    } catch {
      return null;
    }
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || !UUID_PATTERN.test(payload.sub) || !UUID_PATTERN.test(payload.sid)) return null;
    return this.sessions.loadAuthUser(payload.sub, payload.sid);
  }

  /**
   * Exchanges a refresh token for a new pair; the old one dies. Presenting a
   * token that was already exchanged means it was copied: the whole session
   * (token family) is revoked — unless it is a retry within a few seconds of
   * the exchange, which a client that lost the response legitimately makes.
   */
  async rotate(refreshToken: string): Promise<TokenPair> {
    const outcome = await this.transactions.run(async (tx) => {
      const token = await this.sessions.lockRefreshToken(tx, sha256Hex(refreshToken));
      if (!token) return { error: 'unknown' as const };
      const session = await this.sessions.lockSession(tx, token.sessionId);
      if (!session || session.revokedAt || session.userDisabledAt) return { error: 'revoked' as const };
      if (token.expiresAt.getTime() <= Date.now()) return { error: 'expired' as const };
      if (token.rotatedAt) {
        const age = (Date.now() - token.rotatedAt.getTime()) / 1000;
        if (age > REFRESH_GRACE_SECONDS) {
          await this.sessions.close(tx, token.sessionId, 'refresh-token-reuse');
          return { error: 'reused' as const };
        }
      } else {
        await this.sessions.markRotated(tx, token.id);
      }
      return { pair: await this.issue(tx, session.userId, token.sessionId) };
    });
    if ('error' in outcome) {
      throw unauthorized(outcome.error === 'reused' ? 'This refresh token was already used; the session has been closed. Log in again.' : 'The refresh token is not valid.');
    }
    return outcome.pair;
  }

  /** Logout: the session of this refresh token, and every token of it, dies. */
  async revokeByRefreshToken(refreshToken: string, userId: string): Promise<void> {
    await this.sessions.closeByRefreshToken(sha256Hex(refreshToken), userId);
  }

  async revokeSession(userId: string, sessionId: string, reason: string): Promise<void> {
    await this.sessions.closeOpen(userId, sessionId, reason);
  }

  async revokeAllSessions(tx: Tx, userId: string, reason: string, exceptSessionId?: string): Promise<void> {
    await this.sessions.closeAllOpen(tx, userId, reason, exceptSessionId ?? null);
  }

  /** The user behind a verified access token (with their linked records and roles), or null when it must not be honoured. */
  loadAuthUser(userId: string, sessionId: string): Promise<AuthUser | null> {
    return this.sessions.loadAuthUser(userId, sessionId);
  }
}
