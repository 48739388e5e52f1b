import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Caller } from '../access/caller';
import { DomainEvents } from '../domain-events/domain-events';
import type { AppConfig } from '../config/config';
import { returningRows } from '../common/sql';
import { APP_CONFIG } from '../config/config.module';
import { OutboxService } from '../outbox/outbox.service';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { User } from '../users/user.entity';
import { accountLink } from '../users/users.service';
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
    @InjectDataSource() private readonly db: DataSource,
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
    await this.limiter.consume(
      { key: `reset:ip:${ip}`, max: 20, windowSeconds: 900 },
      { key: `reset:email:${email.toLowerCase()}`, max: 3, windowSeconds: 3600 },
    );
    await this.db.transaction(async (em) => {
      const user = await em.findOne(User, { where: { email } });
      if (!user || user.disabledAt) return;
      const { id, token } = await this.tokens.issue(em, 'password_reset', PASSWORD_RESET_TTL_SECONDS, { userId: user.id });
      await this.outbox.enqueue(em, {
        template: 'account.password_reset',
        recipient: user.email,
        locale: await this.localeOf(em, user.id),
        payload: { url: this.link('/account/reset-password', token) },
        dedupeKey: `password_reset:${id}`,
      });
    });
    return ACCEPTED;
  }

  /** Sets the password, closes every session of the account and lifts its failed-login lock. */
  async confirmPasswordReset(caller: Caller, token: string, password: string): Promise<void> {
    const passwordHash = await hashPassword(password);
    await this.db.transaction(async (em) => {
      const row = await this.tokens.consume(em, ['password_reset'], token);
      await this.ownerSetsPassword(em, row.userId!, passwordHash, 'password-reset');
      await this.changes.publish(em, { ...caller, user: null }, { action: 'user.password_reset', entity: 'user', entityId: row.userId, changes: { password: { from: '[secret]', to: '[secret]' } } });
    });
  }

  /**
   * The owner of a login's address, who has just followed a link mailed to
   * it (a reset, an invitation, a registration), sets its password, in `em`'s
   * transaction: the login counts as confirmed from now on, whoever else held
   * a session loses it, and the account's failed-login lock is lifted (the
   * client address's counter stays: it holds back guessing across accounts).
   */
  async ownerSetsPassword(em: EntityManager, userId: string, passwordHash: string, reason: 'password-reset' | 'address-confirmed'): Promise<void> {
    const [user] = await returningRows<{ email: string }>(
      em,
      'UPDATE users SET password_hash = $2, email_confirmed_at = coalesce(email_confirmed_at, now()), updated_at = now() WHERE id = $1 RETURNING email',
      [userId, passwordHash],
    );
    await this.sessions.revokeAllSessions(em, userId, reason);
    await this.limiter.reset([loginFailAccountKey(user.email)], em);
  }

  /** The preferred language of the login's first linked member record for e-mails; Spanish by default. */
  async localeOf(em: EntityManager, userId: string): Promise<string> {
    const [row] = await em.query<{ locale: string | null }[]>(
      'SELECT m.preferred_language AS locale FROM member_logins l JOIN members m ON m.id = l.member_id WHERE l.user_id = $1 ORDER BY l.created_at, l.member_id LIMIT 1',
      [userId],
    );
    return row?.locale === 'en' ? 'en' : 'es';
  }
}
