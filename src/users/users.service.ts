import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';

import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import { AccountTokensService } from '../auth/account-tokens.service';
import { hashPassword } from '../auth/passwords';
import { TokensService } from '../auth/tokens.service';
import { decodeCursorAs, toPage, type Page } from '../common/pagination';
import { conflict, forbidden } from '../common/problem';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Transactions, type Tx } from '../database/transactions';
import { MASKED } from '../domain-events/changes';
import { DomainEvents } from '../domain-events/domain-events';
import { OutboxService } from '../outbox/outbox.service';
import type { User } from './user.entity';
import { UsersRepository } from './users.repository';
import { userView, type LinkedMember, type UserView } from './users.views';

/** A password nobody can log in with: a login waiting for its owner to follow the invitation. */
export const NO_PASSWORD = '!invited';
const STAFF_INVITATION_SECONDS = 7 * 86_400;

/**
 * An e-mailed link of the account pages: the token is the last segment of the
 * path, so the page reads it without JavaScript. It stays out of the request
 * log (app.ts redacts a route parameter named `token`) and out of any
 * Referer (every page answers `Referrer-Policy: no-referrer`); opening the
 * link never uses the token up: the page's button does.
 */
export function accountLink(config: AppConfig, path: string, token: string): string {
  return `${config.publicUrl}${path}/${token}`;
}

@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Users');

  constructor(
    private readonly users: UsersRepository,
    private readonly transactions: Transactions,
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
    return this.transactions.run(async (tx) => {
      await this.users.lockFirstAdmin(tx);
      const admins = await this.users.countPlatformAdmins(tx);
      if (admins > 0) return 'exists';
      const taken = await this.users.findByEmail(tx, email);
      if (taken) {
        this.logger.warn('CONVOCA_ADMIN_EMAIL belongs to an existing non-admin account; no admin was created');
        return 'exists';
      }
      // The operator's own login, set up by them: its address counts as confirmed.
      const user = await this.users.insert(tx, { email, passwordHash: hash, isPlatformAdmin: true, emailConfirmedAt: new Date() });
      await this.changes.publish(tx, { user: null, requestId: 'boot', ip: '' }, { action: 'user.create', entity: 'user', entityId: user.id, changes: { isPlatformAdmin: { from: null, to: true } } });
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
    return this.transactions.run(async (tx) => {
      const exists = await this.users.existsWithEmail(tx, dto.email);
      if (exists) throw conflict('email-taken', 'A login with this e-mail already exists.');
      const user = await this.users.insert(tx, { email: dto.email, passwordHash: NO_PASSWORD, isPlatformAdmin: dto.isPlatformAdmin ?? false, emailConfirmedAt: null });
      await this.changes.publish(tx, caller, {
        action: 'user.create',
        entity: 'user',
        entityId: user.id,
        changes: { email: { from: null, to: MASKED }, isPlatformAdmin: { from: null, to: user.isPlatformAdmin } },
      });
      const { id, token } = await this.tokens.issue(tx, 'invitation', STAFF_INVITATION_SECONDS, { userId: user.id, email: user.email });
      await this.outbox.enqueue(tx, {
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
    const after = decodeCursorAs<[string]>(cursor, 'string');
    const rows = await this.users.page(limit, after ? after[0] : null);
    return toPage(rows, limit, (u) => [u.email], userView);
  }

  /** The login (in `tx` when given). */
  findById(id: string, tx: Tx = this.transactions.auto): Promise<User | null> {
    return this.users.findById(tx, id);
  }

  /** The login of an address (in `tx` when given). */
  findByEmail(email: string, tx: Tx = this.transactions.auto): Promise<User | null> {
    return this.users.findByEmail(tx, email);
  }

  /** With the password hash, for login only. */
  findForLogin(email: string): Promise<User | null> {
    return this.users.findForLogin(email);
  }

  findWithHash(id: string): Promise<User | null> {
    return this.users.findWithHash(id);
  }

  /** The login, locked until `tx` ends (accepting a staff invitation). */
  lockById(tx: Tx, id: string): Promise<User | null> {
    return this.users.lockById(tx, id);
  }

  /** The login of an address with its password hash, locked until `tx` ends (someone who just proved the address). */
  lockByEmailWithHash(tx: Tx, email: string): Promise<User | null> {
    return this.users.lockByEmailWithHash(tx, email);
  }

  /**
   * A login made by the owner of the address, who has just proved it by
   * following an e-mailed link: confirmed at once, in `tx`. Announced as the
   * work of nobody logged in.
   */
  async createConfirmed(tx: Tx, caller: Caller, email: string, passwordHash: string): Promise<User> {
    const user = await this.users.insert(tx, { email, passwordHash, emailConfirmedAt: new Date() });
    await this.changes.publish(tx, { ...caller, user: null }, { action: 'user.create', entity: 'user', entityId: user.id, changes: { email: { from: null, to: MASKED } } });
    return user;
  }

  /** A new password hash, in `tx` (a change of password, or a stronger hash of the same one at login). */
  setPasswordHash(tx: Tx, userId: string, passwordHash: string): Promise<void> {
    return this.users.setPasswordHash(tx, userId, passwordHash);
  }

  /** The owner of the address sets the password, in `tx`: the login counts as confirmed from now on. Returns its address. */
  setOwnersPassword(tx: Tx, userId: string, passwordHash: string): Promise<string> {
    return this.users.setOwnersPassword(tx, userId, passwordHash);
  }

  recordLogin(userId: string): Promise<void> {
    return this.users.setLastLogin(userId);
  }

  /** The member records linked to a login (one per data controller at most), oldest link first. */
  linkedMembers(userId: string): Promise<LinkedMember[]> {
    return this.users.linkedMembers(userId);
  }

  /** The preferred language of the login's first linked member record for e-mails; Spanish by default. */
  async localeOf(tx: Tx, userId: string): Promise<'es' | 'en'> {
    return (await this.users.firstLinkedLanguage(tx, userId)) === 'en' ? 'en' : 'es';
  }

  /** Erasure closes a login: its address is replaced, it can no longer log in, and its sessions end. */
  async closeForErasure(tx: Tx, userId: string): Promise<void> {
    await this.users.close(tx, userId);
    await this.sessions.revokeAllSessions(tx, userId, 'erasure');
  }
}
