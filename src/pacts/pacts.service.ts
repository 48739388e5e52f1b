import { Injectable } from '@nestjs/common';

import type { Caller } from '../access/caller';
import { requireAccess } from '../access/resource-access';
import { today } from '../common/dates';
import { decodeCursorAs, invalidCursor, toPage, type Page } from '../common/pagination';
import { badRequest, conflict, forbidden } from '../common/problem';
import { Transactions, type Tx } from '../database/transactions';
import { DemandsService } from '../demands/demands.service';
import { OwnerAccessService, ownerAudit, ownerOf, requestedOwner } from '../demands/owner-access.service';
import { diff } from '../domain-events/changes';
import { DomainEvents } from '../domain-events/domain-events';
import { OrganisationsService } from '../organisations/organisations.service';
import type { CreatePactDto, PactQueryDto, PutConditionDto, UpdatePactDto } from './dto/pact.dto';
import type { PactCondition } from './pact-condition.entity';
import { conditionChangeError, pactTransitionError } from './pact-workflow';
import { PactAccess } from './pact.access';
import type { Pact } from './pact.entity';
import { pactDetailView, pactView, type ConditionView, type PactDetailView, type PactView } from './pact.views';
import { PactsRepository } from './pacts.repository';

const FIELDS: (keyof Pact)[] = ['ownerCoalitionId', 'ownerOrganisationId', 'counterpartOrganisationId', 'title', 'description', 'kind', 'status', 'startsOn', 'endsOn', 'signedOn'];
const CONDITION_FIELDS: (keyof PactCondition)[] = ['demandId', 'status', 'note'];
/** The form of the time part of the cursors this list issues (created_at in UTC, microseconds). */
const CURSOR_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/;

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
    private readonly pacts: PactsRepository,
    private readonly pactAccess: PactAccess,
    private readonly transactions: Transactions,
    private readonly owners: OwnerAccessService,
    private readonly demands: DemandsService,
    private readonly organisations: OrganisationsService,
    private readonly changes: DomainEvents,
  ) {}

  /**
   * The pact if the caller is on our side, else 404 (never confirm a
   * negotiation exists); with `manage`, 403 unless they also manage it. With
   * `lock`, the row is locked first (FOR UPDATE) until `tx` ends.
   */
  private async find(tx: Tx, caller: Caller, id: string, action: 'see' | 'manage', lock = false): Promise<Pact> {
    const pact = await this.pacts.byId(tx, id, lock);
    await requireAccess(this.pactAccess.in(tx), caller, id, action, 'pact', 'Only the owner organisation’s org_admins or the coalition’s coordinators manage this pact.');
    return pact!;
  }

  async list(caller: Caller, query: PactQueryDto): Promise<Page<PactView>> {
    const after = decodeCursorAs<[string, string]>(query.cursor, 'timestamp', 'uuid');
    if (after && !CURSOR_AT.test(after[0])) throw invalidCursor();
    const scope = await this.owners.readScope(caller, 'pact.read');
    const rows = await this.pacts.list(scope, {
      coalition: query.coalition,
      organisation: query.organisation,
      counterpart: query.counterpart,
      status: query.status,
      after: after ?? undefined,
      limit: query.limit + 1,
    });
    return toPage(rows, query.limit, (r) => [r.cursor_at, r.id], pactView);
  }

  async get(caller: Caller, id: string): Promise<PactDetailView> {
    const tx = this.transactions.auto;
    await this.find(tx, caller, id, 'see');
    return this.detail(tx, id);
  }

  async create(caller: Caller, dto: CreatePactDto): Promise<PactDetailView> {
    const owner = requestedOwner(dto);
    return this.transactions.run(async (tx) => {
      await this.owners.assertOwner(tx, owner);
      if (!(await this.owners.canAct(caller, 'pact.manage', owner))) throw forbidden('You may offer pacts only for an organisation you are org_admin of or a coalition you coordinate.');
      const counterpart = await this.organisations.find(tx, dto.counterpartOrganisationId);
      if (!counterpart) throw badRequest('unknown-counterpart', 'The counterpart organisation does not exist.', [{ field: 'counterpartOrganisationId', message: 'no such organisation' }]);
      if (counterpart.id === owner.organisationId)
        throw badRequest('pact-with-itself', 'An organisation cannot make a pact with itself.', [{ field: 'counterpartOrganisationId', message: 'is our own side' }]);
      assertDates(dto);
      const pact = await this.pacts.insert(tx, {
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
      });
      await this.changes.publish(tx, caller, { action: 'pact.create', entity: 'pact', entityId: pact.id, ...ownerAudit(owner), changes: diff(null, pact, FIELDS) });
      return this.detail(tx, pact.id);
    });
  }

  async update(caller: Caller, id: string, dto: UpdatePactDto): Promise<PactDetailView> {
    return this.transactions.run(async (tx) => {
      const before = await this.find(tx, caller, id, 'manage', true);
      const after: Pact = { ...before };
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
        await this.pacts.update(tx, after);
        await this.changes.publish(tx, caller, { action: 'pact.update', entity: 'pact', entityId: id, ...ownerAudit(ownerOf(before)), changes });
      }
      return this.detail(tx, id);
    });
  }

  /**
   * Adds a demand of our side as a condition, or changes a condition's
   * status or note (see conditionChangeError for what the pact's status
   * allows). The pact row is locked so condition changes take turns with
   * changes of the pact's status.
   */
  async putCondition(caller: Caller, id: string, demandId: string, dto: PutConditionDto): Promise<{ condition: ConditionView; created: boolean }> {
    return this.transactions.run(async (tx) => {
      const pact = await this.find(tx, caller, id, 'manage', true);
      const owner = ownerOf(pact);
      const demand = await this.demands.conditionCandidate(tx, caller, demandId, owner);
      const existing = await this.pacts.condition(tx, pact.id, demand.id);
      const to = dto.status ?? existing?.status ?? 'pending';
      const invalid = conditionChangeError(pact.status, existing?.status ?? null, to);
      if (invalid) throw conflict(invalid.code, invalid.detail);
      const before = existing ? { ...existing } : null;
      const row: Partial<PactCondition> = existing ?? { pactId: pact.id, demandId: demand.id, note: null };
      row.status = to;
      if (dto.note !== undefined) row.note = dto.note;
      const changes = diff(before, row, CONDITION_FIELDS);
      const saved = Object.keys(changes).length ? await this.pacts.saveCondition(tx, row) : (row as PactCondition);
      if (Object.keys(changes).length) {
        await this.changes.publish(tx, caller, {
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

  private async detail(tx: Tx, id: string): Promise<PactDetailView> {
    return pactDetailView(await this.pacts.row(tx, id), await this.pacts.conditions(tx, id));
  }
}
