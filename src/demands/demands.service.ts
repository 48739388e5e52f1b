import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import { DomainEvents } from '../domain-events/domain-events';
import { diff } from '../domain-events/changes';
import { today } from '../common/dates';
import { UUID_PATTERN } from '../common/dto-fields';
import { decodeCursor, type Page, type PageQuery, toPage } from '../common/pagination';
import { AppError, badRequest, conflict, forbidden, notFound } from '../common/problem';
import { SqlParams } from '../common/sql';
import { Organisation } from '../organisations/organisation.entity';
import { ENDORSABLE, STATUS_PERMISSION, TEXT_PERMISSION, transitionError } from './demand-workflow';
import { Demand, PUBLIC_DEMAND_STATUSES } from './demand.entity';
import { DemandEndorsement } from './demand-endorsement.entity';
import { DemandRevision, type DemandText } from './demand-revision.entity';
import type { DemandDetailView, DemandView, EndorsementView, RevisionView } from './demand.views';
import type { CreateDemandDto, DemandQueryDto, EndorseDemandDto, ReorderDemandsDto, UpdateDemandDto } from './dto/demand.dto';
import { type Owner, OwnerAccessService, ownerOf, ownerScopeSql, requestedOwner } from './owner-access.service';

const FIELDS: (keyof Demand)[] = ['ownerCoalitionId', 'ownerOrganisationId', 'code', 'title', 'body', 'category', 'position', 'status', 'adoptedOn'];
const TEXT_FIELDS = ['title', 'body', 'category'] as const;

const ownerWhere = (owner: Owner) => (owner.coalitionId ? { ownerCoalitionId: owner.coalitionId } : { ownerOrganisationId: owner.organisationId! });
const ownerAudit = (owner: Owner) => ({ coalitionId: owner.coalitionId, organisationId: owner.organisationId });
const textOf = (d: Pick<Demand, 'title' | 'body' | 'category'>): DemandText => ({ title: d.title, body: d.body, category: d.category });

interface DemandRow {
  id: string;
  owner_coalition_id: string | null;
  owner_organisation_id: string | null;
  code: string;
  title: string;
  body: string;
  category: string | null;
  position: number;
  status: Demand['status'];
  adopted_on: string | null;
  endorsement_count: number;
  created_at: Date;
  updated_at: Date;
  owner_key: string;
}

/** Columns for hand-written list queries (dates as text: the driver would turn them into local midnights). */
const DEMAND_COLUMNS = `d.id, d.owner_coalition_id, d.owner_organisation_id, d.code, d.title, d.body, d.category, d.position, d.status,
  d.adopted_on::text AS adopted_on, d.created_at, d.updated_at, COALESCE(d.owner_coalition_id, d.owner_organisation_id) AS owner_key,
  (SELECT count(*)::int FROM demand_endorsements e WHERE e.demand_id = d.id) AS endorsement_count`;

const viewOfRow = (r: DemandRow): DemandView => ({
  id: r.id,
  ownerCoalitionId: r.owner_coalition_id,
  ownerOrganisationId: r.owner_organisation_id,
  code: r.code,
  title: r.title,
  body: r.body,
  category: r.category,
  position: r.position,
  status: r.status,
  adoptedOn: r.adopted_on,
  endorsementCount: r.endorsement_count,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/**
 * Demands: a coalition's or an organisation's programmatic platform.
 * Adopted and achieved demands are public; drafts, proposals and withdrawn
 * ones are read only inside the owner's scope (OwnerAccessService). Every
 * mutation runs in one transaction with its audit entry.
 */
@Injectable()
export class DemandsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly owners: OwnerAccessService,
    private readonly changes: DomainEvents,
  ) {}

  /**
   * A demand the caller may see, or 404 — never confirm that a draft exists
   * to someone outside the owner's scope. `insider`: the caller may read the
   * owner's non-public demands (and sees who did what).
   */
  async findVisible(caller: Caller, id: string, em: EntityManager = this.db.manager, lock?: 'pessimistic_write' | 'pessimistic_read'): Promise<{ demand: Demand; insider: boolean }> {
    const demand = await em.findOne(Demand, { where: { id }, ...(lock ? { lock: { mode: lock } } : {}) });
    if (!demand) throw notFound('demand');
    const insider = await this.owners.canRead(caller, 'demand.draft', ownerOf(demand));
    if (!insider && !PUBLIC_DEMAND_STATUSES.includes(demand.status)) throw notFound('demand');
    return { demand, insider };
  }

  async list(caller: Caller, query: DemandQueryDto): Promise<Page<DemandView>> {
    const scope = await this.owners.readScope(caller, 'demand.draft');
    const p = new SqlParams();
    const where = [`(d.status = ANY(${p.add(PUBLIC_DEMAND_STATUSES)}::text[]) OR ${ownerScopeSql('d', scope, p)})`];
    if (query.coalition) where.push(`d.owner_coalition_id = ${p.add(query.coalition)}`);
    if (query.organisation) where.push(`d.owner_organisation_id = ${p.add(query.organisation)}`);
    if (query.status) where.push(`d.status = ${p.add(query.status)}`);
    const after = decodeCursor<[string, number, string]>(query.cursor);
    if (after) {
      if (after.length !== 3 || !UUID_PATTERN.test(String(after[0])) || !Number.isInteger(after[1]) || !UUID_PATTERN.test(String(after[2]))) throw invalidCursor();
      where.push(`(COALESCE(d.owner_coalition_id, d.owner_organisation_id), d.position, d.id) > (${p.add(after[0])}::uuid, ${p.add(after[1])}::int, ${p.add(after[2])}::uuid)`);
    }
    // The platform order: owner by owner, by position.
    const rows = await this.db.query<DemandRow[]>(
      `SELECT ${DEMAND_COLUMNS} FROM demands d WHERE ${where.join(' AND ')}
       ORDER BY COALESCE(d.owner_coalition_id, d.owner_organisation_id), d.position, d.id LIMIT ${p.add(query.limit + 1)}`,
      p.values,
    );
    return toPage(rows, query.limit, (r) => [r.owner_key, r.position, r.id], viewOfRow);
  }

  async get(caller: Caller, id: string): Promise<DemandDetailView> {
    const { demand, insider } = await this.findVisible(caller, id);
    return this.detail(this.db.manager, demand, insider);
  }

  /** A new demand is a draft, appended at the end of its owner's platform. */
  async create(caller: Caller, dto: CreateDemandDto): Promise<DemandDetailView> {
    const owner = requestedOwner(dto);
    return this.db.transaction(async (em) => {
      await this.owners.assertOwner(em, owner, true);
      // Partners of a coalition read its drafts but do not write them: only its coordinators do.
      if (!(await this.owners.canAct(caller, 'demand.draft', owner))) throw forbidden('You may draft demands only for an organisation you organise or a coalition you coordinate.');
      let code = dto.code;
      if (code === undefined) code = await this.nextCode(em, owner);
      else await this.assertCodeFree(em, owner, code);
      const [{ next }] = await em.query<{ next: number }[]>(
        `SELECT COALESCE(max(position), 0) + 1 AS next FROM demands WHERE ${owner.coalitionId ? 'owner_coalition_id' : 'owner_organisation_id'} = $1`,
        [owner.coalitionId ?? owner.organisationId],
      );
      const demand = await em.save(
        Demand,
        em.create(Demand, {
          ownerCoalitionId: owner.coalitionId,
          ownerOrganisationId: owner.organisationId,
          code,
          title: dto.title,
          body: dto.body ?? '',
          category: dto.category ?? null,
          position: next,
          status: 'draft',
          adoptedOn: null,
        }),
      );
      await this.changes.publish(em, caller, { action: 'demand.create', entity: 'demand', entityId: demand.id, ...ownerAudit(owner), changes: diff(null, demand, FIELDS) });
      return this.detail(em, demand, true);
    });
  }

  /**
   * Edits the text and/or moves the status. Only the owner's own role
   * holders may (a coalition partner's admin reads but does not edit: 403);
   * editing an adopted demand's title, body or category stores a revision.
   */
  async update(caller: Caller, id: string, dto: UpdateDemandDto): Promise<DemandDetailView> {
    return this.db.transaction(async (em) => {
      const { demand: before } = await this.findVisible(caller, id, em, 'pessimistic_write');
      const owner = ownerOf(before);
      if (!(await this.owners.canAct(caller, 'demand.draft', owner))) throw forbidden('Only the owner’s organisers, org_admins or coordinators may edit this demand.');
      const mayDecide = () => this.owners.canAct(caller, 'demand.adopt', owner);
      const after = em.create(Demand, { ...before });

      const textChanged = TEXT_FIELDS.some((f) => dto[f] !== undefined && dto[f] !== before[f]);
      const codeChanged = dto.code !== undefined && dto.code !== before.code;
      if (textChanged || codeChanged) {
        const needs = TEXT_PERMISSION[before.status];
        if (needs === null) throw conflict('demand-closed', `This demand is ${before.status}: its text can no longer change.`);
        if (needs === 'demand.adopt' && !(await mayDecide())) throw forbidden('Only the owner’s org_admins or coordinators may edit an adopted demand.');
        if (codeChanged) await this.assertCodeFree(em, owner, dto.code!);
        for (const f of TEXT_FIELDS) if (dto[f] !== undefined) (after as unknown as Record<string, unknown>)[f] = dto[f];
        if (dto.code !== undefined) after.code = dto.code;
      }

      if (dto.status !== undefined && dto.status !== before.status) {
        const invalid = transitionError(before.status, dto.status);
        if (invalid) throw conflict('invalid-transition', invalid);
        if (STATUS_PERMISSION[dto.status] === 'demand.adopt' && !(await mayDecide())) {
          throw forbidden(`Only the owner’s org_admins or coordinators may make a demand ${dto.status}; organisers draft and propose.`);
        }
        after.status = dto.status;
        if (dto.status === 'adopted') after.adoptedOn = dto.adoptedOn ?? today();
      }
      if (dto.adoptedOn !== undefined && dto.adoptedOn !== after.adoptedOn) {
        if (after.status !== 'adopted' && after.status !== 'achieved') {
          throw badRequest('not-adopted', 'adoptedOn is set only on an adopted or achieved demand.', [{ field: 'adoptedOn', message: 'the demand is not adopted' }]);
        }
        if (!(await mayDecide())) throw forbidden('Only the owner’s org_admins or coordinators may change when a demand was adopted.');
        after.adoptedOn = dto.adoptedOn;
      }

      const changes = diff(before, after, FIELDS);
      if (Object.keys(changes).length === 0) return this.detail(em, before, true);
      const saved = await em.save(Demand, after);
      if (before.status === 'adopted' && TEXT_FIELDS.some((f) => before[f] !== saved[f])) {
        await em.insert(DemandRevision, { demandId: saved.id, before: textOf(before), after: textOf(saved), revisedBy: caller.user?.id ?? null });
      }
      await this.changes.publish(em, caller, { action: 'demand.update', entity: 'demand', entityId: saved.id, ...ownerAudit(owner), changes });
      return this.detail(em, saved, true);
    });
  }

  /** Oldest first; `revisedBy` only for callers inside the owner's scope. */
  async revisions(caller: Caller, id: string, query: PageQuery): Promise<Page<RevisionView>> {
    const { demand, insider } = await this.findVisible(caller, id);
    const after = decodeCursor<[string]>(query.cursor);
    if (after && (after.length !== 1 || !/^\d{1,18}$/.test(String(after[0])))) throw invalidCursor();
    const qb = this.db.getRepository(DemandRevision).createQueryBuilder('r').where('r.demand_id = :id', { id: demand.id });
    if (after) qb.andWhere('r.id > :after', { after: after[0] });
    const rows = await qb
      .orderBy('r.id', 'ASC')
      .take(query.limit + 1)
      .getMany();
    return toPage(
      rows,
      query.limit,
      (r) => [r.id],
      (r): RevisionView => ({ id: r.id, before: r.before, after: r.after, ...(insider ? { revisedBy: r.revisedBy } : {}), revisedAt: r.revisedAt }),
    );
  }

  /**
   * Sets the whole order of an owner's platform in one request: `ids` must
   * name every demand of the owner exactly once. The owner row is locked, so
   * concurrent reorders (and creations) run one after the other and the
   * positions stay exactly 1..n.
   */
  async reorder(caller: Caller, dto: ReorderDemandsDto): Promise<DemandView[]> {
    const owner = requestedOwner(dto);
    return this.db.transaction(async (em) => {
      await this.owners.assertOwner(em, owner, true);
      if (!(await this.owners.canAct(caller, 'demand.adopt', owner))) throw forbidden('Only the owner’s org_admins or coordinators may set the order of its platform.');
      const current = await em.find(Demand, { where: ownerWhere(owner), order: { position: 'ASC' } });
      const known = new Set(current.map((d) => d.id));
      const unknown = dto.ids.filter((id) => !known.has(id));
      if (unknown.length) {
        throw badRequest('unknown-demand', `${unknown.length} of the ids are not demands of this owner: ${unknown.join(', ')}.`, [{ field: 'ids', message: 'names demands of another owner or none' }]);
      }
      const named = new Set(dto.ids);
      const missing = current.filter((d) => !named.has(d.id));
      if (missing.length) {
        throw conflict('incomplete-order', `The platform has ${current.length} demands; send all of them in the new order. Missing: ${missing.map((d) => d.code).join(', ')}.`);
      }
      const beforeOrder = current.map((d) => d.code);
      const byId = new Map(current.map((d) => [d.id, d]));
      const afterOrder = dto.ids.map((id) => byId.get(id)!.code);
      if (beforeOrder.join('\u0000') !== afterOrder.join('\u0000')) {
        // Move the rows that change out of 1..n first, then into place: the
        // unique (owner, position) index holds after every row.
        const ordered = `unnest($1::uuid[]) WITH ORDINALITY AS v(id, ord)`;
        await em.query(`UPDATE demands d SET position = d.position + $2 FROM ${ordered} WHERE d.id = v.id AND d.position <> v.ord`, [dto.ids, dto.ids.length]);
        await em.query(`UPDATE demands d SET position = v.ord, updated_at = now() FROM ${ordered} WHERE d.id = v.id AND d.position <> v.ord`, [dto.ids]);
        await this.changes.publish(em, caller, {
          action: 'demand.reorder',
          entity: owner.coalitionId ? 'coalition' : 'organisation',
          entityId: owner.coalitionId ?? owner.organisationId,
          ...ownerAudit(owner),
          changes: { order: { from: beforeOrder, to: afterOrder } },
        });
      }
      return this.ownerPlatform(em, owner);
    });
  }

  /**
   * An org_admin endorses on behalf of their organisation, once. A
   * coalition's demand is endorsed by its active partners only.
   */
  async endorse(caller: Caller, id: string, dto: EndorseDemandDto): Promise<EndorsementView> {
    return this.db.transaction(async (em) => {
      // FOR SHARE: the status cannot change under the endorsement.
      const { demand, insider } = await this.findVisible(caller, id, em, 'pessimistic_read');
      const org = await em.findOne(Organisation, { where: { id: dto.organisationId } });
      if (!org) throw badRequest('unknown-organisation', 'The organisation does not exist.', [{ field: 'organisationId', message: 'no such organisation' }]);
      if (!(await this.access.canOnOrganisation(caller, 'demand.endorse', org.id))) throw forbidden('You may endorse only on behalf of an organisation you are org_admin of.');
      if (org.external) throw badRequest('external-organisation', 'An external organisation has no voice here; it cannot endorse.', [{ field: 'organisationId', message: 'organisation is external' }]);
      if (!ENDORSABLE.includes(demand.status)) throw conflict('not-endorsable', `A ${demand.status} demand cannot be endorsed; only a proposed or adopted one.`);
      if (demand.ownerCoalitionId) {
        const [partner] = await em.query<{ status: string }[]>('SELECT status FROM coalition_partners WHERE coalition_id = $1 AND organisation_id = $2', [demand.ownerCoalitionId, org.id]);
        if (partner?.status !== 'active') throw conflict('not-a-partner', `${org.name} is not an active partner of the coalition; only its active partners endorse its demands.`);
      }
      const endorsedOn = dto.endorsedOn ?? today();
      const inserted = await em
        .createQueryBuilder()
        .insert()
        .into(DemandEndorsement)
        .values({ demandId: demand.id, organisationId: org.id, endorsedOn, note: dto.note ?? null, endorsedBy: caller.user?.id ?? null })
        .orIgnore()
        .returning(['id'])
        .execute();
      const row = (inserted.raw as { id: string }[])[0];
      if (!row) throw conflict('already-endorsed', `${org.name} already endorses this demand; withdraw that endorsement first to record a new one.`);
      await this.changes.publish(em, caller, {
        action: 'demand.endorse',
        entity: 'demand_endorsement',
        entityId: row.id,
        organisationId: org.id,
        coalitionId: demand.ownerCoalitionId,
        changes: { demandId: { from: null, to: demand.id }, organisationId: { from: null, to: org.id }, endorsedOn: { from: null, to: endorsedOn }, note: { from: null, to: dto.note ?? null } },
      });
      return {
        organisationId: org.id,
        organisation: { id: org.id, slug: org.slug, name: org.name, shortName: org.shortName },
        endorsedOn,
        note: dto.note ?? null,
        ...(insider ? { endorsedBy: caller.user?.id ?? null } : {}),
      };
    });
  }

  /** Withdraws an organisation's endorsement: its org_admins only. */
  async unendorse(caller: Caller, id: string, organisationId: string): Promise<void> {
    await this.db.transaction(async (em) => {
      const { demand } = await this.findVisible(caller, id, em);
      const row = await em.findOne(DemandEndorsement, { where: { demandId: demand.id, organisationId }, lock: { mode: 'pessimistic_write' } });
      if (!row) throw notFound('endorsement');
      if (!(await this.access.canOnOrganisation(caller, 'demand.endorse', organisationId))) throw forbidden('Only the endorsing organisation’s org_admins may withdraw its endorsement.');
      await em.delete(DemandEndorsement, { id: row.id });
      await this.changes.publish(em, caller, {
        action: 'demand.unendorse',
        entity: 'demand_endorsement',
        entityId: row.id,
        organisationId,
        coalitionId: demand.ownerCoalitionId,
        changes: { demandId: { from: demand.id, to: null }, organisationId: { from: organisationId, to: null }, endorsedOn: { from: row.endorsedOn, to: null }, note: { from: row.note, to: null } },
      });
    });
  }

  /**
   * For the pacts module: a demand that may become a condition of a pact of
   * `owner`. Another owner's demand is refused (400) when the caller can see
   * it, and not found otherwise; drafts and withdrawn demands are no offer.
   */
  async conditionCandidate(caller: Caller, em: EntityManager, demandId: string, owner: Owner): Promise<Demand> {
    const demand = await em.findOne(Demand, { where: { id: demandId } });
    if (!demand) throw notFound('demand');
    if (demand.ownerCoalitionId !== owner.coalitionId || demand.ownerOrganisationId !== owner.organisationId) {
      await this.findVisible(caller, demandId, em); // 404 when the caller may not even see it
      throw badRequest('foreign-demand', `Demand ${demand.code} belongs to another owner; a pact’s conditions are demands of the side offering it.`, [{ field: 'demandId', message: 'demand of another owner' }]);
    }
    if (demand.status === 'draft' || demand.status === 'withdrawn') {
      throw conflict('demand-not-eligible', `Demand ${demand.code} is ${demand.status}; only proposed, adopted or achieved demands can be conditions of a pact.`);
    }
    return demand;
  }

  private async assertCodeFree(em: EntityManager, owner: Owner, code: string): Promise<void> {
    if (await em.exists(Demand, { where: { ...ownerWhere(owner), code } })) throw conflict('code-taken', `This owner already has a demand ${code}.`);
  }

  /** D<n>, one past the highest D-number in use. */
  private async nextCode(em: EntityManager, owner: Owner): Promise<string> {
    const [{ n }] = await em.query<{ n: number }[]>(
      `SELECT COALESCE(max(substring(code FROM 2)::int), 0) + 1 AS n FROM demands
       WHERE ${owner.coalitionId ? 'owner_coalition_id' : 'owner_organisation_id'} = $1 AND code ~ '^D[0-9]{1,9}$'`,
      [owner.coalitionId ?? owner.organisationId],
    );
    return `D${n}`;
  }

  private async ownerPlatform(em: EntityManager, owner: Owner): Promise<DemandView[]> {
    const rows = await em.query<DemandRow[]>(
      `SELECT ${DEMAND_COLUMNS} FROM demands d WHERE ${owner.coalitionId ? 'd.owner_coalition_id' : 'd.owner_organisation_id'} = $1 ORDER BY d.position`,
      [owner.coalitionId ?? owner.organisationId],
    );
    return rows.map(viewOfRow);
  }

  private async detail(em: EntityManager, d: Demand, insider: boolean): Promise<DemandDetailView> {
    const rows = await em.query<{ organisation_id: string; slug: string; name: string; short_name: string | null; endorsed_on: string; note: string | null; endorsed_by: string | null }[]>(
      `SELECT e.organisation_id, o.slug, o.name, o.short_name, e.endorsed_on::text AS endorsed_on, e.note, e.endorsed_by
       FROM demand_endorsements e JOIN organisations o ON o.id = e.organisation_id
       WHERE e.demand_id = $1 ORDER BY e.endorsed_on, e.created_at`,
      [d.id],
    );
    const endorsements: EndorsementView[] = rows.map((r) => ({
      organisationId: r.organisation_id,
      organisation: { id: r.organisation_id, slug: r.slug, name: r.name, shortName: r.short_name },
      endorsedOn: r.endorsed_on,
      note: r.note,
      ...(insider ? { endorsedBy: r.endorsed_by } : {}),
    }));
    return {
      id: d.id,
      ownerCoalitionId: d.ownerCoalitionId,
      ownerOrganisationId: d.ownerOrganisationId,
      code: d.code,
      title: d.title,
      body: d.body,
      category: d.category,
      position: d.position,
      status: d.status,
      adoptedOn: d.adoptedOn,
      endorsementCount: endorsements.length,
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
      endorsements,
    };
  }
}

const invalidCursor = (): AppError => badRequest('invalid-cursor', 'The cursor is not one this API issued.', [{ field: 'cursor', message: 'cursor is not valid' }]);
