import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service';
import { type Caller, requireUser } from '../access/caller';
import { DomainEvents } from '../domain-events/domain-events';
import type { AccountTokenPurpose } from '../auth/account-token.entity';
import { AccountTokensService, invalidToken } from '../auth/account-tokens.service';
import { ACCEPTED, AccountsService } from '../auth/accounts.service';
import { loginLimits } from '../auth/auth.service';
import { assertNewPassword } from '../auth/password-policy';
import { hashPassword, verifyPassword } from '../auth/passwords';
import { type TokenPair, TokensService } from '../auth/tokens.service';
import { conflict, forbidden, unauthorized } from '../common/problem';
import { Organisation } from '../organisations/organisation.entity';
import { OutboxService } from '../outbox/outbox.service';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { User } from '../users/user.entity';
import { Member } from './member.entity';
import { MembersService } from './members.service';

const DAY = 86_400;

/**
 * Member records `m` a login (id at `user`) may be linked to through a link
 * mailed to `email`: held with that address, not erased, not linked yet, in a
 * data controller where the login has no record yet.
 */
const linkableSql = (user: string, email: string): string =>
  `m.email = ${email}::citext AND m.erased_at IS NULL
   AND NOT EXISTS (SELECT 1 FROM member_logins l WHERE l.member_id = m.id)
   AND NOT EXISTS (SELECT 1 FROM member_logins l WHERE l.user_id = ${user} AND l.controller_id = m.controller_id)`;
/** E-mails of one kind to one address per day, whoever asks: forms must not become a way to flood someone. */
const MAILS_PER_ADDRESS_PER_DAY = 3;

/**
 * A member's path to a login: confirming the address given on an
 * application, an org_admin's invitation, or asking for an account with a
 * verified address. Every link is a single-use, expiring, hashed token.
 */
@Injectable()
export class MemberAccountsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly members: MembersService,
    private readonly access: AccessService,
    private readonly tokens: AccountTokensService,
    private readonly accounts: AccountsService,
    private readonly sessions: TokensService,
    private readonly outbox: OutboxService,
    private readonly limiter: RateLimitService,
    private readonly changes: DomainEvents,
  ) {}

  private mayMail(kind: string, email: string): Promise<boolean> {
    return this.limiter.allow({ key: `mail:${kind}:${email.toLowerCase()}`, max: MAILS_PER_ADDRESS_PER_DAY, windowSeconds: DAY });
  }

  /**
   * Issues a single-use token for `subject` and owes its address the e-mail
   * with the link to `path` (same transaction: both or neither).
   */
  private async mailLink(
    em: EntityManager,
    purpose: AccountTokenPurpose,
    ttlSeconds: number,
    subject: { memberId?: string; userId?: string; email: string },
    mail: { template: string; dedupe: string; locale: string; path: string; payload?: Record<string, unknown> },
  ): Promise<void> {
    const { id, token } = await this.tokens.issue(em, purpose, ttlSeconds, subject);
    await this.outbox.enqueue(em, {
      template: mail.template,
      recipient: subject.email,
      locale: mail.locale,
      payload: { ...mail.payload, url: this.accounts.link(mail.path, token) },
      dedupeKey: `${mail.dedupe}:${id}`,
    });
  }

  /** After a public application: ask the person to confirm the address (nothing if it already is confirmed). */
  async sendApplicationConfirmation(em: EntityManager, member: Member, organisation: Organisation): Promise<void> {
    if (!member.email || member.emailVerifiedAt || member.erasedAt) return;
    if (!(await this.mayMail('confirm', member.email))) return;
    await this.mailLink(em, 'email_verification', 2 * DAY, { memberId: member.id, email: member.email }, {
      template: 'membership.application_confirm',
      dedupe: 'application_confirm',
      locale: member.preferredLanguage,
      path: '/account/confirm-email',
      payload: { name: member.givenName, organisation: organisation.name },
    });
  }

  async verifyEmail(caller: Caller, token: string): Promise<void> {
    await this.db.transaction(async (em) => {
      const row = await this.tokens.consume(em, ['email_verification'], token);
      const member = await em.findOne(Member, { where: { id: row.memberId! }, lock: { mode: 'pessimistic_write' } });
      // The token proves control of the address it was sent to, nothing else.
      if (!member || member.erasedAt || member.email?.toLowerCase() !== row.email?.toLowerCase()) return;
      if (!member.emailVerifiedAt) {
        await em.update(Member, { id: member.id }, { emailVerifiedAt: new Date() });
        await this.changes.publish(em, { ...caller, user: null }, { action: 'member.email_verified', entity: 'member', entityId: member.id, organisationId: member.controllerId });
      }
    });
  }

  /**
   * An org_admin invites a member record of their organisation to a login.
   * The invitation always goes to the record's own address: whether that
   * address already has a login elsewhere is never looked up here (that
   * would tell one organisation something about another's members). The
   * person decides when they follow the link (`accept`).
   */
  async invite(caller: Caller, memberId: string): Promise<{ status: 'sent' }> {
    await this.db.transaction(async (em) => {
      const access = await this.members.accessFor(caller, memberId, em, true);
      const organisationIds = [];
      for (const m of access.memberships) if (await this.access.canOnOrganisation(caller, 'member.manage', m.organisationId)) organisationIds.push(m.organisationId);
      if (organisationIds.length === 0) throw forbidden('Only an org_admin of one of this person’s organisations may invite them.');
      const member = access.member;
      if (member.erasedAt || !member.email) throw conflict('no-address', 'This member has no e-mail address to invite.');
      // This record's own link only: it belongs to the caller's data controller.
      const [linked] = await em.query<unknown[]>('SELECT 1 FROM member_logins WHERE member_id = $1', [member.id]);
      if (linked) throw conflict('already-has-login', 'This member record is already linked to a login.');
      // At most a few invitations a day to one address from one data controller, whatever record carries it (counted per
      // controller: a count shared with other controllers would tell this one that they invited the address too).
      await this.limiter.consume({ key: `mail:invite:${member.controllerId}:${member.email.toLowerCase()}`, max: MAILS_PER_ADDRESS_PER_DAY, windowSeconds: DAY });
      const organisation = await em.findOneOrFail(Organisation, { where: { id: organisationIds[0] } });
      await this.mailLink(em, 'invitation', 7 * DAY, { memberId: member.id, email: member.email }, {
        template: 'account.invitation',
        dedupe: 'invitation',
        locale: member.preferredLanguage,
        path: '/account/accept-invitation',
        payload: { name: member.givenName, organisation: organisation.name },
      });
      await this.changes.publish(em, caller, { action: 'member.invite', entity: 'member', entityId: member.id, organisationId: organisation.id });
    });
    return { status: 'sent' };
  }

  /**
   * Someone asks for a login for an address. The same answer whatever the
   * address; a registration link goes out when some organisation holds a
   * verified, unlinked record with it. A login for the address that was
   * never confirmed does not stop this: following the link takes it over.
   */
  async register(caller: Caller, email: string): Promise<typeof ACCEPTED> {
    await this.limiter.consume({ key: `register:ip:${caller.ip}`, max: 20, windowSeconds: 900 });
    await this.db.transaction(async (em) => {
      const [record] = await em.query<{ id: string; email: string; preferred_language: 'es' | 'en' }[]>(
        `SELECT m.id, m.email, m.preferred_language FROM members m
          WHERE m.email = $1::citext AND m.email_verified_at IS NOT NULL AND m.erased_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM member_logins l WHERE l.member_id = m.id)
          ORDER BY m.created_at, m.id LIMIT 1`,
        [email],
      );
      if (!record || !(await this.mayMail('register', record.email))) return;
      await this.mailLink(em, 'registration', DAY, { memberId: record.id, email: record.email }, {
        template: 'account.registration',
        dedupe: 'registration',
        locale: record.preferred_language,
        path: '/account/accept-invitation',
      });
    });
    return ACCEPTED;
  }

  /**
   * An invitation or registration link + a password; the answer is a session.
   * - Staff invitation (POST /users): the login gets its password and is confirmed.
   * - Member invitation: the invited record is linked; registration: every
   *   record held with the address (one per data controller) is linked.
   *   The login is the address's: created when there is none; when it exists
   *   and was confirmed, the password must be its password; when it was never
   *   confirmed, the person who just proved the address takes it over (new
   *   password, its sessions closed).
   */
  async accept(caller: Caller, token: string, password: string): Promise<TokenPair> {
    const passwordHash = await hashPassword(password);
    const userId = await this.db.transaction(async (em) => {
      const row = await this.tokens.consume(em, ['invitation', 'registration'], token);
      if (!row.memberId) {
        assertNewPassword(password);
        return this.acceptStaffInvitation(em, caller, row.userId, row.email, passwordHash);
      }
      const member = await em.findOne(Member, { where: { id: row.memberId }, lock: { mode: 'pessimistic_write' } });
      if (!member?.email || member.erasedAt || member.email.toLowerCase() !== row.email?.toLowerCase()) {
        throw conflict('member-changed', 'This invitation no longer matches the member’s address; ask for a new one.');
      }
      const [linked] = await em.query<unknown[]>('SELECT 1 FROM member_logins WHERE member_id = $1', [member.id]);
      if (linked && row.purpose === 'invitation') throw conflict('already-has-login', 'This membership is already linked to a login: log in.');
      const user = await this.loginForAddress(em, caller, member.email, password, passwordHash);
      const done = await this.linkRecords(em, caller, user, member.email, row.purpose === 'invitation' ? [member.id] : null);
      if (row.purpose === 'invitation' && done.length === 0) {
        throw conflict('already-linked-here', 'Your login is already linked to another member record of this organisation.');
      }
      return user.id;
    });
    return this.sessions.startSession(userId);
  }

  private async acceptStaffInvitation(em: EntityManager, caller: Caller, userId: string | null, email: string | null, passwordHash: string): Promise<string> {
    const user = userId ? await em.findOne(User, { where: { id: userId }, lock: { mode: 'pessimistic_write' } }) : null;
    if (!user || user.disabledAt || user.email.toLowerCase() !== email?.toLowerCase()) {
      throw conflict('login-changed', 'This invitation no longer matches the login; ask for a new one.');
    }
    await this.takeOver(em, caller, user, passwordHash);
    return user.id;
  }

  /** The address's login, for someone who just proved the address (see `accept`). */
  private async loginForAddress(em: EntityManager, caller: Caller, email: string, password: string, passwordHash: string): Promise<User> {
    const user = await em
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email })
      .setLock('pessimistic_write')
      .getOne();
    if (!user) {
      assertNewPassword(password);
      const created = await em.save(User, em.create(User, { email, passwordHash, emailConfirmedAt: new Date() }));
      await this.changes.publish(em, { ...caller, user: null }, { action: 'user.create', entity: 'user', entityId: created.id, changes: { email: { from: null, to: '[personal data]' } } });
      return created;
    }
    if (user.disabledAt) throw conflict('login-disabled', 'The login of this address is disabled; ask the platform’s administrators.');
    if (!user.emailConfirmedAt) {
      assertNewPassword(password);
      await this.takeOver(em, caller, user, passwordHash);
      return user;
    }
    // A check of the login's password like any other: the same failure budget as logging in.
    const limits = loginLimits(email, caller.ip);
    await this.limiter.check(...limits);
    if (!(await verifyPassword(user.passwordHash, password))) {
      await this.limiter.record(...limits);
      throw unauthorized('This address already has a login: give its password to add the membership to it, or reset the password first.');
    }
    return user;
  }

  /** The owner of the address sets the password of a login never confirmed (as a reset does); whoever else held a session loses it. */
  private async takeOver(em: EntityManager, caller: Caller, user: User, passwordHash: string): Promise<void> {
    await this.accounts.ownerSetsPassword(em, user.id, passwordHash, 'address-confirmed');
    await this.changes.publish(em, { ...caller, user: null }, {
      action: 'user.confirm',
      entity: 'user',
      entityId: user.id,
      changes: { emailConfirmed: { from: false, to: true }, password: { from: '[secret]', to: '[secret]' } },
    });
  }

  /**
   * Links to `user` the unlinked records held with `email` (only `only`, when
   * given), at most one per data controller and none in a controller where
   * the login already has one. Following an e-mailed link proved the address:
   * the records count as verified. Each link is audited in its controller.
   */
  private async linkRecords(em: EntityManager, caller: Caller, user: User, email: string, only: string[] | null): Promise<{ memberId: string; controllerId: string }[]> {
    const linked = await em.query<{ member_id: string; controller_id: string }[]>(
      `WITH candidates AS (
         SELECT DISTINCT ON (m.controller_id) m.id, m.controller_id FROM members m
          WHERE ${linkableSql('$1', '$2')} AND ($3::uuid[] IS NULL OR m.id = ANY($3::uuid[]))
          ORDER BY m.controller_id, m.created_at, m.id
       )
       INSERT INTO member_logins (member_id, user_id, controller_id)
       SELECT id, $1, controller_id FROM candidates ORDER BY id
       ON CONFLICT DO NOTHING
       RETURNING member_id, controller_id`,
      [user.id, email, only],
    );
    if (linked.length) {
      await em.query('UPDATE members SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = ANY($1::uuid[])', [linked.map((l) => l.member_id)]);
    }
    for (const l of linked) {
      await this.changes.publish(em, { ...caller, user: null }, { action: 'member.login_link', entity: 'member', entityId: l.member_id, organisationId: l.controller_id, changes: { userId: { from: null, to: user.id } } });
    }
    return linked.map((l) => ({ memberId: l.member_id, controllerId: l.controller_id }));
  }

  /**
   * POST /me/links: a logged-in person asks to link the member records held
   * with their login's (confirmed) address. The same answer whatever is held;
   * the link goes to that address and must be followed while logged in.
   */
  async requestLinks(caller: Caller): Promise<typeof ACCEPTED> {
    const authUser = requireUser(caller);
    await this.db.transaction(async (em) => {
      const user = await em.findOne(User, { where: { id: authUser.id } });
      if (!user?.emailConfirmedAt || user.disabledAt) return;
      const [record] = await em.query<{ preferred_language: 'es' | 'en' }[]>(
        `SELECT m.preferred_language FROM members m WHERE ${linkableSql('$1', '$2')} LIMIT 1`,
        [user.id, user.email],
      );
      if (!record || !(await this.mayMail('link', user.email))) return;
      await this.mailLink(em, 'member_link', DAY, { userId: user.id, email: user.email }, {
        template: 'account.member_link',
        dedupe: 'member_link',
        locale: record.preferred_language,
        path: '/account/link-memberships',
      });
    });
    return ACCEPTED;
  }

  /** POST /me/links/confirm: the e-mailed link, followed by the same login that asked for it. */
  async confirmLinks(caller: Caller, token: string): Promise<{ linked: number }> {
    const authUser = requireUser(caller);
    return this.db.transaction(async (em) => {
      const row = await this.tokens.consume(em, ['member_link'], token);
      const user = await em.findOne(User, { where: { id: authUser.id } });
      // Another login's link, or an address that changed since: the same answer as an unknown token.
      if (!user || row.userId !== user.id || user.email.toLowerCase() !== row.email?.toLowerCase()) throw invalidToken();
      const done = await this.linkRecords(em, caller, user, user.email, null);
      return { linked: done.length };
    });
  }
}
