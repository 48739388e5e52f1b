import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Caller } from '../access/caller';
import { DomainEvents } from '../domain-events/domain-events';
import { diff } from '../domain-events/changes';
import { today } from '../common/dates';
import { UUID_PATTERN } from '../common/dto-fields';
import { decodeCursor, type Page, toPage } from '../common/pagination';
import { badRequest, conflict, forbidden, notFound } from '../common/problem';
import { SqlParams } from '../common/sql';
import { DemandsService } from '../demands/demands.service';
import { type Owner, OwnerAccessService, ownerOf, ownerScopeSql, requestedOwner } from '../demands/owner-access.service';
import { Organisation } from '../organisations/organisation.entity';
import type { CreatePactDto, PactQueryDto, PutConditionDto, UpdatePactDto } from './dto/pact.dto';
import { PactCondition } from './pact-condition.entity';
import { conditionChangeError, pactTransitionError } from './pact-workflow';
import { Pact } from './pact.entity';
import type { ConditionView, PactDetailView, PactView } from './pact.views';

const FIELDS: (keyof Pact)[] = ['ownerCoalitionId', 'ownerOrganisationId', 'counterpartOrganisationId', 'title', 'description', 'kind', 'status', 'startsOn', 'endsOn', 'signedOn'];
const CONDITION_FIELDS: (keyof PactCondition)[] = ['demandId', 'status', 'note'];
const CURSOR_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/;

interface PactRow {
  id: string;
  owner_coalition_id: string | null;
  owner_organisation_id: string | null;
  counterpart_organisation_id: string;
  title: string;
  description: string | null;
  kind: Pact['kind'];
  status: Pact['status'];
  starts_on: string | null;
  ends_on: string | null;
  signed_on: string | null;
  created_at: Date;
  updated_at: Date;
  cursor_at: string;
  cp_slug: string;
  cp_name: string;
  cp_short_name: string | null;
  cp_external: boolean;
  pending: number;
  accepted: number;
  rejected: number;
  fulfilled: number;
  breached: number;
}

/** A pact with its counterpart and the tally of its conditions; dates as text (the driver would make them local midnights). */
const PACT_SELECT = `SELECT p.id, p.owner_coalition_id, p.owner_organisation_id, p.counterpart_organisation_id, p.title, p.description, p.kind, p.status,
    p.starts_on::text AS starts_on, p.ends_on::text AS ends_on, p.signed_on::text AS signed_on, p.created_at, p.updated_at,
    to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS cursor_at,
    o.slug AS cp_slug, o.name AS cp_name, o.short_name AS cp_short_name, o.external AS cp_external,
    t.pending, t.accepted, t.rejected, t.fulfilled, t.breached
  FROM pacts p
  JOIN organisations o ON o.id = p.counterpart_organisation_id
  CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE c.status = 'pending')::int AS pending,
           count(*) FILTER (WHERE c.status = 'accepted')::int AS accepted,
           count(*) FILTER (WHERE c.status = 'rejected')::int AS rejected,
           count(*) FILTER (WHERE c.status = 'fulfilled')::int AS fulfilled,
           count(*) FILTER (WHERE c.status = 'breached')::int AS breached
    FROM pact_conditions c WHERE c.pact_id = p.id
  ) t`;

const viewOfRow = (r: PactRow): PactView => ({
  id: r.id,
  ownerCoalitionId: r.owner_coalition_id,
  ownerOrganisationId: r.owner_organisation_id,
  counterpartOrganisationId: r.counterpart_organisation_id,
  counterpart: { id: r.counterpart_organisation_id, slug: r.cp_slug, name: r.cp_name, shortName: r.cp_short_name, external: r.cp_external },
  title: r.title,
  description: r.description,
  kind: r.kind,
  status: r.status,
  startsOn: r.starts_on,
  endsOn: r.ends_on,
  signedOn: r.signed_on,
  tally: { pending: r.pending, accepted: r.accepted, rejected: r.rejected, fulfilled: r.fulfilled, breached: r.breached },
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const ownerAudit = (owner: Owner) => ({ coalitionId: owner.coalitionId, organisationId: owner.organisationId });

function assertDates(p: { startsOn?: string | null; endsOn?: string | null }): void {
  if (p.startsOn && p.endsOn && p.endsOn < p.startsOn) throw badRequest('invalid-dates', 'endsOn is before startsOn.', [{ field: 'endsOn', message: 'must not be before startsOn' }]);
}

/**
 * Pacts are negotiating positions: only our side reads them (the owner
 * organisation's pact.read holders; a coalition's coordinators and its
 * active partners' pact.read holders) and everyone else gets 404. Only the
 * owner organisation's org_admins or the coalition's coordinators manage
 * them. Conditions are demands of the same owner.
 */
@Injectable()
export class PactsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly owners: OwnerAccessService,
    private readonly demands: DemandsService,
    private readonly changes: DomainEvents,
  ) {}

  /** The pact if the caller is on our side, else 404 (never confirm a negotiation exists). */
  private async findVisible(caller: Caller, id: string, em: EntityManager, lock = false): Promise<Pact> {
    const pact = await em.findOne(Pact, { where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!pact || !(await this.owners.canRead(caller, 'pact.read', ownerOf(pact)))) throw notFound('pact');
    return pact;
  }

  private async assertManager(caller: Caller, pact: Pact): Promise<void> {
    if (!(await this.owners.canAct(caller, 'pact.manage', ownerOf(pact)))) throw forbidden('Only the owner organisation’s org_admins or the coalition’s coordinators manage this pact.');
  }

  async list(caller: Caller, query: PactQueryDto): Promise<Page<PactView>> {
    const scope = await this.owners.readScope(caller, 'pact.read');
    const p = new SqlParams();
    const where = [ownerScopeSql('p', scope, p)];
    if (query.coalition) where.push(`p.owner_coalition_id = ${p.add(query.coalition)}`);
    if (query.organisation) where.push(`p.owner_organisation_id = ${p.add(query.organisation)}`);
    if (query.counterpart) where.push(`p.counterpart_organisation_id = ${p.add(query.counterpart)}`);
    if (query.status) where.push(`p.status = ${p.add(query.status)}`);
    const after = decodeCursor<[string, string]>(query.cursor);
    if (after) {
      if (after.length !== 2 || !CURSOR_AT.test(String(after[0])) || !UUID_PATTERN.test(String(after[1]))) {
        throw badRequest('invalid-cursor', 'The cursor is not one this API issued.', [{ field: 'cursor', message: 'cursor is not valid' }]);
      }
      where.push(`(p.created_at, p.id) < (${p.add(after[0])}::timestamp AT TIME ZONE 'UTC', ${p.add(after[1])}::uuid)`);
    }
    const rows = await this.db.query<PactRow[]>(`${PACT_SELECT} WHERE ${where.join(' AND ')} ORDER BY p.created_at DESC, p.id DESC LIMIT ${p.add(query.limit + 1)}`, p.values);
    return toPage(rows, query.limit, (r) => [r.cursor_at, r.id], viewOfRow);
  }

  async get(caller: Caller, id: string): Promise<PactDetailView> {
    await this.findVisible(caller, id, this.db.manager);
    return this.detail(this.db.manager, id);
  }

  async create(caller: Caller, dto: CreatePactDto): Promise<PactDetailView> {
    const owner = requestedOwner(dto);
    return this.db.transaction(async (em) => {
      await this.owners.assertOwner(em, owner);
      if (!(await this.owners.canAct(caller, 'pact.manage', owner))) throw forbidden('You may offer pacts only for an organisation you are org_admin of or a coalition you coordinate.');
      const counterpart = await em.findOne(Organisation, { where: { id: dto.counterpartOrganisationId } });
      if (!counterpart) throw badRequest('unknown-counterpart', 'The counterpart organisation does not exist.', [{ field: 'counterpartOrganisationId', message: 'no such organisation' }]);
      if (counterpart.id === owner.organisationId) throw badRequest('pact-with-itself', 'An organisation cannot make a pact with itself.', [{ field: 'counterpartOrganisationId', message: 'is our own side' }]);
      assertDates(dto);
      const pact = await em.save(
        Pact,
        em.create(Pact, {
          ownerCoalitionId: owner.coalitionId,
          ownerOrganisationId: owner.organisationId,
          counterpartOrganisationId: counterpart.id,
          title: dto.title,
          description: dto.description ?? null,
          kind: dto.kind,
          status: 'draft',
          startsOn: dto.startsOn ?? null,
          endsOn: dto.endsOn ?? null,
          signedOn: dto.signedOn ?? null,
        }),
      );
      await this.changes.publish(em, caller, { action: 'pact.create', entity: 'pact', entityId: pact.id, ...ownerAudit(owner), changes: diff(null, pact, FIELDS) });
      return this.detail(em, pact.id);
    });
  }

  async update(caller: Caller, id: string, dto: UpdatePactDto): Promise<PactDetailView> {
    return this.db.transaction(async (em) => {
      const before = await this.findVisible(caller, id, em, true);
      await this.assertManager(caller, before);
      const after = em.create(Pact, { ...before });
      for (const f of ['title', 'description', 'kind', 'startsOn', 'endsOn', 'signedOn'] as const) {
        if (dto[f] !== undefined) (after as unknown as Record<string, unknown>)[f] = dto[f];
      }
      if (dto.status !== undefined && dto.status !== before.status) {
        const invalid = pactTransitionError(before.status, dto.status);
        if (invalid) throw conflict('invalid-transition', invalid);
        after.status = dto.status;
        if (dto.status === 'agreed' && !after.signedOn) after.signedOn = today();
      }
      assertDates(after);
      const changes = diff(before, after, FIELDS);
      if (Object.keys(changes).length) {
        await em.save(Pact, after);
        await this.changes.publish(em, caller, { action: 'pact.update', entity: 'pact', entityId: id, ...ownerAudit(ownerOf(before)), changes });
      }
      return this.detail(em, id);
    });
  }

  /**
   * Adds a demand of our side as a condition, or changes a condition's
   * status or note (see conditionChangeError for what the pact's status
   * allows). The pact row is locked so condition changes take turns with
   * changes of the pact's status.
   */
  async putCondition(caller: Caller, id: string, demandId: string, dto: PutConditionDto): Promise<{ condition: ConditionView; created: boolean }> {
    return this.db.transaction(async (em) => {
      const pact = await this.findVisible(caller, id, em, true);
      await this.assertManager(caller, pact);
      const owner = ownerOf(pact);
      const demand = await this.demands.conditionCandidate(caller, em, demandId, owner);
      const existing = await em.findOne(PactCondition, { where: { pactId: pact.id, demandId: demand.id } });
      const to = dto.status ?? existing?.status ?? 'pending';
      const invalid = conditionChangeError(pact.status, existing?.status ?? null, to);
      if (invalid) throw conflict(invalid.code, invalid.detail);
      const before = existing ? { ...existing } : null;
      const row = existing ?? em.create(PactCondition, { pactId: pact.id, demandId: demand.id, note: null });
      row.status = to;
      if (dto.note !== undefined) row.note = dto.note;
      const changes = diff(before, row, CONDITION_FIELDS);
      const saved = Object.keys(changes).length ? await em.save(PactCondition, row) : row;
      if (Object.keys(changes).length) {
        await this.changes.publish(em, caller, {
          action: existing ? 'pact.condition.update' : 'pact.condition.create',
          entity: 'pact_condition',
          entityId: saved.id,
          ...ownerAudit(owner),
          changes: { ...(existing ? {} : { pactId: { from: null, to: pact.id } }), ...changes },
        });
      }
      return {
        created: !existing,
        condition: {
          demandId: demand.id,
          demand: { id: demand.id, code: demand.code, title: demand.title, position: demand.position, status: demand.status },
          status: saved.status,
          note: saved.note,
          updatedAt: saved.updatedAt,
        },
      };
    });
  }

  private async detail(em: EntityManager, id: string): Promise<PactDetailView> {
    const [row] = await em.query<PactRow[]>(`${PACT_SELECT} WHERE p.id = $1`, [id]);
    const conditions = await em.query<{ demand_id: string; status: ConditionView['status']; note: string | null; updated_at: Date; code: string; title: string; position: number; demand_status: ConditionView['demand']['status'] }[]>(
      `SELECT c.demand_id, c.status, c.note, c.updated_at, d.code, d.title, d.position, d.status AS demand_status
       FROM pact_conditions c JOIN demands d ON d.id = c.demand_id WHERE c.pact_id = $1 ORDER BY d.position`,
      [id],
    );
    return {
      ...viewOfRow(row),
      conditions: conditions.map((c) => ({
        demandId: c.demand_id,
        demand: { id: c.demand_id, code: c.code, title: c.title, position: c.position, status: c.demand_status },
        status: c.status,
        note: c.note,
        updatedAt: c.updated_at,
      })),
    };
  }
}
