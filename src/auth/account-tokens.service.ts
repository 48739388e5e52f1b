import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';

import { sha256Hex } from '../common/hash';
import { badRequest } from '../common/problem';
import type { Tx } from '../database/transactions';
import type { AccountToken, AccountTokenPurpose } from './account-token.entity';
import { AccountTokensRepository } from './account-tokens.repository';

/** Every token failure gets this one answer: unknown, expired, used, or someone else's. */
export const invalidToken = () =>
  badRequest('invalid-token', 'This link is invalid, expired or already used. Ask for a new one.', [{ field: 'token', message: 'token is invalid, expired or already used' }]);

@Injectable()
export class AccountTokensService {
  constructor(private readonly tokens: AccountTokensRepository) {}

  /** Creates a token; returns the secret (for the e-mail) and the row id (for the dedupe key). */
  async issue(tx: Tx, purpose: AccountTokenPurpose, ttlSeconds: number, subject: { userId?: string; memberId?: string; email?: string }): Promise<{ id: string; token: string }> {
    const token = randomBytes(32).toString('base64url');
    const id = await this.tokens.insert(tx, {
      purpose,
      tokenHash: sha256Hex(token),
      userId: subject.userId ?? null,
      memberId: subject.memberId ?? null,
      email: subject.email ?? null,
      expiresAt: new Date(Date.now() + ttlSeconds * 1000),
    });
    return { id, token };
  }

  /**
   * Uses a token up inside `tx`'s transaction: the row is locked, so two
   * concurrent uses cannot both succeed. Every failure gets the same 400.
   */
  async consume(tx: Tx, purposes: AccountTokenPurpose[], token: string): Promise<AccountToken> {
    const row = await this.tokens.lockByHash(tx, sha256Hex(token));
    if (!row || !purposes.includes(row.purpose) || row.usedAt || row.expiresAt.getTime() <= Date.now()) {
      throw invalidToken();
    }
    await this.tokens.markUsed(tx, row.id);
    return row;
  }

  /** Erasure: the e-mailed links (confirmation, invitation, reset) of a record, of a login, and sent to these addresses, are deleted. */
  async forget(tx: Tx, who: { memberId: string | null; userId: string | null; addresses: string[] }): Promise<void> {
    await this.tokens.deleteFor(tx, { ...who, addresses: who.addresses.map((e) => e.toLowerCase()) });
  }
}
