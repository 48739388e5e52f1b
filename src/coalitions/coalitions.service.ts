import { Injectable } from '@nestjs/common';

import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import { today } from '../common/dates';
import { decodeCursor, toPage, type Page, type PageQuery } from '../common/pagination';
import { badRequest, conflict, forbidden, notFound } from '../common/problem';
import { Transactions, type Tx } from '../database/transactions';
import { diff } from '../domain-events/changes';
import { DomainEvents } from '../domain-events/domain-events';
import { OrganisationsService } from '../organisations/organisations.service';
import type { CoalitionPartner, PartnerStatus } from './coalition-partner.entity';
import type { Coalition } from './coalition.entity';
import { partnerView, type PartnerView } from './coalition.views';
import { CoalitionsRepository } from './coalitions.repository';
import type { AddPartnerDto, CreateCoalitionDto, UpdateCoalitionDto, UpdatePartnerDto } from './dto/coalition.dto';
import { partnerMayAnswer, partnerTransitionError } from './partner-workflow';

const FIELDS: (keyof Coalition)[] = ['slug', 'name', 'description', 'foundedOn', 'status'];
const PARTNER_FIELDS: (keyof CoalitionPartner)[] = ['role', 'status', 'joinedOn', 'leftOn', 'notes'];

@Injectable()
export class CoalitionsService {
  constructor(
    private readonly coalitions: CoalitionsRepository,
    private readonly transactions: Transactions,
    private readonly access: AccessService,
    private readonly organisations: OrganisationsService,
    private readonly changes: DomainEvents,
  ) {}

  async get(idOrSlug: string, tx: Tx = this.transactions.auto): Promise<Coalition> {
    const c = await this.coalitions.byIdOrSlug(tx, idOrSlug);
    if (!c) throw notFound('coalition');
    return c;
  }

  /** The coalition, or null when there is none. `lock`: its row is locked (FOR NO KEY UPDATE) until `tx` ends. */
  find(tx: Tx, id: string, options: { lock?: boolean } = {}): Promise<Coalition | null> {
    return this.coalitions.byIdOrSlug(tx, id, options.lock);
  }

  /** The status of an organisation's partnership in a coalition, or null when it never was a partner. */
  partnerStatus(tx: Tx, coalitionId: string, organisationId: string): Promise<PartnerStatus | null> {
    return this.coalitions.partnerStatus(tx, coalitionId, organisationId);
  }

  /** The coalitions where one of these organisations is an active partner. */
  activelyPartnered(organisationIds: string[]): Promise<string[]> {
    return this.coalitions.activelyPartnered(organisationIds);
  }

  async list(query: PageQuery): Promise<Page<Coalition>> {
    const after = decodeCursor<[string]>(query.cursor);
    const rows = await this.coalitions.list(after?.[0], query.limit + 1);
    return toPage(rows, query.limit, (c) => [c.slug]);
  }

  async create(caller: Caller, dto: CreateCoalitionDto): Promise<Coalition> {
    if (!this.access.isPlatformAdmin(caller)) throw forbidden('Only a platform admin can create a coalition.');
    return this.transactions.run(async (tx) => {
      if (await this.coalitions.slugTaken(tx, dto.slug)) throw conflict('slug-taken', `The slug "${dto.slug}" is already used by another coalition.`);
      const c = await this.coalitions.insert(tx, dto);
      await this.changes.publish(tx, caller, { action: 'coalition.create', entity: 'coalition', entityId: c.id, coalitionId: c.id, changes: diff(null, c, FIELDS) });
      return c;
    });
  }

  async update(caller: Caller, idOrSlug: string, dto: UpdateCoalitionDto): Promise<Coalition> {
    return this.transactions.run(async (tx) => {
      const before = await this.get(idOrSlug, tx);
      if (!this.access.canOnCoalition(caller, 'coalition.update', before.id)) throw forbidden('You may not edit this coalition.');
      if (dto.slug && dto.slug !== before.slug && (await this.coalitions.slugTaken(tx, dto.slug))) {
        throw conflict('slug-taken', `The slug "${dto.slug}" is already used by another coalition.`);
      }
      const after = await this.coalitions.update(tx, before, dto);
      const changes = diff(before, after, FIELDS);
      if (Object.keys(changes).length) await this.changes.publish(tx, caller, { action: 'coalition.update', entity: 'coalition', entityId: after.id, coalitionId: after.id, changes });
      return after;
    });
  }

  /** Anyone sees a coalition's active partners; its coordinators see every partner, with notes. */
  async partners(caller: Caller, idOrSlug: string): Promise<PartnerView[]> {
    const coalition = await this.get(idOrSlug);
    const insider = this.access.canOnCoalition(caller, 'coalition.partners.manage', coalition.id);
    const rows = await this.coalitions.partners(coalition.id, !insider);
    return rows.map((p) => partnerView(p, insider));
  }

  /** Invites an organisation (status `invited`); its org_admin accepts by setting `active`. */
  async addPartner(caller: Caller, idOrSlug: string, dto: AddPartnerDto): Promise<PartnerView> {
    return this.transactions.run(async (tx) => {
      const coalition = await this.get(idOrSlug, tx);
      if (!this.access.canOnCoalition(caller, 'coalition.partners.manage', coalition.id)) throw forbidden('You may not manage this coalition’s partners.');
      const org = await this.organisations.requireInternal(tx, dto.organisationId, {
        unknown: () => badRequest('unknown-organisation', 'The organisation does not exist.', [{ field: 'organisationId', message: 'no such organisation' }]),
        external: () =>
          badRequest('external-organisation', 'An external organisation cannot be a partner; name it in a pact instead.', [{ field: 'organisationId', message: 'organisation is external' }]),
      });
      const existing = await this.coalitions.partnerForUpdate(tx, coalition.id, org.id);
      if (existing && existing.status !== 'withdrawn') throw conflict('already-partner', 'This organisation is already a partner of the coalition.');
      const before = existing ? { ...existing } : null;
      const row: Partial<CoalitionPartner> = existing ?? { coalitionId: coalition.id, organisationId: org.id };
      Object.assign(row, { role: dto.role ?? 'member', status: 'invited', leftOn: null, notes: dto.notes ?? row.notes ?? null });
      const saved = await this.coalitions.savePartner(tx, row);
      await this.changes.publish(tx, caller, {
        action: existing ? 'coalition.partner.reinvite' : 'coalition.partner.invite',
        entity: 'coalition_partner',
        entityId: saved.id,
        coalitionId: coalition.id,
        organisationId: org.id,
        changes: diff(before, saved, PARTNER_FIELDS),
      });
      saved.organisation = org;
      return partnerView(saved, true);
    });
  }

  /**
   * Coordinators may make any allowed transition and edit role and notes.
   * The partner's own org_admin may only answer for their organisation:
   * accept an invitation or withdraw.
   */
  async updatePartner(caller: Caller, idOrSlug: string, organisationId: string, dto: UpdatePartnerDto): Promise<PartnerView> {
    return this.transactions.run(async (tx) => {
      const coalition = await this.get(idOrSlug, tx);
      const coordinator = this.access.canOnCoalition(caller, 'coalition.partners.manage', coalition.id);
      const ownAdmin = !coordinator && (await this.access.canOnOrganisation(caller, 'organisation.update', organisationId));
      const row = await this.coalitions.partnerForUpdate(tx, coalition.id, organisationId);
      if (!row) throw notFound('partner');
      const organisation = (await this.organisations.find(tx, organisationId))!;
      if (!coordinator && !ownAdmin) throw forbidden('You may not change this partnership.');
      if (!coordinator) {
        if (dto.role !== undefined || dto.notes !== undefined) throw forbidden('Only the coalition’s coordinators set a partner’s role and notes.');
        if (dto.status && !partnerMayAnswer(row.status, dto.status)) {
          throw forbidden('A partner may accept an invitation or withdraw; other changes are for the coordinators.');
        }
      }
      const before = { ...row };
      if (dto.status && dto.status !== row.status) {
        const invalid = partnerTransitionError(row.status, dto.status);
        if (invalid) throw conflict('invalid-transition', invalid);
        row.status = dto.status;
        if (dto.status === 'active' && !row.joinedOn) row.joinedOn = today();
        if (dto.status === 'withdrawn') row.leftOn = today();
      }
      if (dto.role !== undefined) row.role = dto.role;
      if (dto.notes !== undefined) row.notes = dto.notes;
      const saved = Object.assign(await this.coalitions.savePartner(tx, row), { organisation });
      const changes = diff(before, saved, PARTNER_FIELDS);
      if (Object.keys(changes).length) {
        await this.changes.publish(tx, caller, { action: 'coalition.partner.update', entity: 'coalition_partner', entityId: saved.id, coalitionId: coalition.id, organisationId, changes });
      }
      return partnerView(saved, true);
    });
  }
}
