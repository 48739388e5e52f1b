import { Injectable } from '@nestjs/common';

import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import { requireAccess } from '../access/resource-access';
import { CoalitionsService } from '../coalitions/coalitions.service';
import { today } from '../common/dates';
import { decodeCursorAs, toPage, type Page, type PageQuery } from '../common/pagination';
import { badRequest, conflict, forbidden, notFound } from '../common/problem';
import { Transactions, type Tx } from '../database/transactions';
import { diff } from '../domain-events/changes';
import { DomainEvents } from '../domain-events/domain-events';
import { organisationRef } from '../organisations/organisation.views';
import { OrganisationsService } from '../organisations/organisations.service';
import type { DemandText } from './demand-revision.entity';
import { ENDORSABLE, STATUS_PERMISSION, TEXT_PERMISSION, transitionError } from './demand-workflow';
import { DemandAccess } from './demand.access';
import type { Demand } from './demand.entity';
import { demandDetailView, demandView, endorsementView, revisionView, type DemandDetailView, type DemandView, type EndorsementView, type RevisionView } from './demand.views';
import { DemandsRepository } from './demands.repository';
import type { CreateDemandDto, DemandQueryDto, EndorseDemandDto, ReorderDemandsDto, UpdateDemandDto } from './dto/demand.dto';
import { OwnerAccessService, ownerAudit, ownerOf, requestedOwner, type Owner } from './owner-access.service';

const FIELDS: (keyof Demand)[] = ['ownerCoalitionId', 'ownerOrganisationId', 'code', 'title', 'body', 'category', 'position', 'status', 'adoptedOn'];
const TEXT_FIELDS = ['title', 'body', 'category'] as const;

const textOf = (d: Pick<Demand, 'title' | 'body' | 'category'>): DemandText => ({ title: d.title, body: d.body, category: d.category });

/** A demand as others name it (a campaign's or an event's linked demands). */
export type DemandRef = Pick<Demand, 'id' | 'code' | 'title' | 'status'>;

/**
 * Demands: a coalition's or an organisation's programmatic platform.
 * Adopted and achieved demands are public; drafts, proposals and withdrawn
 * ones are read only inside the owner's scope (DemandAccess). Every
 * mutation runs in one transaction with its audit entry.
 */
@Injectable()
export class DemandsService {
  constructor(
    private readonly demands: DemandsRepository,
    private readonly demandAccess: DemandAccess,
    private readonly transactions: Transactions,
    private readonly access: AccessService,
    private readonly owners: OwnerAccessService,
    private readonly organisations: OrganisationsService,
    private readonly coalitions: CoalitionsService,
    private readonly changes: DomainEvents,
  ) {}

  /**
   * A demand the caller may see, or 404 — never confirm that a draft exists
   * to someone outside the owner's scope. `insider`: the caller may read the
   * owner's non-public demands (and sees who did what). `lock`: the row is
   * locked first (FOR UPDATE or FOR SHARE) until `tx` ends.
   */
  private async findVisible(tx: Tx, caller: Caller, id: string, lock?: 'write' | 'share'): Promise<{ demand: Demand; insider: boolean }> {
    const demand = await this.demands.byId(tx, id, lock);
    if (!demand) throw notFound('demand');
    await requireAccess(this.demandAccess.in(tx), caller, id, 'see', 'demand');
    return { demand, insider: await this.demandAccess.may(tx, caller, 'inside', id) };
  }

  /** Of these demands, the ones the caller may see (any order; unknown ids are left out). */
  async visibleRefs(tx: Tx, caller: Caller, ids: readonly string[]): Promise<DemandRef[]> {
    const seen = await this.demandAccess.in(tx).allowed(caller, 'see', ids);
    return this.demands.refs(tx, [...seen]);
  }

  async list(caller: Caller, query: DemandQueryDto): Promise<Page<DemandView>> {
    const after = decodeCursorAs<[string, number, string]>(query.cursor, 'uuid', 'integer', 'uuid');
    const scope = await this.owners.readScope(caller, 'demand.draft');
    const rows = await this.demands.list(scope, { coalition: query.coalition, organisation: query.organisation, status: query.status, after: after ?? undefined, limit: query.limit + 1 });
    return toPage(rows, query.limit, (r) => [r.owner_key, r.position, r.id], demandView);
  }

  /**
   * A coalition's platform as anyone may read it: its adopted demands in
   * their order, each with the organisations endorsing it (who recorded an
   * endorsement is left out, as for any outsider). Two reads, whatever the
   * number of demands.
   */
  async coalitionPlatform(coalitionId: string): Promise<DemandDetailView[]> {
    const rows = await this.demands.coalitionDemands(coalitionId, 'adopted');
    const endorsements = await this.demands.endorsementsOf(rows.map((r) => r.id));
    return rows.map((r) => ({ ...demandView(r), endorsements: endorsements.filter((e) => e.demand_id === r.id).map((e) => endorsementView(e, false)) }));
  }

  async get(caller: Caller, id: string): Promise<DemandDetailView> {
    const tx = this.transactions.auto;
    const { demand, insider } = await this.findVisible(tx, caller, id);
    return this.detail(tx, demand, insider);
  }

  /** A new demand is a draft, appended at the end of its owner's platform. */
  async create(caller: Caller, dto: CreateDemandDto): Promise<DemandDetailView> {
    const owner = requestedOwner(dto);
    return this.transactions.run(async (tx) => {
      await this.owners.assertOwner(tx, owner, true);
      // Partners of a coalition read its drafts but do not write them: only its coordinators do.
      if (!(await this.owners.canAct(caller, 'demand.draft', owner))) throw forbidden('You may draft demands only for an organisation you organise or a coalition you coordinate.');
      let code = dto.code;
      if (code === undefined) code = await this.demands.nextCode(tx, owner);
      else await this.assertCodeFree(tx, owner, code);
      const demand = await this.demands.insert(tx, {
        ownerCoalitionId: owner.coalitionId,
        ownerOrganisationId: owner.organisationId,
        code,
        title: dto.title,
        body: dto.body ?? '',
        category: dto.category ?? null,
        position: await this.demands.nextPosition(tx, owner),
        status: 'draft',
        adoptedOn: null,
      });
      await this.changes.publish(tx, caller, { action: 'demand.create', entity: 'demand', entityId: demand.id, ...ownerAudit(owner), changes: diff(null, demand, FIELDS) });
      return this.detail(tx, demand, true);
    });
  }

  /**
   * Edits the text and/or moves the status. Only the owner's own role
   * holders may (a coalition partner's admin reads but does not edit: 403);
   * editing an adopted demand's title, body or category stores a revision.
   */
  async update(caller: Caller, id: string, dto: UpdateDemandDto): Promise<DemandDetailView> {
    return this.transactions.run(async (tx) => {
      const before = await this.demands.byId(tx, id, 'write');
      if (!before) throw notFound('demand');
      await requireAccess(this.demandAccess.in(tx), caller, id, 'draft', 'demand', 'Only the owner’s organisers, org_admins or coordinators may edit this demand.');
      const owner = ownerOf(before);
      const mayDecide = () => this.demandAccess.may(tx, caller, 'adopt', id);
      const after: Demand = { ...before };

      const textChanged = TEXT_FIELDS.some((f) => dto[f] !== undefined && dto[f] !== before[f]);
      const codeChanged = dto.code !== undefined && dto.code !== before.code;
      if (textChanged || codeChanged) {
        const needs = TEXT_PERMISSION[before.status];
        if (needs === null) throw conflict('demand-closed', `This demand is ${before.status}: its text can no longer change.`);
        if (needs === 'demand.adopt' && !(await mayDecide())) throw forbidden('Only the owner’s org_admins or coordinators may edit an adopted demand.');
        if (codeChanged) await this.assertCodeFree(tx, owner, dto.code!);
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
      if (Object.keys(changes).length === 0) return this.detail(tx, before, true);
      const saved = await this.demands.update(tx, after);
      if (before.status === 'adopted' && TEXT_FIELDS.some((f) => before[f] !== saved[f])) {
        await this.demands.insertRevision(tx, saved.id, textOf(before), textOf(saved), caller.user?.id ?? null);
      }
      await this.changes.publish(tx, caller, { action: 'demand.update', entity: 'demand', entityId: saved.id, ...ownerAudit(owner), changes });
      return this.detail(tx, saved, true);
    });
  }

  /** Oldest first; `revisedBy` only for callers inside the owner's scope. */
  async revisions(caller: Caller, id: string, query: PageQuery): Promise<Page<RevisionView>> {
    const { demand, insider } = await this.findVisible(this.transactions.auto, caller, id);
    const after = decodeCursorAs<[string]>(query.cursor, 'integer');
    const rows = await this.demands.revisions(demand.id, after ? String(after[0]) : undefined, query.limit + 1);
    return toPage(
      rows,
      query.limit,
      (r) => [r.id],
      (r) => revisionView(r, insider),
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
    return this.transactions.run(async (tx) => {
      await this.owners.assertOwner(tx, owner, true);
      if (!(await this.owners.canAct(caller, 'demand.adopt', owner))) throw forbidden('Only the owner’s org_admins or coordinators may set the order of its platform.');
      const current = await this.demands.ofOwner(tx, owner);
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
        await this.demands.reorder(tx, dto.ids);
        await this.changes.publish(tx, caller, {
          action: 'demand.reorder',
          entity: owner.coalitionId ? 'coalition' : 'organisation',
          entityId: owner.coalitionId ?? owner.organisationId,
          ...ownerAudit(owner),
          changes: { order: { from: beforeOrder, to: afterOrder } },
        });
      }
      return (await this.demands.platform(tx, owner)).map(demandView);
    });
  }

  /**
   * An org_admin endorses on behalf of their organisation, once. A
   * coalition's demand is endorsed by its active partners only.
   */
  async endorse(caller: Caller, id: string, dto: EndorseDemandDto): Promise<EndorsementView> {
    return this.transactions.run(async (tx) => {
      // FOR SHARE: the status cannot change under the endorsement.
      const { demand, insider } = await this.findVisible(tx, caller, id, 'share');
      const org = await this.organisations.requireInternal(
        tx,
        dto.organisationId,
        {
          unknown: () => badRequest('unknown-organisation', 'The organisation does not exist.', [{ field: 'organisationId', message: 'no such organisation' }]),
          external: () => badRequest('external-organisation', 'An external organisation has no voice here; it cannot endorse.', [{ field: 'organisationId', message: 'organisation is external' }]),
        },
        {
          // Who may speak for the organisation is answered before whether it has a voice here.
          checkFirst: async (o) => {
            if (!(await this.access.canOnOrganisation(caller, 'demand.endorse', o.id))) throw forbidden('You may endorse only on behalf of an organisation you are org_admin of.');
          },
        },
      );
      if (!ENDORSABLE.includes(demand.status)) throw conflict('not-endorsable', `A ${demand.status} demand cannot be endorsed; only a proposed or adopted one.`);
      if (demand.ownerCoalitionId) {
        const partner = await this.coalitions.partnerStatus(tx, demand.ownerCoalitionId, org.id);
        if (partner !== 'active') throw conflict('not-a-partner', `${org.name} is not an active partner of the coalition; only its active partners endorse its demands.`);
      }
      const endorsedOn = dto.endorsedOn ?? today();
      const endorsementId = await this.demands.endorse(tx, { demandId: demand.id, organisationId: org.id, endorsedOn, note: dto.note ?? null, endorsedBy: caller.user?.id ?? null });
      if (!endorsementId) throw conflict('already-endorsed', `${org.name} already endorses this demand; withdraw that endorsement first to record a new one.`);
      await this.changes.publish(tx, caller, {
        action: 'demand.endorse',
        entity: 'demand_endorsement',
        entityId: endorsementId,
        organisationId: org.id,
        coalitionId: demand.ownerCoalitionId,
        changes: { demandId: { from: null, to: demand.id }, organisationId: { from: null, to: org.id }, endorsedOn: { from: null, to: endorsedOn }, note: { from: null, to: dto.note ?? null } },
      });
      return {
        organisationId: org.id,
        organisation: organisationRef(org),
        endorsedOn,
        note: dto.note ?? null,
        ...(insider ? { endorsedBy: caller.user?.id ?? null } : {}),
      };
    });
  }

  /** Withdraws an organisation's endorsement: its org_admins only. */
  async unendorse(caller: Caller, id: string, organisationId: string): Promise<void> {
    await this.transactions.run(async (tx) => {
      const { demand } = await this.findVisible(tx, caller, id);
      const row = await this.demands.endorsementForUpdate(tx, demand.id, organisationId);
      if (!row) throw notFound('endorsement');
      if (!(await this.access.canOnOrganisation(caller, 'demand.endorse', organisationId))) throw forbidden('Only the endorsing organisation’s org_admins may withdraw its endorsement.');
      await this.demands.deleteEndorsement(tx, row.id);
      await this.changes.publish(tx, caller, {
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
  async conditionCandidate(tx: Tx, caller: Caller, demandId: string, owner: Owner): Promise<Demand> {
    const demand = await this.demands.byId(tx, demandId);
    if (!demand) throw notFound('demand');
    if (demand.ownerCoalitionId !== owner.coalitionId || demand.ownerOrganisationId !== owner.organisationId) {
      await requireAccess(this.demandAccess.in(tx), caller, demandId, 'see', 'demand'); // 404 when the caller may not even see it
      throw badRequest('foreign-demand', `Demand ${demand.code} belongs to another owner; a pact’s conditions are demands of the side offering it.`, [
        { field: 'demandId', message: 'demand of another owner' },
      ]);
    }
    if (demand.status === 'draft' || demand.status === 'withdrawn') {
      throw conflict('demand-not-eligible', `Demand ${demand.code} is ${demand.status}; only proposed, adopted or achieved demands can be conditions of a pact.`);
    }
    return demand;
  }

  private async assertCodeFree(tx: Tx, owner: Owner, code: string): Promise<void> {
    if (await this.demands.codeTaken(tx, owner, code)) throw conflict('code-taken', `This owner already has a demand ${code}.`);
  }

  private async detail(tx: Tx, d: Demand, insider: boolean): Promise<DemandDetailView> {
    return demandDetailView(d, await this.demands.endorsements(tx, d.id), insider);
  }
}
