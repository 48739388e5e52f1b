import { Injectable } from '@nestjs/common';

import { requireUser, type Caller } from '../access/caller';
import type { AccountTokenPurpose } from '../auth/account-token.entity';
import { AccountTokensService, invalidToken } from '../auth/account-tokens.service';
import { ACCEPTED, AccountsService } from '../auth/accounts.service';
import { loginLimits } from '../auth/auth.service';
import type { TokenPair } from '../auth/auth.views';
import { assertNewPassword } from '../auth/password-policy';
import { hashPassword, verifyPassword } from '../auth/passwords';
import { TokensService } from '../auth/tokens.service';
import { conflict, forbidden, unauthorized } from '../common/problem';
import { Transactions, type Tx } from '../database/transactions';
import { DomainEvents } from '../domain-events/domain-events';
import type { Organisation } from '../organisations/organisation.entity';
import { OrganisationsService } from '../organisations/organisations.service';
import { OutboxService } from '../outbox/outbox.service';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import type { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { MemberLoginsRepository } from './member-logins.repository';
import { MemberAccess } from './member.access';
import type { Member } from './member.entity';
import { MembersRepository } from './members.repository';

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
    private readonly transactions: Transactions,
    private readonly memberAccess: MemberAccess,
    private readonly members: MembersRepository,
    private readonly logins: MemberLoginsRepository,
    private readonly organisations: OrganisationsService,
    private readonly tokens: AccountTokensService,
    private readonly accounts: AccountsService,
    private readonly sessions: TokensService,
    private readonly outbox: OutboxService,
    private readonly limiter: RateLimitService,
    private readonly changes: DomainEvents,
    private readonly users: UsersService,
  ) {}

  private mayMail(kind: string, email: string): Promise<boolean> {
    return this.limiter.allow({ key: `mail:${kind}:${email.toLowerCase()}`, max: MAILS_PER_ADDRESS_PER_DAY, windowSeconds: DAY });
  }

  /**
   * Issues a single-use token for `subject` and owes its address the e-mail
   * with the link to `path` (same transaction: both or neither).
   */
  private async mailLink(
    tx: Tx,
    purpose: AccountTokenPurpose,
    ttlSeconds: number,
    subject: { memberId?: string; userId?: string; email: string },
    mail: { template: string; dedupe: string; locale: string; path: string; payload?: Record<string, unknown> },
  ): Promise<void> {
    const { id, token } = await this.tokens.issue(tx, purpose, ttlSeconds, subject);
    await this.outbox.enqueue(tx, {
      template: mail.template,
      recipient: subject.email,
      locale: mail.locale,
      payload: { ...mail.payload, url: this.accounts.link(mail.path, token) },
      dedupeKey: `${mail.dedupe}:${id}`,
    });
  }

  /** After a public application: ask the person to confirm the address (nothing if it already is confirmed). */
  async sendApplicationConfirmation(tx: Tx, member: Member, organisation: Organisation): Promise<void> {
    if (!member.email || member.emailVerifiedAt || member.erasedAt) return;
    if (!(await this.mayMail('confirm', member.email))) return;
    await this.mailLink(
      tx,
      'email_verification',
      2 * DAY,
      { memberId: member.id, email: member.email },
      {
        template: 'membership.application_confirm',
        dedupe: 'application_confirm',
        locale: member.preferredLanguage,
        path: '/account/confirm-email',
        payload: { name: member.givenName, organisation: organisation.name },
      },
    );
  }

  async verifyEmail(caller: Caller, token: string): Promise<void> {
    await this.transactions.run(async (tx) => {
      const row = await this.tokens.consume(tx, ['email_verification'], token);
      const member = await this.members.findById(tx, row.memberId!, true);
      // The token proves control of the address it was sent to, nothing else.
      if (!member || member.erasedAt || member.email?.toLowerCase() !== row.email?.toLowerCase()) return;
      if (!member.emailVerifiedAt) {
        await this.members.markEmailVerified(tx, member.id);
        await this.changes.publish(tx, { ...caller, user: null }, { action: 'member.email_verified', entity: 'member', entityId: member.id, organisationId: member.controllerId });
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
    await this.transactions.run(async (tx) => {
      const access = await this.memberAccess.load(tx, caller, memberId, true);
      const organisationIds = await access.managed();
      if (organisationIds.length === 0) throw forbidden('Only an org_admin of one of this person’s organisations may invite them.');
      const member = access.member;
      if (member.erasedAt || !member.email) throw conflict('no-address', 'This member has no e-mail address to invite.');
      // This record's own link only: it belongs to the caller's data controller.
      if (await this.logins.isLinked(tx, member.id)) throw conflict('already-has-login', 'This member record is already linked to a login.');
      // At most a few invitations a day to one address from one data controller, whatever record carries it (counted per
      // controller: a count shared with other controllers would tell this one that they invited the address too).
      await this.limiter.consume({ key: `mail:invite:${member.controllerId}:${member.email.toLowerCase()}`, max: MAILS_PER_ADDRESS_PER_DAY, windowSeconds: DAY });
      const organisation = await this.organisations.get(organisationIds[0], tx);
      await this.mailLink(
        tx,
        'invitation',
        7 * DAY,
        { memberId: member.id, email: member.email },
        {
          template: 'account.invitation',
          dedupe: 'invitation',
          locale: member.preferredLanguage,
          path: '/account/accept-invitation',
          payload: { name: member.givenName, organisation: organisation.name },
        },
      );
      await this.changes.publish(tx, caller, { action: 'member.invite', entity: 'member', entityId: member.id, organisationId: organisation.id });
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
    await this.transactions.run(async (tx) => {
      const record = await this.members.firstRegistrable(tx, email);
      if (!record || !(await this.mayMail('register', record.email))) return;
      await this.mailLink(
        tx,
        'registration',
        DAY,
        { memberId: record.id, email: record.email },
        {
          template: 'account.registration',
          dedupe: 'registration',
          locale: record.preferred_language,
          path: '/account/accept-invitation',
        },
      );
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
    return this.sessions.startSession(await this.acceptLogin(caller, token, password));
  }

  /**
   * `accept` up to the session: the login's id, for whichever session follows
   * (the API's token pair, or the pages' cookie after the set-password page).
   */
  async acceptLogin(caller: Caller, token: string, password: string): Promise<string> {
    const passwordHash = await hashPassword(password);
    return this.transactions.run(async (tx) => {
      const row = await this.tokens.consume(tx, ['invitation', 'registration'], token);
      if (!row.memberId) {
        assertNewPassword(password);
        return this.acceptStaffInvitation(tx, caller, row.userId, row.email, passwordHash);
      }
      const member = await this.members.findById(tx, row.memberId, true);
      if (!member?.email || member.erasedAt || member.email.toLowerCase() !== row.email?.toLowerCase()) {
        throw conflict('member-changed', 'This invitation no longer matches the member’s address; ask for a new one.');
      }
      const linked = await this.logins.isLinked(tx, member.id);
      if (linked && row.purpose === 'invitation') throw conflict('already-has-login', 'This membership is already linked to a login: log in.');
      const user = await this.loginForAddress(tx, caller, member.email, password, passwordHash);
      const done = await this.linkRecords(tx, caller, user, member.email, row.purpose === 'invitation' ? [member.id] : null);
      if (row.purpose === 'invitation' && done.length === 0) {
        throw conflict('already-linked-here', 'Your login is already linked to another member record of this organisation.');
      }
      return user.id;
    });
  }

  private async acceptStaffInvitation(tx: Tx, caller: Caller, userId: string | null, email: string | null, passwordHash: string): Promise<string> {
    const user = userId ? await this.users.lockById(tx, userId) : null;
    if (!user || user.disabledAt || user.email.toLowerCase() !== email?.toLowerCase()) {
      throw conflict('login-changed', 'This invitation no longer matches the login; ask for a new one.');
    }
    await this.takeOver(tx, caller, user, passwordHash);
    return user.id;
  }

  /** The address's login, for someone who just proved the address (see `accept`). */
  private async loginForAddress(tx: Tx, caller: Caller, email: string, password: string, passwordHash: string): Promise<User> {
    const user = await this.users.lockByEmailWithHash(tx, email);
    if (!user) {
      assertNewPassword(password);
      // Announces user.create (the work of nobody logged in).
      return this.users.createConfirmed(tx, caller, email, passwordHash);
    }
    if (user.disabledAt) throw conflict('login-disabled', 'The login of this address is disabled; ask the platform’s administrators.');
    if (!user.emailConfirmedAt) {
      assertNewPassword(password);
      await this.takeOver(tx, caller, user, passwordHash);
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
  private async takeOver(tx: Tx, caller: Caller, user: { id: string }, passwordHash: string): Promise<void> {
    await this.accounts.ownerSetsPassword(tx, user.id, passwordHash, 'address-confirmed');
    await this.changes.publish(
      tx,
      { ...caller, user: null },
      {
        action: 'user.confirm',
        entity: 'user',
        entityId: user.id,
        changes: { emailConfirmed: { from: false, to: true }, password: { from: '[secret]', to: '[secret]' } },
      },
    );
  }

  /**
   * Links to `user` the unlinked records held with `email` (only `only`, when
   * given), at most one per data controller and none in a controller where
   * the login already has one. Following an e-mailed link proved the address:
   * the records count as verified. Each link is audited in its controller.
   */
  private async linkRecords(tx: Tx, caller: Caller, user: { id: string }, email: string, only: string[] | null): Promise<{ memberId: string; controllerId: string }[]> {
    const linked = await this.logins.link(tx, user.id, email, only);
    for (const l of linked) {
      await this.changes.publish(
        tx,
        { ...caller, user: null },
        { action: 'member.login_link', entity: 'member', entityId: l.memberId, organisationId: l.controllerId, changes: { userId: { from: null, to: user.id } } },
      );
    }
    return linked;
  }

  /**
   * POST /me/links: a logged-in person asks to link the member records held
   * with their login's (confirmed) address. The same answer whatever is held;
   * the link goes to that address and must be followed while logged in.
   */
  async requestLinks(caller: Caller): Promise<typeof ACCEPTED> {
    const authUser = requireUser(caller);
    await this.transactions.run(async (tx) => {
      const user = await this.users.findById(authUser.id, tx);
      if (!user?.emailConfirmedAt || user.disabledAt) return;
      const language = await this.logins.linkableLanguage(tx, user.id, user.email);
      if (!language || !(await this.mayMail('link', user.email))) return;
      await this.mailLink(
        tx,
        'member_link',
        DAY,
        { userId: user.id, email: user.email },
        {
          template: 'account.member_link',
          dedupe: 'member_link',
          locale: language,
          path: '/account/link-memberships',
        },
      );
    });
    return ACCEPTED;
  }

  /** POST /me/links/confirm: the e-mailed link, followed by the same login that asked for it. */
  async confirmLinks(caller: Caller, token: string): Promise<{ linked: number }> {
    const authUser = requireUser(caller);
    return this.transactions.run(async (tx) => {
      const row = await this.tokens.consume(tx, ['member_link'], token);
      const user = await this.users.findById(authUser.id, tx);
      // Another login's link, or an address that changed since: the same answer as an unknown token.
      if (!user || row.userId !== user.id || user.email.toLowerCase() !== row.email?.toLowerCase()) throw invalidToken();
      const done = await this.linkRecords(tx, caller, user, user.email, null);
      return { linked: done.length };
    });
  }
}
