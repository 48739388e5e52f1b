import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import { DomainEvents } from '../domain-events/domain-events';
import { diff } from '../domain-events/changes';
import { UUID_PATTERN } from '../common/dto-fields';
import { decodeCursor, encodeCursor, type Page } from '../common/pagination';
import { badRequest, conflict, forbidden, notFound } from '../common/problem';
import { today } from '../common/dates';
import { OrganisationsService } from '../organisations/organisations.service';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import type { ApplicationDto, CreateMembershipDto, MembershipQueryDto, UpdateMembershipDto } from './dto/member.dto';
import type { ApplicationReceived, MembershipView, OrganisationMembershipItem } from './dto/member-views.dto';
import { ENDED_STATUSES, Membership, type MembershipStatus, TRANSITIONS } from './membership.entity';
import { MEMBERSHIP_FIELDS, MEMBERSHIP_PERSONAL, MembersService, membershipView } from './members.service';
import { MemberAccountsService } from './member-accounts.service';

/** Public form: applications per client address and window. */
export const APPLICATION_LIMIT = { perIp: 20, windowSeconds: 10 * 60 };

/** The one answer to an application, whether the e-mail was known, new, or already a member. */
const RECEIVED: ApplicationReceived = {
  status: 'received',
  detail: 'Thank you. Your application has been received; the organisation will review it and contact you.',
};

@Injectable()
export class MembershipsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly changes: DomainEvents,
    private readonly organisations: OrganisationsService,
    private readonly members: MembersService,
    private readonly limiter: RateLimitService,
    private readonly memberAccounts: MemberAccountsService,
  ) {}

  /** One organisation's memberships (not its sub-organisations'), in directory order. */
  async list(caller: Caller, orgIdOrSlug: string, query: MembershipQueryDto): Promise<Page<OrganisationMembershipItem>> {
    const org = await this.organisations.get(orgIdOrSlug);
    if (!(await this.access.canOnOrganisation(caller, 'member.read', org.id))) throw forbidden('You may not read this organisation’s members.');
    const params: unknown[] = [org.id];
    const p = (value: unknown) => `$${params.push(value)}`;
    const where = ['ms.organisation_id = $1'];
    if (query.status) where.push(`ms.status = ${p(query.status)}`);
    const key = decodeCursor<[string, string, string]>(query.cursor);
    if (key) {
      if (key.length !== 3 || !UUID_PATTERN.test(String(key[2]))) throw badRequest('invalid-cursor', 'The cursor is not one this API issued.', [{ field: 'cursor', message: 'cursor is not valid' }]);
      where.push(`(m.family_name, m.given_name, m.id) > (${p(key[0])}, ${p(key[1])}, ${p(key[2])}::uuid)`);
    }
    const rows = await this.db.query<(Record<string, unknown> & { member_id: string; given_name: string; family_name: string })[]>(
      `SELECT ms.id, ms.member_id, ms.organisation_id, ms.status, ms.title, ms.joined_on::text, ms.ended_on::text, ms.source, ms.dues_paid_until::text, ms.created_at, ms.updated_at,
              m.given_name, m.family_name, m.region, m.email, m.phone, m.erased_at
         FROM memberships ms JOIN members m ON m.id = ms.member_id
        WHERE ${where.join(' AND ')}
        ORDER BY m.family_name, m.given_name, m.id
        LIMIT ${p(query.limit + 1)}`,
      params,
    );
    const page = rows.slice(0, query.limit);
    // member.read on this organisation was checked above: contact data may be shown.
    const items = page.map(
      (r): OrganisationMembershipItem => ({
        id: r.id as string,
        memberId: r.member_id,
        organisationId: r.organisation_id as string,
        status: r.status as MembershipStatus,
        title: r.title as string | null,
        joinedOn: r.joined_on as string | null,
        endedOn: r.ended_on as string | null,
        source: r.source as Membership['source'],
        duesPaidUntil: r.dues_paid_until as string | null,
        createdAt: r.created_at as Date,
        updatedAt: r.updated_at as Date,
        member: { givenName: r.given_name, familyName: r.family_name, region: r.region as string | null, email: r.email as string | null, phone: r.phone as string | null, erased: r.erased_at !== null },
      }),
    );
    const last = page[page.length - 1];
    return { items, nextCursor: rows.length > query.limit ? encodeCursor([last.family_name, last.given_name, last.member_id]) : null };
  }

  /** Adds a member the caller can already see to an organisation they manage. */
  async add(caller: Caller, orgIdOrSlug: string, dto: CreateMembershipDto): Promise<MembershipView> {
    return this.db.transaction(async (em) => {
      const org = await this.organisations.get(orgIdOrSlug, em);
      if (!(await this.access.canOnOrganisation(caller, 'member.manage', org.id))) throw forbidden('You may not manage this organisation’s members.');
      await this.members.organisationFor(em, org.id);
      // Only a person already visible to the caller: a member id from elsewhere is "not found".
      const a = await this.members.accessFor(caller, dto.memberId, em, true);
      if (a.member.erasedAt) throw conflict('member-erased', 'This person’s data was erased.');
      // The caller sees this record (above), so saying where it belongs tells them nothing new.
      if (a.member.controllerId !== (await this.members.controllerOf(em, org.id))) {
        throw conflict('other-controller', 'This member record belongs to another top-level organisation; a record stays inside its own. Create a record in this organisation instead.');
      }
      const added = await this.members.addMembership(em, caller, a.member.id, org.id, {
        status: dto.status ?? 'active',
        title: dto.title,
        joinedOn: dto.joinedOn,
        duesPaidUntil: dto.duesPaidUntil,
        source: 'manual',
      });
      if (!added) throw conflict('already-member', 'This person is already a member of this organisation.');
      return membershipView(added);
    });
  }

  /**
   * Status changes follow TRANSITIONS (409 otherwise); each change is one
   * audit entry with the status before and after.
   */
  async update(caller: Caller, id: string, dto: UpdateMembershipDto): Promise<MembershipView> {
    return this.db.transaction(async (em) => {
      const row = await em.findOne(Membership, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!row) throw notFound('membership');
      if (!(await this.access.canOnOrganisation(caller, 'member.read', row.organisationId))) throw notFound('membership');
      if (!(await this.access.canOnOrganisation(caller, 'member.manage', row.organisationId))) throw forbidden('You may not change this membership.');
      const before = { ...row };
      if (dto.status !== undefined && dto.status !== row.status) {
        if (!TRANSITIONS[row.status].includes(dto.status)) {
          const allowed = TRANSITIONS[row.status];
          throw conflict('invalid-transition', `A membership cannot go from ${row.status} to ${dto.status}${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ` (${row.status} is final)`}.`);
        }
        if (dto.status === 'active') {
          row.joinedOn ??= today();
          row.endedOn = null;
        }
        if (ENDED_STATUSES.includes(dto.status)) row.endedOn = today();
        row.status = dto.status;
      }
      if (dto.title !== undefined) row.title = dto.title;
      if (dto.duesPaidUntil !== undefined) row.duesPaidUntil = dto.duesPaidUntil;
      if (dto.endedOn !== undefined) {
        if (dto.endedOn !== null && !ENDED_STATUSES.includes(row.status)) {
          throw badRequest('not-ended', `A ${row.status} membership has not ended: endedOn is set when it lapses, is resigned or expelled.`, [{ field: 'endedOn', message: 'membership has not ended' }]);
        }
        row.endedOn = dto.endedOn;
      }
      if (row.endedOn && row.joinedOn && row.endedOn < row.joinedOn) {
        throw badRequest('invalid-dates', 'A membership cannot end before it began.', [{ field: 'endedOn', message: 'endedOn is before joinedOn' }]);
      }
      const saved = await em.save(Membership, row);
      const changes = diff(before, saved, MEMBERSHIP_FIELDS, MEMBERSHIP_PERSONAL);
      if (Object.keys(changes).length) {
        await this.changes.publish(em, caller, {
          action: changes.status ? 'membership.status' : 'membership.update',
          entity: 'membership',
          entityId: saved.id,
          organisationId: saved.organisationId,
          changes: { memberId: { from: saved.memberId, to: saved.memberId }, ...changes },
        });
      }
      return membershipView(saved);
    });
  }

  /**
   * The public membership form. Creates or finds the person (a known person's
   * data is left as it is: anyone can type anyone's e-mail), records the
   * consent given to this organisation, and an `applied` membership unless
   * the person already has one here. The answer is the same in every case, so
   * the form does not reveal who is already known.
   */
  async apply(caller: Caller, orgIdOrSlug: string, dto: ApplicationDto): Promise<ApplicationReceived> {
    await this.limiter.consume({ key: `apply:ip:${caller.ip}`, max: APPLICATION_LIMIT.perIp, windowSeconds: APPLICATION_LIMIT.windowSeconds });
    const org = await this.organisations.get(orgIdOrSlug);
    if (org.external || org.status !== 'active') throw notFound('organisation accepting applications');
    await this.db.transaction(async (em) => {
      const { member } = await this.members.findOrCreatePerson(em, caller, dto, 'keep', org.id);
      await this.members.addMembership(em, caller, member.id, org.id, { status: 'applied', source: 'form' });
      await this.members.recordConsent(em, caller, member.id, org.id, dto.consent, 'form');
      await this.memberAccounts.sendApplicationConfirmation(em, member, org);
    });
    return RECEIVED;
  }
}
