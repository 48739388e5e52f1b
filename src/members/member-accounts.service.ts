import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import { AuditService } from '../audit/audit.service';
import { AccountTokensService } from '../auth/account-tokens.service';
import { ACCEPTED, AccountsService } from '../auth/accounts.service';
import { hashPassword } from '../auth/passwords';
import { type TokenPair, TokensService } from '../auth/tokens.service';
import { conflict, forbidden } from '../common/problem';
import { Organisation } from '../organisations/organisation.entity';
import { OutboxService } from '../outbox/outbox.service';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { UsersService } from '../users/users.service';
import { Member } from './member.entity';
import { MembersService } from './members.service';

const DAY = 86_400;
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
    private readonly users: UsersService,
    private readonly outbox: OutboxService,
    private readonly limiter: RateLimitService,
    private readonly audit: AuditService,
  ) {}

  private mayMail(kind: string, email: string): Promise<boolean> {
    return this.limiter.allow({ key: `mail:${kind}:${email.toLowerCase()}`, max: MAILS_PER_ADDRESS_PER_DAY, windowSeconds: DAY });
  }

  /** After a public application: ask the person to confirm the address (nothing if it already is confirmed). */
  async sendApplicationConfirmation(em: EntityManager, member: Member, organisation: Organisation): Promise<void> {
    if (!member.email || member.emailVerifiedAt || member.erasedAt) return;
    if (!(await this.mayMail('confirm', member.email))) return;
    const { id, token } = await this.tokens.issue(em, 'email_verification', 2 * DAY, { memberId: member.id, email: member.email });
    await this.outbox.enqueue(em, {
      template: 'membership.application_confirm',
      recipient: member.email,
      locale: member.preferredLanguage,
      payload: { name: member.givenName, organisation: organisation.name, url: this.accounts.link('/account/confirm-email', token) },
      dedupeKey: `application_confirm:${id}`,
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
        await this.audit.record(em, { ...caller, user: null }, { action: 'member.email_verified', entity: 'member', entityId: member.id });
      }
    });
  }

  /** An org_admin invites a member of their organisation to create a login. */
  async invite(caller: Caller, memberId: string): Promise<{ status: 'sent' }> {
    await this.db.transaction(async (em) => {
      const access = await this.members.accessFor(caller, memberId, em, true);
      const organisationIds = [];
      for (const m of access.memberships) if (await this.access.canOnOrganisation(caller, 'member.manage', m.organisationId)) organisationIds.push(m.organisationId);
      if (organisationIds.length === 0) throw forbidden('Only an org_admin of one of this person’s organisations may invite them.');
      const member = access.member;
      if (member.erasedAt || !member.email) throw conflict('no-address', 'This member has no e-mail address to invite.');
      const [linked] = await em.query<{ id: string }[]>('SELECT id FROM users WHERE member_id = $1 OR email = $2', [member.id, member.email]);
      if (linked) throw conflict('already-has-login', 'This person already has a login.');
      const organisation = await em.findOneOrFail(Organisation, { where: { id: organisationIds[0] } });
      const { id, token } = await this.tokens.issue(em, 'invitation', 7 * DAY, { memberId: member.id, email: member.email });
      await this.outbox.enqueue(em, {
        template: 'account.invitation',
        recipient: member.email,
        locale: member.preferredLanguage,
        payload: { name: member.givenName, organisation: organisation.name, url: this.accounts.link('/account/accept-invitation', token) },
        dedupeKey: `invitation:${id}`,
      });
      await this.audit.record(em, caller, { action: 'member.invite', entity: 'member', entityId: member.id, organisationId: organisation.id });
    });
    return { status: 'sent' };
  }

  /** A member with a verified address asks for a login. The same answer whatever the address. */
  async register(caller: Caller, email: string): Promise<typeof ACCEPTED> {
    await this.limiter.consume({ key: `register:ip:${caller.ip}`, max: 20, windowSeconds: 900 });
    await this.db.transaction(async (em) => {
      const member = await em.findOne(Member, { where: { email } });
      if (!member?.email || !member.emailVerifiedAt || member.erasedAt) return;
      const [linked] = await em.query<{ id: string }[]>('SELECT id FROM users WHERE member_id = $1 OR email = $2', [member.id, member.email]);
      if (linked || !(await this.mayMail('register', member.email))) return;
      const { id, token } = await this.tokens.issue(em, 'registration', DAY, { memberId: member.id, email: member.email });
      await this.outbox.enqueue(em, {
        template: 'account.registration',
        recipient: member.email,
        locale: member.preferredLanguage,
        payload: { url: this.accounts.link('/account/accept-invitation', token) },
        dedupeKey: `registration:${id}`,
      });
    });
    return ACCEPTED;
  }

  /** Invitation or registration link + a password: the login is created, linked to the member, and logged in. */
  async accept(caller: Caller, token: string, password: string): Promise<TokenPair> {
    const passwordHash = await hashPassword(password);
    const userId = await this.db.transaction(async (em) => {
      const row = await this.tokens.consume(em, ['invitation', 'registration'], token);
      const member = await em.findOne(Member, { where: { id: row.memberId! }, lock: { mode: 'pessimistic_write' } });
      if (!member?.email || member.erasedAt || member.email.toLowerCase() !== row.email?.toLowerCase()) {
        throw conflict('member-changed', 'This invitation no longer matches the member’s address; ask for a new one.');
      }
      const [linked] = await em.query<{ id: string }[]>('SELECT id FROM users WHERE member_id = $1', [member.id]);
      if (linked) throw conflict('already-has-login', 'This person already has a login.');
      const user = await this.users.createForMember(em, caller, member.email, passwordHash, member.id);
      // Following the e-mailed link proved control of the address.
      if (!member.emailVerifiedAt) await em.update(Member, { id: member.id }, { emailVerifiedAt: new Date() });
      return user.id;
    });
    return this.sessions.startSession(userId);
  }
}
