import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service';
import { type Caller, requireUser } from '../access/caller';
import { RolesService } from '../access/roles.service';
import { DomainEvents } from '../domain-events/domain-events';
import { verifyPassword } from '../auth/passwords';
import { conflict, forbidden, notFound, unauthorized } from '../common/problem';
import { today } from '../common/dates';
import { returningRows } from '../common/sql';
import { AccountTokensService } from '../auth/account-tokens.service';
import { OutboxService } from '../outbox/outbox.service';
import { SignupsService } from '../events/signups.service';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { UsersService } from '../users/users.service';
import type { AuditSummary, ErasureResult, MeExport, MemberExport } from './dto/member-views.dto';
import { ERASED_NAME } from './member.entity';
import { ENDED_STATUSES, type MembershipStatus } from './membership.entity';
import { type MemberAccess, MembersService } from './members.service';

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
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly changes: DomainEvents,
    private readonly members: MembersService,
    private readonly users: UsersService,
    private readonly roles: RolesService,
    private readonly limiter: RateLimitService,
    private readonly signups: SignupsService,
    private readonly outbox: OutboxService,
    private readonly accountTokens: AccountTokensService,
  ) {}

  /** GET /members/:id/export: the person themselves, a platform admin (everything), or an org_admin (their organisations' part). */
  async exportMember(caller: Caller, memberId: string): Promise<MemberExport> {
    const a = await this.members.accessFor(caller, memberId);
    if (!a.everything) {
      let manages = false;
      for (const m of a.memberships) manages ||= await this.access.canOnOrganisation(caller, 'member.manage', m.organisationId);
      if (!manages) throw forbidden('Exporting a person’s data is for the org_admins of their organisations.');
    }
    return this.db.transaction(async (em) => {
      const out = await this.exportOf(caller, a, em);
      await this.changes.publish(em, caller, { action: 'member.export', entity: 'member', entityId: memberId, organisationId: a.memberships[0]?.organisationId ?? a.member.controllerId, changes: null });
      return out;
    });
  }

  private async exportOf(caller: Caller, a: MemberAccess, em: EntityManager): Promise<MemberExport> {
    const membershipIds = a.memberships.map((m) => m.id);
    const consentIds = await em.query<{ id: string }[]>(
      `SELECT id FROM member_consents WHERE member_id = $1 ${a.scope.all ? '' : 'AND organisation_id = ANY($2::uuid[])'}`,
      a.scope.all ? [a.member.id] : [a.member.id, a.scope.ids],
    );
    const entries = await em.query<{ at: Date; action: string; entity: string; entity_id: string | null; organisation_id: string | null; fields: string[] | null }[]>(
      `SELECT at, action, entity, entity_id, organisation_id, (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(coalesce(changes, '{}'::jsonb)) k) AS fields
         FROM audit_log
        WHERE ((entity = 'member' AND entity_id = $1)
            OR (entity = 'membership' AND entity_id = ANY($2::text[]))
            OR (entity = 'member_consent' AND entity_id = ANY($3::text[])))
          ${a.scope.all ? '' : 'AND organisation_id = ANY($4::uuid[])'}
        ORDER BY id`,
      a.scope.all ? [a.member.id, membershipIds, consentIds.map((c) => c.id)] : [a.member.id, membershipIds, consentIds.map((c) => c.id), a.scope.ids],
    );
    return {
      exportedAt: new Date(),
      scope: a.everything ? 'all' : 'scoped',
      member: await this.members.view(caller, a, em),
      consents: await this.members.consentsFor(a, em),
      // Event signups (issue 7): as a member and as a guest with the same e-mail; an org_admin sees those of their organisations' events.
      eventSignups: await this.signups.exportFor(em, { memberId: a.member.id, email: a.member.email }, a.everything ? undefined : a.scope),
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
    for (const memberId of authUser.memberIds) members.push(await this.exportOf(caller, await this.members.accessFor(caller, memberId), this.db.manager));
    const entries = await this.db.query<{ at: Date; action: string; entity: string; entity_id: string | null; organisation_id: string | null; fields: string[] | null }[]>(
      `SELECT at, action, entity, entity_id, organisation_id, (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(coalesce(changes, '{}'::jsonb)) k) AS fields
         FROM audit_log WHERE entity = 'user' AND entity_id = $1 ORDER BY id`,
      [user.id],
    );
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
    return this.db.transaction(async (em) => {
      let result: ErasureResult | null = null;
      let ended = 0;
      for (const memberId of authUser.memberIds) {
        const one = await this.erase(caller, memberId, true, em);
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
   *   discarded;
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
  async erase(caller: Caller, memberId: string, everywhere = false, inTransaction?: EntityManager): Promise<ErasureResult> {
    if (!inTransaction) return this.db.transaction((em) => this.erase(caller, memberId, everywhere, em));
    const em = inTransaction;
    const a = await this.members.accessFor(caller, memberId, em, true);
    if (!a.everything) {
      for (const m of a.allMemberships) {
        if (!(await this.access.canOnOrganisation(caller, 'member.manage', m.organisationId))) {
          throw forbidden('Only an org_admin of every organisation this person belongs to, or a platform admin, may erase them.');
        }
      }
    }
    if (a.member.erasedAt) throw conflict('already-erased', 'This person’s data was already erased.');

    // The login linked to this record, if any. It may be linked to records of other data controllers
    // too, and hold roles: nothing about it may change the answer here (that would tell this controller
    // about others). The record is unlinked; the login closes only when nothing else is left on it.
    const [linked] = await em.query<{ id: string; email: string; keep: boolean }[]>(
      `SELECT u.id, u.email,
              (u.is_platform_admin OR EXISTS (SELECT 1 FROM role_assignments r WHERE r.user_id = u.id)
                OR EXISTS (SELECT 1 FROM member_logins o WHERE o.user_id = u.id AND o.member_id <> $1)) AS keep
         FROM member_logins l JOIN users u ON u.id = l.user_id WHERE l.member_id = $1 FOR UPDATE OF u`,
      [memberId],
    );
    const closing = linked && !linked.keep ? linked : null;
    // What is keyed by the address alone (rate-limit counters, e-mails owed, e-mailed links) may belong to another
    // controller's record or login of the same address: swept only when the person erases themselves, or when the
    // address's login closes here. Otherwise one organisation could, by erasing a record it made up, lift another's
    // failed-login lock or cancel its mails. Left alone, counters expire within their window (a day at most).
    const personal = [a.member.email, closing?.email].filter((e): e is string => !!e);
    const sweep = everywhere || closing !== null;
    const addresses = sweep ? personal.map((e) => e.toLowerCase()) : [];
    // Counters such as login-fail:account:<e-mail> name the person.
    await this.limiter.forget(em, addresses);
    // Event signups (issue 7): live ones are cancelled (seats go to the next in line), guest signups under the person's addresses lose their
    // personal data (first: whatever that writes to the outbox is anonymised next).
    await this.signups.erasePerson(em, caller, {
      memberId,
      emails: personal,
      controllerId: everywhere ? null : a.member.controllerId,
    });
    // E-mails owed to the person: never sent now, and kept only as anonymous rows.
    await this.outbox.forgetRecipients(em, addresses);
    // E-mailed links (confirmation, invitation, reset) die with the record and the closing login (and all to the address in a sweep).
    await this.accountTokens.forget(em, { memberId, userId: closing?.id ?? null, addresses });
    if (linked) await em.query('DELETE FROM member_logins WHERE member_id = $1', [memberId]);
    if (closing) await this.users.closeForErasure(em, closing.id);
    await em.query(
      `WITH failed AS (SELECT id FROM imports WHERE state = 'failed' AND EXISTS (SELECT 1 FROM import_chunks c WHERE c.import_id = imports.id))
       , gone AS (DELETE FROM import_chunks WHERE import_id IN (SELECT id FROM failed) RETURNING import_id)
       UPDATE imports SET failure = coalesce(failure || ' ', '') || 'Its stored file was discarded by an erasure: upload the file again.', updated_at = now()
        WHERE id IN (SELECT id FROM failed)`,
    );

    const ended = await returningRows<{ id: string; organisation_id: string; before: MembershipStatus; status: MembershipStatus; ended_on: string }>(
      em,
      `UPDATE memberships ms SET
          status = CASE WHEN ms.status = ANY($2::text[]) THEN ms.status ELSE 'resigned' END,
          ended_on = coalesce(ms.ended_on, greatest($3::date, ms.joined_on)),
          title = NULL,
          updated_at = now()
        FROM memberships old
       WHERE old.id = ms.id AND ms.member_id = $1
       RETURNING ms.id, ms.organisation_id, old.status AS before, ms.status, ms.ended_on::text`,
      [memberId, ENDED_STATUSES.filter((s) => s !== 'lapsed'), today()],
    );
    const [erased] = await returningRows<{ erased_at: Date }>(
      em,
      `UPDATE members SET given_name = $2, family_name = $2, email = NULL, phone = NULL, locality = NULL, languages = '{}',
              email_verified_at = NULL, erased_at = now(), updated_at = now()
        WHERE id = $1 RETURNING erased_at`,
      [memberId, ERASED_NAME],
    );

    for (const m of ended) {
      await this.changes.publish(em, caller, {
        action: 'membership.erase',
        entity: 'membership',
        entityId: m.id,
        organisationId: m.organisation_id,
        changes: { memberId: { from: memberId, to: memberId }, ...(m.before !== m.status ? { status: { from: m.before, to: m.status } } : {}) },
      });
    }
    await this.changes.publish(em, caller, {
      action: 'member.erase',
      entity: 'member',
      entityId: memberId,
      organisationId: a.member.controllerId,
      changes: {
        erasedAt: { from: null, to: erased.erased_at },
        memberships: { from: null, to: ended.map((m) => m.id) },
        ...(linked ? { userId: { from: linked.id, to: null } } : {}),
      },
    });
    return { id: memberId, erasedAt: erased.erased_at, membershipsEnded: ended.filter((m) => m.before !== m.status).length };
  }
}

function auditSummary(r: { at: Date; action: string; entity: string; entity_id: string | null; organisation_id: string | null; fields: string[] | null }): AuditSummary {
  return { at: r.at, action: r.action, entity: r.entity, entityId: r.entity_id, organisationId: r.organisation_id, fields: r.fields ?? [] };
}
