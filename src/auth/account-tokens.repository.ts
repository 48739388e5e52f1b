import { Injectable } from '@nestjs/common';

import type { Tx } from '../database/transactions';
import { AccountToken, type AccountTokenPurpose } from './account-token.entity';

/** The account_tokens table: single-use e-mailed tokens, stored as hashes. Always in the caller's transaction. */
@Injectable()
export class AccountTokensRepository {
  async insert(tx: Tx, row: { purpose: AccountTokenPurpose; tokenHash: string; userId: string | null; memberId: string | null; email: string | null; expiresAt: Date }): Promise<string> {
    const saved = await tx.save(AccountToken, tx.create(AccountToken, row));
    return saved.id;
  }

  /** The token with this hash, locked until `tx` ends (two concurrent uses cannot both see it unused). */
  lockByHash(tx: Tx, tokenHash: string): Promise<AccountToken | null> {
    return tx.findOne(AccountToken, { where: { tokenHash }, lock: { mode: 'pessimistic_write' } });
  }

  async markUsed(tx: Tx, id: string): Promise<void> {
    await tx.update(AccountToken, { id }, { usedAt: new Date() });
  }

  /** Deletes the tokens of a record, of a login, and those sent to these (lower-cased) addresses. */
  async deleteFor(tx: Tx, who: { memberId: string | null; userId: string | null; addresses: string[] }): Promise<void> {
    await tx.query('DELETE FROM account_tokens WHERE member_id = $1 OR user_id = $2 OR lower(email) = ANY($3::text[])', [who.memberId, who.userId, who.addresses]);
  }
}
