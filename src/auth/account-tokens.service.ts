import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { badRequest } from '../common/problem';
import { AccountToken, type AccountTokenPurpose } from './account-token.entity';

export const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/** Every token failure gets this one answer: unknown, expired, used, or someone else's. */
export const invalidToken = () =>
  badRequest('invalid-token', 'This link is invalid, expired or already used. Ask for a new one.', [{ field: 'token', message: 'token is invalid, expired or already used' }]);

@Injectable()
export class AccountTokensService {
  /** Creates a token; returns the secret (for the e-mail) and the row id (for the dedupe key). */
  async issue(em: EntityManager, purpose: AccountTokenPurpose, ttlSeconds: number, subject: { userId?: string; memberId?: string; email?: string }): Promise<{ id: string; token: string }> {
    const token = randomBytes(32).toString('base64url');
    const row = await em.save(AccountToken, em.create(AccountToken, {
      purpose,
      tokenHash: sha256(token),
      userId: subject.userId ?? null,
      memberId: subject.memberId ?? null,
      email: subject.email ?? null,
      expiresAt: new Date(Date.now() + ttlSeconds * 1000),
    }));
    return { id: row.id, token };
  }

  /**
   * Uses a token up inside `em`'s transaction: the row is locked, so two
   * concurrent uses cannot both succeed. Every failure gets the same 400.
   */
  async consume(em: EntityManager, purposes: AccountTokenPurpose[], token: string): Promise<AccountToken> {
    const row = await em.findOne(AccountToken, { where: { tokenHash: sha256(token) }, lock: { mode: 'pessimistic_write' } });
    if (!row || !purposes.includes(row.purpose) || row.usedAt || row.expiresAt.getTime() <= Date.now()) {
      throw invalidToken();
    }
    await em.update(AccountToken, { id: row.id }, { usedAt: new Date() });
    return row;
  }

  /** Erasure: the e-mailed links (confirmation, invitation, reset) of a record, of a login, and sent to these addresses, are deleted. */
  async forget(tx: EntityManager, who: { memberId: string | null; userId: string | null; addresses: string[] }): Promise<void> {
    await tx.query('DELETE FROM account_tokens WHERE member_id = $1 OR user_id = $2 OR lower(email) = ANY($3::text[])', [
      who.memberId,
      who.userId,
      who.addresses.map((e) => e.toLowerCase()),
    ]);
  }
}
