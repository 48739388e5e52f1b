import { Injectable } from '@nestjs/common';

import type { Caller } from '../access/caller';
import { requireAccess } from '../access/resource-access';
import { CoalitionsService } from '../coalitions/coalitions.service';
import { definedOnly } from '../common/dto-fields';
import { decodeCursorAs, toPage, type Page } from '../common/pagination';
import { badRequest, conflict, forbidden, notFound } from '../common/problem';
import { Transactions, type Tx } from '../database/transactions';
import { diff } from '../domain-events/changes';
import { DomainEvents } from '../domain-events/domain-events';
import { OrganisationsService } from '../organisations/organisations.service';
import { campaignTransitionError } from './campaign-workflow';
import { CampaignAccess } from './campaign.access';
import type { Campaign } from './campaign.entity';
import { campaignView, type CampaignView } from './campaign.views';
import { CampaignsRepository } from './campaigns.repository';
import type { CampaignQueryDto, CreateCampaignDto, UpdateCampaignDto } from './dto/campaign.dto';
import { LinkedDemandsService } from './linked-demands.service';

const FIELDS: (keyof Campaign)[] = ['organisationId', 'coalitionId', 'title', 'description', 'startsOn', 'endsOn', 'status'];

/**
 * Campaigns are public once active (or closed); drafts are seen only by
 * those who may manage the owner: campaign.manage on the owner organisation
 * (or an ancestor), or on the owner coalition (CampaignAccess).
 */
@Injectable()
export class CampaignsService {
  constructor(
    private readonly campaigns: CampaignsRepository,
    private readonly campaignAccess: CampaignAccess,
    private readonly transactions: Transactions,
    private readonly organisations: OrganisationsService,
    private readonly coalitions: CoalitionsService,
    private readonly changes: DomainEvents,
    private readonly linked: LinkedDemandsService,
  ) {}

  private async view(tx: Tx, caller: Caller, c: Campaign): Promise<CampaignView> {
    return campaignView(c, await this.linked.ofCampaign(tx, caller, c.id));
  }

  /** The campaign if the caller may see it, else null. Used by events to link one. */
  async findVisible(tx: Tx, caller: Caller, id: string): Promise<Campaign | null> {
    const c = await this.campaigns.byId(tx, id);
    if (!c) return null;
    if (!(await this.campaignAccess.in(tx).allowed(caller, 'see', [id])).has(id)) return null;
    return c;
  }

  async get(caller: Caller, id: string): Promise<CampaignView> {
    const tx = this.transactions.auto;
    const c = await this.findVisible(tx, caller, id);
    if (!c) throw notFound('campaign');
    return this.view(tx, caller, c);
  }

  /** Newest first; drafts only inside the caller's campaign.manage scopes. */
  async list(caller: Caller, q: CampaignQueryDto): Promise<Page<Campaign>> {
    const after = decodeCursorAs<[string, string]>(q.cursor, 'date', 'uuid');
    const rows = await this.campaigns.list(await this.campaignAccess.scope(caller), {
      organisation: q.organisation,
      coalition: q.coalition,
      status: q.status,
      after: after ?? undefined,
      limit: q.limit + 1,
    });
    return toPage(rows, q.limit, (c) => [c.startsOn, c.id]);
  }

  private checkDates(startsOn: string, endsOn: string | null): void {
    if (endsOn && endsOn < startsOn) throw badRequest('invalid-dates', 'A campaign cannot end before it starts.', [{ field: 'endsOn', message: 'endsOn must not be before startsOn' }]);
  }

  async create(caller: Caller, dto: CreateCampaignDto): Promise<CampaignView> {
    if (!dto.organisationId === !dto.coalitionId) {
      throw badRequest('invalid-owner', 'Give exactly one of organisationId and coalitionId.', [{ field: 'organisationId', message: 'exactly one of organisationId, coalitionId is required' }]);
    }
    this.checkDates(dto.startsOn, dto.endsOn ?? null);
    return this.transactions.run(async (tx) => {
      if (dto.organisationId) {
        await this.organisations.requireInternal(tx, dto.organisationId, {
          unknown: () => badRequest('unknown-organisation', 'The organisation does not exist.', [{ field: 'organisationId', message: 'unknown organisation' }]),
          external: () => badRequest('external-organisation', 'An external organisation cannot run campaigns here.', [{ field: 'organisationId', message: 'external organisation' }]),
        });
      } else if (!(await this.coalitions.find(tx, dto.coalitionId!))) {
        throw badRequest('unknown-coalition', 'The coalition does not exist.', [{ field: 'coalitionId', message: 'unknown coalition' }]);
      }
      const owner = { organisationId: dto.organisationId ?? null, coalitionId: dto.coalitionId ?? null };
      if (!(await this.campaignAccess.managesOwner(caller, owner))) throw forbidden('You may only create campaigns for an organisation or coalition you manage.');
      const demandIds = dto.demandIds ?? [];
      await this.linked.check(tx, caller, demandIds);
      const saved = await this.campaigns.insert(tx, {
        ...owner,
        title: dto.title,
        description: dto.description ?? null,
        startsOn: dto.startsOn,
        endsOn: dto.endsOn ?? null,
        status: dto.status ?? 'draft',
        createdBy: caller.user?.id ?? null,
      });
      await this.linked.replaceOfCampaign(tx, saved.id, demandIds);
      await this.changes.publish(tx, caller, {
        action: 'campaign.create',
        entity: 'campaign',
        entityId: saved.id,
        ...owner,
        changes: { ...diff(null, saved, FIELDS), ...(demandIds.length ? { demandIds: { from: null, to: demandIds } } : {}) },
      });
      return this.view(tx, caller, saved);
    });
  }

  async update(caller: Caller, id: string, dto: UpdateCampaignDto): Promise<CampaignView> {
    for (const field of ['title', 'startsOn', 'status', 'demandIds'] as const) {
      if (dto[field] === null) throw badRequest('validation-failed', `${field} cannot be null.`, [{ field, message: `${field} cannot be null` }]);
    }
    return this.transactions.run(async (tx) => {
      const before = await this.campaigns.byId(tx, id, true);
      if (!before) throw notFound('campaign');
      // A draft the caller may not manage does not exist for them (404); a public one is theirs to read, not to edit (403).
      await requireAccess(this.campaignAccess.in(tx), caller, id, 'manage', 'campaign', 'Only those who manage the campaign’s owner may edit it.');
      const { demandIds, ...fields } = dto;
      const after: Campaign = { ...before, ...definedOnly(fields) };
      this.checkDates(after.startsOn, after.endsOn);
      const refused = campaignTransitionError(before.status, after.status);
      if (refused) throw conflict(refused.code, refused.detail);
      const changes: Record<string, unknown> = diff(before, after, FIELDS);
      if (demandIds !== undefined) {
        await this.linked.check(tx, caller, demandIds);
        const previous = await this.linked.replaceOfCampaign(tx, id, demandIds);
        if (previous.length !== demandIds.length || previous.some((x) => !demandIds.includes(x))) changes.demandIds = { from: previous, to: demandIds };
      }
      if (!Object.keys(changes).length) return this.view(tx, caller, before);
      await this.campaigns.update(tx, id, { title: after.title, description: after.description, startsOn: after.startsOn, endsOn: after.endsOn, status: after.status });
      await this.changes.publish(tx, caller, { action: 'campaign.update', entity: 'campaign', entityId: id, organisationId: before.organisationId, coalitionId: before.coalitionId, changes });
      return this.view(tx, caller, (await this.campaigns.byId(tx, id))!);
    });
  }
}
