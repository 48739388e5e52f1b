import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import { DomainEvents } from '../domain-events/domain-events';
import { diff } from '../domain-events/changes';
import { definedOnly, UUID_PATTERN } from '../common/dto-fields';
import { decodeCursor, type Page, toPage } from '../common/pagination';
import { badRequest, conflict, forbidden, notFound } from '../common/problem';
import { Campaign } from './campaign.entity';
import type { CampaignView } from './campaign.views';
import { LinkedDemandsService } from './linked-demands.service';
import type { CampaignQueryDto, CreateCampaignDto, UpdateCampaignDto } from './dto/campaign.dto';

const FIELDS: (keyof Campaign)[] = ['organisationId', 'coalitionId', 'title', 'description', 'startsOn', 'endsOn', 'status'];

/**
 * Campaigns are public once active (or closed); drafts are seen only by
 * those who may manage the owner: campaign.manage on the owner organisation
 * (or an ancestor), or on the owner coalition.
 */
@Injectable()
export class CampaignsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly changes: DomainEvents,
    private readonly linked: LinkedDemandsService,
  ) {}

  private async view(em: EntityManager, caller: Caller, c: Campaign): Promise<CampaignView> {
    return {
      id: c.id,
      organisationId: c.organisationId,
      coalitionId: c.coalitionId,
      title: c.title,
      description: c.description,
      startsOn: c.startsOn,
      endsOn: c.endsOn,
      status: c.status,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      demands: await this.linked.read(em, caller, 'campaign_demands', 'campaign_id', c.id),
    };
  }

  async canManage(caller: Caller, c: Pick<Campaign, 'organisationId' | 'coalitionId'>): Promise<boolean> {
    if (c.organisationId) return this.access.canOnOrganisation(caller, 'campaign.manage', c.organisationId);
    if (c.coalitionId) return this.access.canOnCoalition(caller, 'campaign.manage', c.coalitionId);
    return false;
  }

  /** The campaign if the caller may see it, else null. Used by events to link one. */
  async findVisible(em: EntityManager, caller: Caller, id: string): Promise<Campaign | null> {
    const c = await em.findOne(Campaign, { where: { id } });
    if (!c) return null;
    if (c.status === 'draft' && !(await this.canManage(caller, c))) return null;
    return c;
  }

  async get(caller: Caller, id: string): Promise<CampaignView> {
    const c = await this.findVisible(this.db.manager, caller, id);
    if (!c) throw notFound('campaign');
    return this.view(this.db.manager, caller, c);
  }

  /** Newest first; drafts only inside the caller's campaign.manage scopes (a SQL parameter, so no scope means no drafts). */
  async list(caller: Caller, q: CampaignQueryDto): Promise<Page<Campaign>> {
    const qb = this.db.getRepository(Campaign).createQueryBuilder('c');
    if (!this.access.isPlatformAdmin(caller)) {
      const orgs = await this.access.organisationScope(caller, 'campaign.manage');
      const coalitions = this.access.coalitionScope(caller, 'campaign.manage');
      qb.where(`(c.status <> 'draft' OR c.organisation_id = ANY(:orgs) OR c.coalition_id = ANY(:coalitions))`, {
        orgs: orgs.all ? [] : orgs.ids,
        coalitions: coalitions.all ? [] : coalitions.ids,
      });
    }
    if (q.organisation) qb.andWhere('c.organisation_id = :organisation', { organisation: q.organisation });
    if (q.coalition) qb.andWhere('c.coalition_id = :coalition', { coalition: q.coalition });
    if (q.status) qb.andWhere('c.status = :status', { status: q.status });
    const after = decodeCursor<[string, string]>(q.cursor);
    if (after) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(after[0]) || !UUID_PATTERN.test(after[1])) throw badRequest('invalid-cursor', 'The cursor is not one this API issued.', [{ field: 'cursor', message: 'cursor is not valid' }]);
      qb.andWhere('(c.starts_on, c.id) < (:afterOn, :afterId)', { afterOn: after[0], afterId: after[1] });
    }
    const rows = await qb.orderBy('c.starts_on', 'DESC').addOrderBy('c.id', 'DESC').take(q.limit + 1).getMany();
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
    return this.db.transaction(async (em) => {
      if (dto.organisationId) {
        const [org] = await em.query<{ external: boolean }[]>('SELECT external FROM organisations WHERE id = $1', [dto.organisationId]);
        if (!org) throw badRequest('unknown-organisation', 'The organisation does not exist.', [{ field: 'organisationId', message: 'unknown organisation' }]);
        if (org.external) throw badRequest('external-organisation', 'An external organisation cannot run campaigns here.', [{ field: 'organisationId', message: 'external organisation' }]);
      } else {
        const [c] = await em.query<{ id: string }[]>('SELECT id FROM coalitions WHERE id = $1', [dto.coalitionId]);
        if (!c) throw badRequest('unknown-coalition', 'The coalition does not exist.', [{ field: 'coalitionId', message: 'unknown coalition' }]);
      }
      const owner = { organisationId: dto.organisationId ?? null, coalitionId: dto.coalitionId ?? null };
      if (!(await this.canManage(caller, owner))) throw forbidden('You may only create campaigns for an organisation or coalition you manage.');
      const demandIds = dto.demandIds ?? [];
      await this.linked.check(em, caller, demandIds);
      const saved = await em.save(
        Campaign,
        em.create(Campaign, { ...owner, title: dto.title, description: dto.description ?? null, startsOn: dto.startsOn, endsOn: dto.endsOn ?? null, status: dto.status ?? 'draft', createdBy: caller.user?.id ?? null }),
      );
      await this.linked.replace(em, 'campaign_demands', 'campaign_id', saved.id, demandIds);
      await this.changes.publish(em, caller, {
        action: 'campaign.create',
        entity: 'campaign',
        entityId: saved.id,
        ...owner,
        changes: { ...diff(null, saved, FIELDS), ...(demandIds.length ? { demandIds: { from: null, to: demandIds } } : {}) },
      });
      return this.view(em, caller, saved);
    });
  }

  async update(caller: Caller, id: string, dto: UpdateCampaignDto): Promise<CampaignView> {
    for (const field of ['title', 'startsOn', 'status', 'demandIds'] as const) {
      if (dto[field] === null) throw badRequest('validation-failed', `${field} cannot be null.`, [{ field, message: `${field} cannot be null` }]);
    }
    return this.db.transaction(async (em) => {
      const before = await em.findOne(Campaign, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!before) throw notFound('campaign');
      const manages = await this.canManage(caller, before);
      if (!manages) {
        if (before.status === 'draft') throw notFound('campaign');
        throw forbidden('Only those who manage the campaign’s owner may edit it.');
      }
      const { demandIds, ...fields } = dto;
      const after: Campaign = { ...before, ...definedOnly(fields) };
      this.checkDates(after.startsOn, after.endsOn);
      // Once public, a campaign is part of the record: it can close, not vanish back into a draft.
      if (before.status !== 'draft' && after.status === 'draft') throw conflict('campaign-public', 'A campaign that was active cannot become a draft again; close it instead.');
      const changes: Record<string, unknown> = diff(before, after, FIELDS);
      if (demandIds !== undefined) {
        await this.linked.check(em, caller, demandIds);
        const previous = await this.linked.replace(em, 'campaign_demands', 'campaign_id', id, demandIds);
        if (previous.length !== demandIds.length || previous.some((x) => !demandIds.includes(x))) changes.demandIds = { from: previous, to: demandIds };
      }
      if (!Object.keys(changes).length) return this.view(em, caller, before);
      await em.update(Campaign, { id }, { title: after.title, description: after.description, startsOn: after.startsOn, endsOn: after.endsOn, status: after.status });
      await this.changes.publish(em, caller, { action: 'campaign.update', entity: 'campaign', entityId: id, organisationId: before.organisationId, coalitionId: before.coalitionId, changes });
      return this.view(em, caller, (await em.findOne(Campaign, { where: { id } }))!);
    });
  }
}
