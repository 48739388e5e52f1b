import { Injectable, Logger, type OnApplicationBootstrap, Inject } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import { AuditService } from '../audit/audit.service';
import { hashPassword } from '../auth/passwords';
import { decodeCursor, type Page, toPage } from '../common/pagination';
import { conflict, forbidden } from '../common/problem';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { User } from './user.entity';

export interface UserView {
  id: string;
  email: string;
  isPlatformAdmin: boolean;
  memberId: string | null;
  disabled: boolean;
  createdAt: Date;
}

export function userView(u: User): UserView {
  return { id: u.id, email: u.email, isPlatformAdmin: u.isPlatformAdmin, memberId: u.memberId, disabled: u.disabledAt !== null, createdAt: u.createdAt };
}

@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Users');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
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
      const user = await em.save(User, em.create(User, { email, passwordHash: hash, isPlatformAdmin: true }));
      await this.audit.record(em, { user: null, requestId: 'boot', ip: '' }, { action: 'user.create', entity: 'user', entityId: user.id, changes: { isPlatformAdmin: { from: null, to: true } } });
      this.logger.log('created the first platform admin');
      return 'created';
    });
  }

  async create(caller: Caller, dto: { email: string; password: string; isPlatformAdmin?: boolean }): Promise<UserView> {
    if (dto.isPlatformAdmin && !this.access.isPlatformAdmin(caller)) throw forbidden('Only a platform admin can create platform admins.');
    const passwordHash = await hashPassword(dto.password);
    return this.db.transaction(async (em) => {
      const exists = await em.exists(User, { where: { email: dto.email } });
      if (exists) throw conflict('email-taken', 'A login with this e-mail already exists.');
      const user = await em.save(User, em.create(User, { email: dto.email, passwordHash, isPlatformAdmin: dto.isPlatformAdmin ?? false }));
      await this.audit.record(em, caller, {
        action: 'user.create',
        entity: 'user',
        entityId: user.id,
        changes: { email: { from: null, to: '[personal data]' }, isPlatformAdmin: { from: null, to: user.isPlatformAdmin } },
      });
      return userView(user);
    });
  }

  /** A member's own login, created from an e-mailed invitation or registration (inside the caller's transaction). */
  async createForMember(em: EntityManager, caller: Caller, email: string, passwordHash: string, memberId: string): Promise<User> {
    if (await em.exists(User, { where: { email } })) throw conflict('email-taken', 'A login with this e-mail already exists; log in or reset its password.');
    const user = await em.save(User, em.create(User, { email, passwordHash, memberId }));
    await this.audit.record(em, { ...caller, user: null }, { action: 'user.create', entity: 'user', entityId: user.id, changes: { email: { from: null, to: '[personal data]' }, memberId: { from: null, to: memberId } } });
    return user;
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
}
