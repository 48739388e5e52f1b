import { Injectable } from '@nestjs/common';

import { requireUser, type Caller } from '../access/caller';
import { requireAccess } from '../access/resource-access';
import { RolesService } from '../access/roles.service';
import { AccountTokensService } from '../auth/account-tokens.service';
import { verifyPassword } from '../auth/passwords';
import { today } from '../common/dates';
import { conflict, notFound, unauthorized } from '../common/problem';
import { Transactions, type Tx } from '../database/transactions';
import { DomainEvents } from '../domain-events/domain-events';
import { SignupsService } from '../events/signups.service';
import { OutboxService } from '../outbox/outbox.service';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { UsersService } from '../users/users.service';
import { MemberImportsRepository } from './member-imports.repository';
import { MemberLoginsRepository } from './member-logins.repository';
import { MemberRightsRepository } from './member-rights.repository';
import { MemberAccess, type LoadedMember } from './member.access';
import { MembersRepository } from './members.repository';
import { MembersService } from './members.service';
import { auditSummary, type ErasureResult, type MeExport, type MemberExport } from './members.views';
import { KEPT_BY_ERASURE } from './membership-workflow';
import { MembershipsRepository } from './memberships.repository';

/** Wrong passwords allowed on /me/erase per account and window. */
const ERASE_PASSWORD_LIMIT = { max: 5, windowSeconds: 15 * 60 };

/**
 * People's rights over their data: a copy of everything held (export) and
 * erasure. Both follow the same visibility as the rest of the module: an
 * organisation's admin exports what their organisations hold, never the
 * person's other memberships or consents.
 */
@Injectable()
export class MemberRightsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly memberAccess: MemberAccess,
    private readonly changes: DomainEvents,
    private readonly members: MembersService,
    private readonly memberRecords: MembersRepository,
    private readonly memberships: MembershipsRepository,
    private readonly logins: MemberLoginsRepository,
    private readonly imports: MemberImportsRepository,
    private readonly rights: MemberRightsRepository,
    private readonly users: UsersService,
    private readonly roles: RolesService,
    private readonly limiter: RateLimitService,
    private readonly signups: SignupsService,
    private readonly outbox: OutboxService,
    private readonly accountTokens: AccountTokensService,
  ) {}

  /** GET /members/:id/export: the person themselves, a platform admin (everything), or an org_admin (their organisations' part). */
  async exportMember(caller: Caller, memberId: string): Promise<MemberExport> {
    await requireAccess(this.memberAccess, caller, memberId, 'manage', 'member', 'Exporting a person’s data is for the org_admins of their organisations.');
    const a = await this.memberAccess.load(this.transactions.auto, caller, memberId);
    return this.transactions.run(async (tx) => {
      const out = await this.exportOf(caller, a, tx);
      await this.changes.publish(tx, caller, {
        action: 'member.export',
        entity: 'member',
        entityId: memberId,
        organisationId: a.memberships[0]?.organisationId ?? a.member.controllerId,
        changes: null,
      });
      return out;
    });
  }

  private async exportOf(caller: Caller, a: LoadedMember, tx: Tx): Promise<MemberExport> {
    const consentIds = await this.memberRecords.consentIds(tx, a.member.id, a.scope);
    const entries = await this.rights.auditAbout(
      tx,
      a.member.id,
      a.memberships.map((m) => m.id),
      consentIds,
      a.scope,
    );
    return {
      exportedAt: new Date(),
      scope: a.everything ? 'all' : 'scoped',
      member: await this.members.view(caller, a, tx),
      consents: await this.members.consentsFor(a, tx),
      // Event signups (issue 7): as a member and as a guest with the same e-mail; an org_admin sees those of their organisations' events.
      eventSignups: await this.signups.exportFor(tx, { memberId: a.member.id, email: a.member.email }, a.everything ? undefined : a.scope),
      auditEntries: entries.map(auditSummary),
    };
  }

  /** GET /me/export: the login, and every member record linked to it (one per data controller). */
  async exportSelf(caller: Caller): Promise<MeExport> {
    const authUser = requireUser(caller);
    const user = await this.users.findById(authUser.id);
    if (!user) throw unauthorized();
    const roles = await this.roles.rolesOf(user.id);
    const members: MemberExport[] = [];
    const db = this.transactions.auto;
    for (const memberId of authUser.memberIds) members.push(await this.exportOf(caller, await this.memberAccess.load(db, caller, memberId), db));
    const entries = await this.rights.auditAboutLogin(db, user.id);
    return {
      exportedAt: new Date(),
      user: {
        id: user.id,
        email: user.email,
        createdAt: user.createdAt,
        lastLoginAt: user.lastLoginAt,
        roles: roles.map((r) => ({ role: r.role, organisationId: r.organisationId, coalitionId: r.coalitionId })),
      },
      members,
      auditEntries: entries.map(auditSummary),
    };
  }

  /**
   * POST /me/erase: the person, re-authenticated with their password. Every
   * member record linked to the login is erased, then the login is closed.
   */
  async eraseSelf(caller: Caller, password: string): Promise<ErasureResult> {
    const authUser = requireUser(caller);
    const limit = { key: `erase-fail:user:${authUser.id}`, ...ERASE_PASSWORD_LIMIT };
    await this.limiter.check(limit);
    const user = await this.users.findWithHash(authUser.id);
    if (!user || !(await verifyPassword(user.passwordHash, password))) {
      await this.limiter.record(limit);
      throw unauthorized('The password is wrong.');
    }
    if (authUser.memberIds.length === 0) throw notFound('member linked to your login');
    // The roles as this request loaded them with the login (AuthService.loadAuthUser).
    if (authUser.isPlatformAdmin || authUser.roles.length > 0) {
      throw conflict('staff-login', 'Your login holds roles; give them up (or ask a platform admin to remove them) before erasing your data.');
    }
    // All of it or nothing: one transaction over every linked record.
    return this.transactions.run(async (tx) => {
      let result: ErasureResult | null = null;
      let ended = 0;
      for (const memberId of authUser.memberIds) {
        const one = await this.erase(caller, memberId, true, tx);
        ended += one.membershipsEnded;
        result ??= one;
      }
      return { ...result!, membershipsEnded: ended };
    });
  }

  /**
   * Erasure (right to be forgotten) of one member record. Allowed to the
   * person, a platform admin, or a caller who is org_admin (member.manage) of
   * EVERY organisation the record has a membership in (all inside its data
   * controller). In one transaction:
   * - the record's names become "Erased"; e-mail, phone, locality, languages go;
   * - every membership ends (resigned, endedOn today) and loses its title, but
   *   the rows stay, so counts and statistics still include the person;
   * - a linked login is unlinked from the record; it is anonymised and
   *   disabled (sessions revoked) only when nothing else is left on it — no
   *   record of another controller, no role (the same answer whatever the
   *   login holds elsewhere; /me/erase closes the whole login);
   * - stored files of failed imports (which may contain the person) are
   *   discarded — those of imports into the record's controller, or all of
   *   them when the person erases themselves;
   * - what is keyed by the address alone — rate-limit counters, e-mails owed
   *   to it (anonymised; pending ones never sent), e-mailed links — is swept
   *   when the person erases themselves or the address's login closes here,
   *   and otherwise left to another record of the address (counters expire);
   * - event signups: live ones are cancelled (their seats go to the next in
   *   line), guest signups made with the e-mail lose their personal data —
   *   those to events of the record's controller, or all of them when the
   *   person erases themselves;
   * - the record's own e-mailed links are deleted;
   * - the audit log gets entries with ids only (its diffs never held the values).
   */
  async erase(caller: Caller, memberId: string, everywhere = false, inTransaction?: Tx): Promise<ErasureResult> {
    if (!inTransaction) return this.transactions.run((tx) => this.erase(caller, memberId, everywhere, tx));
    const tx = inTransaction;
    const a = await this.memberAccess.load(tx, caller, memberId, true);
    await this.memberAccess.require(a, 'erase', 'Only an org_admin of every organisation this person belongs to, or a platform admin, may erase them.');
    if (a.member.erasedAt) throw conflict('already-erased', 'This person’s data was already erased.');

    // The login linked to this record, if any. It may be linked to records of other data controllers
    // too, and hold roles: nothing about it may change the answer here (that would tell this controller
    // about others). The record is unlinked; the login closes only when nothing else is left on it.
    const linked = await this.logins.linkedLogin(tx, memberId);
    const closing = linked && !linked.keep ? linked : null;
    // What is keyed by the address alone (rate-limit counters, e-mails owed, e-mailed links) may belong to another
    // controller's record or login of the same address: swept only when the person erases themselves, or when the
    // address's login closes here. Otherwise one organisation could, by erasing a record it made up, lift another's
    // failed-login lock or cancel its mails. Left alone, counters expire within their window (a day at most).
    const personal = [a.member.email, closing?.email].filter((e): e is string => !!e);
    const sweep = everywhere || closing !== null;
    const addresses = sweep ? personal.map((e) => e.toLowerCase()) : [];
    // Counters such as login-fail:account:<e-mail> name the person.
    await this.limiter.forget(tx, addresses);
    // Event signups (issue 7): live ones are cancelled (seats go to the next in line), guest signups under the person's addresses lose their
    // personal data (first: whatever that writes to the outbox is anonymised next).
    await this.signups.erasePerson(tx, caller, {
      memberId,
      emails: personal,
      controllerId: everywhere ? null : a.member.controllerId,
    });
    // E-mails and texts (issue 24: to the record's number) owed to the person: never sent now, and kept only as anonymous rows.
    await this.outbox.forgetRecipients(tx, [...addresses, ...(sweep && a.member.phone ? [a.member.phone] : [])]);
    // E-mailed links (confirmation, invitation, reset) die with the record and the closing login (and all to the address in a sweep).
    await this.accountTokens.forget(tx, { memberId, userId: closing?.id ?? null, addresses });
    if (linked) await this.logins.unlink(tx, memberId);
    if (closing) await this.users.closeForErasure(tx, closing.id);
    // Failed imports keep their file for a retry, and it may name the person: discarded, in the record's controller
    // (everywhere, for the person themselves) — another controller's files are not this erasure's to touch.
    await this.imports.discardFailedFiles(tx, everywhere ? null : a.member.controllerId);

    const ended = await this.memberships.endForErasure(tx, memberId, KEPT_BY_ERASURE, today());
    const erasedAt = await this.memberRecords.erase(tx, memberId);

    for (const m of ended) {
      await this.changes.publish(tx, caller, {
        action: 'membership.erase',
        entity: 'membership',
        entityId: m.id,
        organisationId: m.organisation_id,
        changes: { memberId: { from: memberId, to: memberId }, ...(m.before !== m.status ? { status: { from: m.before, to: m.status } } : {}) },
      });
    }
    await this.changes.publish(tx, caller, {
      action: 'member.erase',
      entity: 'member',
      entityId: memberId,
      organisationId: a.member.controllerId,
      changes: {
        erasedAt: { from: null, to: erasedAt },
        memberships: { from: null, to: ended.map((m) => m.id) },
        ...(linked ? { userId: { from: linked.id, to: null } } : {}),
      },
    });
    return { id: memberId, erasedAt, membershipsEnded: ended.filter((m) => m.before !== m.status).length };
  }
}
