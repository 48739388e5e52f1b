import type { Tx } from '../database/transactions';
import { Injectable, Logger, type OnApplicationBootstrap, Inject } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import { DomainEvents } from '../domain-events/domain-events';
import { AccountTokensService } from '../auth/account-tokens.service';
import { TokensService } from '../auth/tokens.service';
import { hashPassword } from '../auth/passwords';
import { decodeCursor, type Page, toPage } from '../common/pagination';
import { conflict, forbidden } from '../common/problem';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { OutboxService } from '../outbox/outbox.service';
import { User } from './user.entity';

export interface UserView {
  id: string;
  email: string;
  isPlatformAdmin: boolean;
  emailConfirmed: boolean;
  disabled: boolean;
  createdAt: Date;
}

export function userView(u: User): UserView {
  return { id: u.id, email: u.email, isPlatformAdmin: u.isPlatformAdmin, emailConfirmed: u.emailConfirmedAt !== null, disabled: u.disabledAt !== null, createdAt: u.createdAt };
}

/** The member records linked to a login (`userId`: an SQL expression), as a uuid array, oldest link first. */
export const linkedMembersSql = (userId: string): string =>
  `(SELECT coalesce(array_agg(l.member_id::text ORDER BY l.created_at, l.member_id), '{}') FROM member_logins l WHERE l.user_id = ${userId})`;

/** A password nobody can log in with: a login waiting for its owner to follow the invitation. */
export const NO_PASSWORD = '!invited';
const STAFF_INVITATION_SECONDS = 7 * 86_400;

/** An e-mailed link of the account pages; the token travels in the fragment, never sent to a server or in a Referer. */
export function accountLink(config: AppConfig, path: string, token: string): string {
  return `${config.publicUrl}${path}#token=${token}`;
}

@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Users');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly changes: DomainEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tokens: AccountTokensService,
    private readonly sessions: TokensService,
    private readonly outbox: OutboxService,
  ) {}

  /** CONVOCA_ADMIN_EMAIL / CONVOCA_ADMIN_PASSWORD: the first platform admin. */
  async onApplicationBootstrap(): Promise<void> {
    if (this.config.adminEmail && this.config.adminPassword) {
      await this.ensurePlatformAdmin(this.config.adminEmail, this.config.adminPassword);
    }
  }

  /**
   * Creates a platform admin when none exists. Idempotent and safe when
   * several processes boot at once (advisory lock). Never promotes an
   * existing account: that would turn a config typo into a privilege grant.
   */
  async ensurePlatformAdmin(email: string, password: string): Promise<'created' | 'exists'> {
    const hash = await hashPassword(password);
    return this.db.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock(7244310052)');
      const admins = await em.count(User, { where: { isPlatformAdmin: true } });
      if (admins > 0) return 'exists';
      const taken = await em.findOne(User, { where: { email } });
      if (taken) {
        this.logger.warn('CONVOCA_ADMIN_EMAIL belongs to an existing non-admin account; no admin was created');
        return 'exists';
      }
      // The operator's own login, set up by them: its address counts as confirmed.
      const user = await em.save(User, em.create(User, { email, passwordHash: hash, isPlatformAdmin: true, emailConfirmedAt: new Date() }));
      await this.changes.publish(em, { user: null, requestId: 'boot', ip: '' }, { action: 'user.create', entity: 'user', entityId: user.id, changes: { isPlatformAdmin: { from: null, to: true } } });
      this.logger.log('created the first platform admin');
      return 'created';
    });
  }

  /**
   * POST /users (platform admins): a staff login for an address. Nobody
   * chooses a password for someone else: the login has none until its owner
   * follows the invitation e-mailed to the address (POST
   * /auth/accept-invitation). Until then it is unconfirmed, and the owner can
   * also take it over by registering or resetting.
   */
  async create(caller: Caller, dto: { email: string; isPlatformAdmin?: boolean; locale?: 'es' | 'en' }): Promise<UserView> {
    if (!this.access.isPlatformAdmin(caller)) throw forbidden('Only a platform admin creates logins; an org_admin invites a member (POST /members/:id/invitation).');
    return this.db.transaction(async (em) => {
      const exists = await em.exists(User, { where: { email: dto.email } });
      if (exists) throw conflict('email-taken', 'A login with this e-mail already exists.');
      const user = await em.save(User, em.create(User, { email: dto.email, passwordHash: NO_PASSWORD, isPlatformAdmin: dto.isPlatformAdmin ?? false, emailConfirmedAt: null }));
      await this.changes.publish(em, caller, {
        action: 'user.create',
        entity: 'user',
        entityId: user.id,
        changes: { email: { from: null, to: '[personal data]' }, isPlatformAdmin: { from: null, to: user.isPlatformAdmin } },
      });
      const { id, token } = await this.tokens.issue(em, 'invitation', STAFF_INVITATION_SECONDS, { userId: user.id, email: user.email });
      await this.outbox.enqueue(em, {
        template: 'account.staff_invitation',
        recipient: user.email,
        locale: dto.locale ?? 'es',
        payload: { url: accountLink(this.config, '/account/accept-invitation', token) },
        dedupeKey: `staff_invitation:${id}`,
      });
      return userView(user);
    });
  }

  async list(limit: number, cursor?: string): Promise<Page<UserView>> {
    const qb = this.db.getRepository(User).createQueryBuilder('u');
    const after = decodeCursor<[string]>(cursor);
    if (after) qb.where('u.email > :after', { after: after[0] });
    const rows = await qb.orderBy('u.email', 'ASC').take(limit + 1).getMany();
    return toPage(rows, limit, (u) => [u.email], userView);
  }

  findById(id: string): Promise<User | null> {
    return this.db.getRepository(User).findOne({ where: { id } });
  }

  /** With the password hash, for login only. */
  findForLogin(email: string): Promise<User | null> {
    return this.db.getRepository(User).createQueryBuilder('u').addSelect('u.passwordHash').where('u.email = :email', { email }).getOne();
  }

  findWithHash(id: string): Promise<User | null> {
    return this.db.getRepository(User).createQueryBuilder('u').addSelect('u.passwordHash').where('u.id = :id', { id }).getOne();
  }

  /** Erasure closes a login: its address is replaced, it can no longer log in, and its sessions end. */
  async closeForErasure(tx: Tx, userId: string): Promise<void> {
    await tx.query(`UPDATE users SET email = 'erased-' || id || '@invalid', password_hash = '!erased', disabled_at = now(), updated_at = now() WHERE id = $1`, [userId]);
    await this.sessions.revokeAllSessions(tx, userId, 'erasure');
  }
}
