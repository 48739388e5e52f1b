import { Injectable } from '@nestjs/common';

import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import { today } from '../common/dates';
import { decodeCursorAs, encodeCursor, type Page } from '../common/pagination';
import { badRequest, conflict, forbidden, notFound } from '../common/problem';
import { Transactions, type Tx } from '../database/transactions';
import { diff } from '../domain-events/changes';
import { DomainEvents } from '../domain-events/domain-events';
import type { Organisation } from '../organisations/organisation.entity';
import { OrganisationsService } from '../organisations/organisations.service';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import type { ApplicationDto, ConsentDto, CreateMembershipDto, MembershipQueryDto, UpdateMembershipDto } from './dto/member.dto';
import { MemberAccountsService } from './member-accounts.service';
import { MemberAccess } from './member.access';
import { MEMBERSHIP_FIELDS, MEMBERSHIP_PERSONAL, MembersService, noMembersIn, refuseErased, type PersonInput } from './members.service';
import { membershipView, organisationMembershipItem, type ApplicationReceived, type MembershipView, type OrganisationMembershipItem } from './members.views';
import { datesOnStatus, ENDED_STATUSES, transitionError } from './membership-workflow';
import { MembershipsRepository } from './memberships.repository';

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
    private readonly transactions: Transactions,
    private readonly access: AccessService,
    private readonly memberAccess: MemberAccess,
    private readonly memberships: MembershipsRepository,
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
    const rows = await this.memberships.ofOrganisation(this.transactions.auto, org.id, {
      status: query.status,
      after: decodeCursorAs<[string, string, string]>(query.cursor, 'string', 'string', 'uuid'),
      rows: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    // member.read on this organisation was checked above: contact data may be shown.
    const items = page.map(organisationMembershipItem);
    const last = page[page.length - 1];
    return { items, nextCursor: rows.length > query.limit ? encodeCursor([last.family_name, last.given_name, last.member_id]) : null };
  }

  /** Adds a member the caller can already see to an organisation they manage. */
  async add(caller: Caller, orgIdOrSlug: string, dto: CreateMembershipDto): Promise<MembershipView> {
    return this.transactions.run(async (tx) => {
      const org = await this.organisations.get(orgIdOrSlug, tx);
      if (!(await this.access.canOnOrganisation(caller, 'member.manage', org.id))) throw forbidden('You may not manage this organisation’s members.');
      await this.members.organisationFor(tx, org.id);
      // Only a person already visible to the caller: a member id from elsewhere is "not found".
      const a = await this.memberAccess.load(tx, caller, dto.memberId, true);
      refuseErased(a.member);
      // The caller sees this record (above), so saying where it belongs tells them nothing new.
      if (a.member.controllerId !== (await this.members.controllerOf(tx, org.id))) {
        throw conflict('other-controller', 'This member record belongs to another top-level organisation; a record stays inside its own. Create a record in this organisation instead.');
      }
      const added = await this.members.addMembership(tx, caller, a.member.id, org.id, {
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
   * Status changes follow the workflow (membership-workflow.ts; 409 otherwise); each change is one
   * audit entry with the status before and after.
   */
  async update(caller: Caller, id: string, dto: UpdateMembershipDto): Promise<MembershipView> {
    return this.transactions.run(async (tx) => {
      const row = await this.memberships.findById(tx, id, true);
      if (!row) throw notFound('membership');
      if (!(await this.access.canOnOrganisation(caller, 'member.read', row.organisationId))) throw notFound('membership');
      if (!(await this.access.canOnOrganisation(caller, 'member.manage', row.organisationId))) throw forbidden('You may not change this membership.');
      const before = { ...row };
      if (dto.status !== undefined && dto.status !== row.status) {
        const refused = transitionError(row.status, dto.status);
        if (refused) throw conflict('invalid-transition', refused);
        Object.assign(row, datesOnStatus(dto.status, row, today()));
        row.status = dto.status;
      }
      if (dto.title !== undefined) row.title = dto.title;
      if (dto.duesPaidUntil !== undefined) row.duesPaidUntil = dto.duesPaidUntil;
      if (dto.endedOn !== undefined) {
        if (dto.endedOn !== null && !ENDED_STATUSES.includes(row.status)) {
          throw badRequest('not-ended', `A ${row.status} membership has not ended: endedOn is set when it lapses, is resigned or expelled.`, [
            { field: 'endedOn', message: 'membership has not ended' },
          ]);
        }
        row.endedOn = dto.endedOn;
      }
      if (row.endedOn && row.joinedOn && row.endedOn < row.joinedOn) {
        throw badRequest('invalid-dates', 'A membership cannot end before it began.', [{ field: 'endedOn', message: 'endedOn is before joinedOn' }]);
      }
      const saved = await this.memberships.save(tx, row);
      const changes = diff(before, saved, MEMBERSHIP_FIELDS, MEMBERSHIP_PERSONAL);
      if (Object.keys(changes).length) {
        await this.changes.publish(tx, caller, {
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
    if (noMembersIn(org)) throw notFound('organisation accepting applications');
    await this.transactions.run((tx) => this.recordApplication(tx, caller, org, dto));
    return RECEIVED;
  }

  /**
   * An application's records, in `tx`: the person found or created in the
   * organisation's data controller (a known record is left as it is), an
   * `applied` membership unless there is one, the consent given to it, and
   * the address confirmation. The public form's path, and the "also join the
   * promoter's list" box of a promoted event's signup form (PromoterListJoins).
   * Nothing depends on whether the person was known.
   */
  async recordApplication(tx: Tx, caller: Caller, org: Organisation, dto: PersonInput & { consent: ConsentDto }): Promise<void> {
    const { member } = await this.members.findOrCreatePerson(tx, caller, dto, 'keep', org.id);
    await this.members.addMembership(tx, caller, member.id, org.id, { status: 'applied', source: 'form' });
    await this.members.recordConsent(tx, caller, member.id, org.id, dto.consent, 'form');
    await this.memberAccounts.sendApplicationConfirmation(tx, member, org);
  }
}
