import { Inject, Injectable } from '@nestjs/common';

import type { Caller } from '../access/caller';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Transactions, type Tx } from '../database/transactions';
import { DomainEvents } from '../domain-events/domain-events';
import { OutboxService } from '../outbox/outbox.service';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { accountLink, UsersService } from '../users/users.service';
import { AccountTokensService } from './account-tokens.service';
import { loginFailAccountKey } from './auth.service';
import { hashPassword } from './passwords';
import { TokensService } from './tokens.service';

export const PASSWORD_RESET_TTL_SECONDS = 3600;
/** What every "send me an e-mail" form answers, whether or not the address is known. */
export const ACCEPTED = { status: 'accepted' as const, message: 'If the address is known, an e-mail is on its way.' };

/** Self-service account flows driven by single-use e-mailed tokens. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly users: UsersService,
    private readonly tokens: AccountTokensService,
    private readonly sessions: TokensService,
    private readonly outbox: OutboxService,
    private readonly limiter: RateLimitService,
    private readonly changes: DomainEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  link(path: string, token: string): string {
    return accountLink(this.config, path, token);
  }

  /** Same answer, status and body for known and unknown addresses. */
  async requestPasswordReset(email: string, ip: string): Promise<typeof ACCEPTED> {
    await this.limiter.consume({ key: `reset:ip:${ip}`, max: 20, windowSeconds: 900 }, { key: `reset:email:${email.toLowerCase()}`, max: 3, windowSeconds: 3600 });
    await this.transactions.run(async (tx) => {
      const user = await this.users.findByEmail(email, tx);
      if (!user || user.disabledAt) return;
      const { id, token } = await this.tokens.issue(tx, 'password_reset', PASSWORD_RESET_TTL_SECONDS, { userId: user.id });
      await this.outbox.enqueue(tx, {
        template: 'account.password_reset',
        recipient: user.email,
        locale: await this.localeOf(tx, user.id),
        payload: { url: this.link('/account/reset-password', token) },
        dedupeKey: `password_reset:${id}`,
      });
    });
    return ACCEPTED;
  }

  /** Sets the password, closes every session of the account and lifts its failed-login lock. Answers the login's id (the pages start a session with it). */
  async confirmPasswordReset(caller: Caller, token: string, password: string): Promise<string> {
    const passwordHash = await hashPassword(password);
    return this.transactions.run(async (tx) => {
      const row = await this.tokens.consume(tx, ['password_reset'], token);
      await this.ownerSetsPassword(tx, row.userId!, passwordHash, 'password-reset');
      await this.changes.publish(tx, { ...caller, user: null }, { action: 'user.password_reset', entity: 'user', entityId: row.userId, changes: { password: { from: '[secret]', to: '[secret]' } } });
      return row.userId!;
    });
  }

  /**
   * The owner of a login's address, who has just followed a link mailed to
   * it (a reset, an invitation, a registration), sets its password, in `tx`'s
   * transaction: the login counts as confirmed from now on, whoever else held
   * a session loses it, and the account's failed-login lock is lifted (the
   * client address's counter stays: it holds back guessing across accounts).
   */
  async ownerSetsPassword(tx: Tx, userId: string, passwordHash: string, reason: 'password-reset' | 'address-confirmed'): Promise<void> {
    const email = await this.users.setOwnersPassword(tx, userId, passwordHash);
    await this.sessions.revokeAllSessions(tx, userId, reason);
    await this.limiter.reset(tx, [loginFailAccountKey(email)]);
  }

  /** The preferred language of the login's first linked member record for e-mails; Spanish by default. */
  localeOf(tx: Tx, userId: string): Promise<string> {
    return this.users.localeOf(tx, userId);
  }
}
