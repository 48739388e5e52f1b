import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import { DomainEvents } from '../domain-events/domain-events';
import { diff } from '../domain-events/changes';
import { today } from '../common/dates';
import { idOrSlugWhere } from '../common/ids';
import { decodeCursor, type Page, type PageQuery, toPage } from '../common/pagination';
import { badRequest, conflict, forbidden, notFound } from '../common/problem';
import { Organisation } from '../organisations/organisation.entity';
import { Coalition } from './coalition.entity';
import { CoalitionPartner, type PartnerStatus } from './coalition-partner.entity';
import type { AddPartnerDto, CreateCoalitionDto, UpdateCoalitionDto, UpdatePartnerDto } from './dto/coalition.dto';

const FIELDS: (keyof Coalition)[] = ['slug', 'name', 'description', 'foundedOn', 'status'];
const PARTNER_FIELDS: (keyof CoalitionPartner)[] = ['role', 'status', 'joinedOn', 'leftOn', 'notes'];

/** Partner status workflow. Withdrawn is final for the row; inviting again reopens it (history stays in the audit log). */
const TRANSITIONS: Record<PartnerStatus, readonly PartnerStatus[]> = {
  invited: ['active', 'withdrawn'],
  active: ['suspended', 'withdrawn'],
  suspended: ['active', 'withdrawn'],
  withdrawn: [],
};

export interface PartnerView {
  organisationId: string;
  organisation: { id: string; slug: string; name: string; shortName: string | null };
  role: string;
  status: PartnerStatus;
  joinedOn: string | null;
  leftOn: string | null;
  notes?: string | null;
}

@Injectable()
export class CoalitionsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly changes: DomainEvents,
  ) {}

  async get(idOrSlug: string, em: EntityManager = this.db.manager): Promise<Coalition> {
    const c = await em.findOne(Coalition, { where: idOrSlugWhere(idOrSlug) });
    if (!c) throw notFound('coalition');
    return c;
  }

  async list(query: PageQuery): Promise<Page<Coalition>> {
    const qb = this.db.getRepository(Coalition).createQueryBuilder('c');
    const after = decodeCursor<[string]>(query.cursor);
    if (after) qb.where('c.slug > :after', { after: after[0] });
    const rows = await qb.orderBy('c.slug', 'ASC').take(query.limit + 1).getMany();
    return toPage(rows, query.limit, (c) => [c.slug]);
  }

  async create(caller: Caller, dto: CreateCoalitionDto): Promise<Coalition> {
    if (!this.access.isPlatformAdmin(caller)) throw forbidden('Only a platform admin can create a coalition.');
    return this.db.transaction(async (em) => {
      if (await em.exists(Coalition, { where: { slug: dto.slug } })) throw conflict('slug-taken', `The slug "${dto.slug}" is already used by another coalition.`);
      const c = await em.save(Coalition, em.create(Coalition, dto));
      await this.changes.publish(em, caller, { action: 'coalition.create', entity: 'coalition', entityId: c.id, coalitionId: c.id, changes: diff(null, c, FIELDS) });
      return c;
    });
  }

  async update(caller: Caller, idOrSlug: string, dto: UpdateCoalitionDto): Promise<Coalition> {
    return this.db.transaction(async (em) => {
      const before = await this.get(idOrSlug, em);
      if (!this.access.canOnCoalition(caller, 'coalition.update', before.id)) throw forbidden('You may not edit this coalition.');
      if (dto.slug && dto.slug !== before.slug && (await em.exists(Coalition, { where: { slug: dto.slug } }))) {
        throw conflict('slug-taken', `The slug "${dto.slug}" is already used by another coalition.`);
      }
      const after = await em.save(Coalition, em.merge(Coalition, em.create(Coalition, before), dto));
      const changes = diff(before, after, FIELDS);
      if (Object.keys(changes).length) await this.changes.publish(em, caller, { action: 'coalition.update', entity: 'coalition', entityId: after.id, coalitionId: after.id, changes });
      return after;
    });
  }

  /** Anyone sees a coalition's active partners; its coordinators see every partner, with notes. */
  async partners(caller: Caller, idOrSlug: string): Promise<PartnerView[]> {
    const coalition = await this.get(idOrSlug);
    const insider = this.access.canOnCoalition(caller, 'coalition.partners.manage', coalition.id);
    const rows = await this.db.getRepository(CoalitionPartner).find({
      where: { coalitionId: coalition.id, ...(insider ? {} : { status: 'active' as const }) },
      relations: { organisation: true },
      order: { createdAt: 'ASC' },
    });
    return rows.map((p) => this.partnerView(p, insider));
  }

  private partnerView(p: CoalitionPartner, withNotes: boolean): PartnerView {
    const o = p.organisation!;
    return {
      organisationId: p.organisationId,
      organisation: { id: o.id, slug: o.slug, name: o.name, shortName: o.shortName },
      role: p.role,
      status: p.status,
      joinedOn: p.joinedOn,
      leftOn: p.leftOn,
      ...(withNotes ? { notes: p.notes } : {}),
    };
  }

  /** Invites an organisation (status `invited`); its org_admin accepts by setting `active`. */
  async addPartner(caller: Caller, idOrSlug: string, dto: AddPartnerDto): Promise<PartnerView> {
    return this.db.transaction(async (em) => {
      const coalition = await this.get(idOrSlug, em);
      if (!this.access.canOnCoalition(caller, 'coalition.partners.manage', coalition.id)) throw forbidden('You may not manage this coalition’s partners.');
      const org = await em.findOne(Organisation, { where: { id: dto.organisationId } });
      if (!org) throw badRequest('unknown-organisation', 'The organisation does not exist.', [{ field: 'organisationId', message: 'no such organisation' }]);
      if (org.external) throw badRequest('external-organisation', 'An external organisation cannot be a partner; name it in a pact instead.', [{ field: 'organisationId', message: 'organisation is external' }]);
      const existing = await em.findOne(CoalitionPartner, { where: { coalitionId: coalition.id, organisationId: org.id }, lock: { mode: 'pessimistic_write' } });
      if (existing && existing.status !== 'withdrawn') throw conflict('already-partner', 'This organisation is already a partner of the coalition.');
      const before = existing ? { ...existing } : null;
      const row = existing ?? em.create(CoalitionPartner, { coalitionId: coalition.id, organisationId: org.id });
      Object.assign(row, { role: dto.role ?? 'member', status: 'invited', leftOn: null, notes: dto.notes ?? row.notes ?? null });
      const saved = await em.save(CoalitionPartner, row);
      await this.changes.publish(em, caller, {
        action: existing ? 'coalition.partner.reinvite' : 'coalition.partner.invite',
        entity: 'coalition_partner',
        entityId: saved.id,
        coalitionId: coalition.id,
        organisationId: org.id,
        changes: diff(before, saved, PARTNER_FIELDS),
      });
      saved.organisation = org;
      return this.partnerView(saved, true);
    });
  }

  /**
   * Coordinators may make any allowed transition and edit role and notes.
   * The partner's own org_admin may only answer for their organisation:
   * accept an invitation or withdraw.
   */
  async updatePartner(caller: Caller, idOrSlug: string, organisationId: string, dto: UpdatePartnerDto): Promise<PartnerView> {
    return this.db.transaction(async (em) => {
      const coalition = await this.get(idOrSlug, em);
      const coordinator = this.access.canOnCoalition(caller, 'coalition.partners.manage', coalition.id);
      const ownAdmin = !coordinator && (await this.access.canOnOrganisation(caller, 'organisation.update', organisationId));
      const row = await em.findOne(CoalitionPartner, { where: { coalitionId: coalition.id, organisationId }, lock: { mode: 'pessimistic_write' } });
      if (!row) throw notFound('partner');
      row.organisation = (await em.findOne(Organisation, { where: { id: organisationId } }))!;
      if (!coordinator && !ownAdmin) throw forbidden('You may not change this partnership.');
      if (!coordinator) {
        if (dto.role !== undefined || dto.notes !== undefined) throw forbidden('Only the coalition’s coordinators set a partner’s role and notes.');
        if (dto.status && !(dto.status === 'withdrawn' || (row.status === 'invited' && dto.status === 'active'))) {
          throw forbidden('A partner may accept an invitation or withdraw; other changes are for the coordinators.');
        }
      }
      const before = { ...row };
      if (dto.status && dto.status !== row.status) {
        if (!TRANSITIONS[row.status].includes(dto.status)) {
          throw conflict('invalid-transition', `A partner cannot go from ${row.status} to ${dto.status}.`);
        }
        row.status = dto.status;
        if (dto.status === 'active' && !row.joinedOn) row.joinedOn = today();
        if (dto.status === 'withdrawn') row.leftOn = today();
      }
      if (dto.role !== undefined) row.role = dto.role;
      if (dto.notes !== undefined) row.notes = dto.notes;
      const { organisation, ...columns } = row;
      const saved = Object.assign(await em.save(CoalitionPartner, columns), { organisation });
      const changes = diff(before, saved, PARTNER_FIELDS);
      if (Object.keys(changes).length) {
        await this.changes.publish(em, caller, { action: 'coalition.partner.update', entity: 'coalition_partner', entityId: saved.id, coalitionId: coalition.id, organisationId, changes });
      }
      return this.partnerView(saved, true);
    });
  }
}
