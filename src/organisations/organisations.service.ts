import { Injectable } from '@nestjs/common';

import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import { decodeCursor, toPage, type Page } from '../common/pagination';
import { badRequest, conflict, forbidden, notFound, type AppError } from '../common/problem';
import { Transactions, type Tx } from '../database/transactions';
import { diff } from '../domain-events/changes';
import { DomainEvents } from '../domain-events/domain-events';
import type { CreateOrganisationDto, OrganisationQueryDto, UpdateOrganisationDto } from './dto/organisation.dto';
import type { Organisation } from './organisation.entity';
import { OrganisationsRepository } from './organisations.repository';

const FIELDS: (keyof Organisation)[] = [
  'slug',
  'name',
  'shortName',
  'kind',
  'parentId',
  'description',
  'country',
  'region',
  'website',
  'contactEmail',
  'status',
  'external',
  'embedOrigins',
  'textMonthlySegments',
];

/**
 * How a route refuses an organisation a request names: each route words
 * its own answers (status, code, detail, field), so they stay as they are.
 */
export interface OrganisationRefusals {
  /** There is no such organisation. */
  unknown: () => AppError;
  /** It is external: a counterpart outside the platform (no members, roles or activity here). */
  external: () => AppError;
}

export interface RequireInternalOptions {
  /** Lock the organisation's row (FOR NO KEY UPDATE) until the transaction ends. */
  lock?: boolean;
  /** A check that answers before the external one (e.g. a 403 for a caller who may not act for it). */
  checkFirst?: (org: Organisation) => Promise<void> | void;
}

@Injectable()
export class OrganisationsService {
  constructor(
    private readonly organisations: OrganisationsRepository,
    private readonly transactions: Transactions,
    private readonly access: AccessService,
    private readonly changes: DomainEvents,
  ) {}

  /** Organisations are public records: anyone may read them. */
  async get(idOrSlug: string, tx: Tx = this.transactions.auto): Promise<Organisation> {
    const org = await this.organisations.byIdOrSlug(tx, idOrSlug);
    if (!org) throw notFound('organisation');
    return org;
  }

  /** The organisation, or null when there is none. */
  find(tx: Tx, id: string): Promise<Organisation | null> {
    return this.organisations.byId(tx, id);
  }

  /**
   * The one check "the organisation exists and is not external" for a
   * request that names one (an owner, a partner, an endorser, a parent):
   * the organisation, or the route's own refusal.
   */
  async requireInternal(tx: Tx, idOrSlug: string, refuse: OrganisationRefusals, options: RequireInternalOptions = {}): Promise<Organisation> {
    const org = await this.organisations.byIdOrSlug(tx, idOrSlug, options.lock);
    if (!org) throw refuse.unknown();
    await options.checkFirst?.(org);
    if (org.external) throw refuse.external();
    return org;
  }

  /**
   * The same check for several organisations named by id (e.g. an event's
   * co-hosts): every one must exist (else `unknown`), then none may be
   * external (else `external`). The organisations, read at once.
   */
  async requireInternalAll(tx: Tx, ids: readonly string[], refuse: OrganisationRefusals): Promise<Organisation[]> {
    const found = await this.organisations.byIds(tx, ids);
    if (found.length !== ids.length) throw refuse.unknown();
    if (found.some((o) => o.external)) throw refuse.external();
    return found;
  }

  async list(query: OrganisationQueryDto): Promise<Page<Organisation>> {
    const after = decodeCursor<[string]>(query.cursor);
    const rows = await this.organisations.list({ kind: query.kind, parent: query.parent, q: query.q, afterSlug: after?.[0], limit: query.limit + 1 });
    return toPage(rows, query.limit, (o) => [o.slug]);
  }

  async children(idOrSlug: string): Promise<Organisation[]> {
    const org = await this.get(idOrSlug);
    return this.organisations.children(org.id);
  }

  /**
   * Top-level organisations are created by platform admins; an org_admin
   * creates sub-organisations (currents, chapters) under an organisation in
   * their scope.
   */
  async create(caller: Caller, dto: CreateOrganisationDto): Promise<Organisation> {
    return this.transactions.run(async (tx) => {
      if (dto.parentId) {
        const parent = await this.requireInternal(tx, dto.parentId, {
          unknown: () => badRequest('unknown-parent', 'The parent organisation does not exist.', [{ field: 'parentId', message: 'no such organisation' }]),
          external: () => badRequest('external-parent', 'An external organisation cannot have sub-organisations here.', [{ field: 'parentId', message: 'parent is external' }]),
        });
        if (!(await this.access.canOnOrganisation(caller, 'organisation.create', parent.id))) throw forbidden('You may only create organisations inside your own.');
      } else if (!this.access.isPlatformAdmin(caller)) {
        throw forbidden('Only a platform admin can create a top-level organisation; give a parentId inside your organisation.');
      }
      if (dto.external && !this.access.isPlatformAdmin(caller)) throw forbidden('Only a platform admin can register external organisations.');
      await this.assertSlugFree(tx, dto.slug);
      const org = await this.organisations.insert(tx, { ...dto, slug: dto.slug, parentId: dto.parentId ?? null });
      await this.changes.publish(tx, caller, { action: 'organisation.create', entity: 'organisation', entityId: org.id, organisationId: org.id, changes: diff(null, org, FIELDS) });
      return org;
    });
  }

  async update(caller: Caller, idOrSlug: string, dto: UpdateOrganisationDto): Promise<Organisation> {
    return this.transactions.run(async (tx) => {
      const before = await this.get(idOrSlug, tx);
      if (!(await this.access.canOnOrganisation(caller, 'organisation.update', before.id))) throw forbidden('You may not edit this organisation.');
      if (dto.slug && dto.slug !== before.slug) await this.assertSlugFree(tx, dto.slug);
      if (dto.parentId !== undefined && dto.parentId !== before.parentId) await this.assertCanMove(tx, caller, before, dto.parentId);
      const after = await this.organisations.update(tx, before, dto);
      const changes = diff(before, after, FIELDS);
      if (Object.keys(changes).length > 0) {
        await this.changes.publish(tx, caller, { action: 'organisation.update', entity: 'organisation', entityId: after.id, organisationId: after.id, changes });
      }
      return after;
    });
  }

  private async assertSlugFree(tx: Tx, slug: string): Promise<void> {
    if (await this.organisations.slugTaken(tx, slug)) throw conflict('slug-taken', `The slug "${slug}" is already used by another organisation.`);
  }

  /**
   * Re-parenting: never under itself or a descendant (no cycles), only into
   * a scope the caller manages, and never into another data controller (a
   * top-level organisation and its descendants) while the organisation or
   * its sub-organisations hold member records: those records are their
   * controller's, and moving them would hand them to another.
   */
  private async assertCanMove(tx: Tx, caller: Caller, org: Organisation, parentId: string | null): Promise<void> {
    await this.organisations.lockTree(tx);
    if (parentId === null) {
      if (!this.access.isPlatformAdmin(caller)) throw forbidden('Only a platform admin can make an organisation top-level.');
      await this.assertKeepsController(tx, org, parentId);
      return;
    }
    const parent = await this.organisations.byId(tx, parentId);
    if (!parent) throw badRequest('unknown-parent', 'The parent organisation does not exist.', [{ field: 'parentId', message: 'no such organisation' }]);
    if (await this.organisations.isWithin(tx, org.id, parentId)) throw conflict('hierarchy-cycle', 'An organisation cannot be placed under itself or one of its own sub-organisations.');
    if (!(await this.access.canOnOrganisation(caller, 'organisation.create', parentId))) throw forbidden('You may only move an organisation under one you manage.');
    await this.assertKeepsController(tx, org, parentId);
  }

  private async assertKeepsController(tx: Tx, org: Organisation, parentId: string | null): Promise<void> {
    const move = await this.organisations.move(tx, org.id, parentId);
    if (move.crosses && move.holds) {
      throw conflict(
        'holds-member-records',
        'This organisation (or one of its sub-organisations) holds member records, which belong to its top-level organisation: it cannot move under another top-level organisation.',
      );
    }
  }
}
