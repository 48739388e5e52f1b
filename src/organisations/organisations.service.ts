import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import { DomainEvents } from '../domain-events/domain-events';
import { diff } from '../domain-events/changes';
import { idOrSlugWhere } from '../common/ids';
import { decodeCursor, type Page, toPage } from '../common/pagination';
import { badRequest, conflict, forbidden, notFound } from '../common/problem';
import type { CreateOrganisationDto, OrganisationQueryDto, UpdateOrganisationDto } from './dto/organisation.dto';
import { Organisation } from './organisation.entity';

const FIELDS: (keyof Organisation)[] = ['slug', 'name', 'shortName', 'kind', 'parentId', 'description', 'country', 'region', 'website', 'contactEmail', 'status', 'external'];
/** One lock for all re-parenting, so two concurrent moves cannot close a cycle together. */
const TREE_LOCK = 7_244_310_053;

@Injectable()
export class OrganisationsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly changes: DomainEvents,
  ) {}

  /** Organisations are public records: anyone may read them. */
  async get(idOrSlug: string, em: EntityManager = this.db.manager): Promise<Organisation> {
    const org = await em.findOne(Organisation, { where: idOrSlugWhere(idOrSlug) });
    if (!org) throw notFound('organisation');
    return org;
  }

  async list(query: OrganisationQueryDto): Promise<Page<Organisation>> {
    const qb = this.db.getRepository(Organisation).createQueryBuilder('o');
    if (query.kind) qb.andWhere('o.kind = :kind', { kind: query.kind });
    if (query.parent) qb.andWhere('o.parent_id = :parent', { parent: query.parent });
    if (query.q) qb.andWhere('(o.name ILIKE :q OR o.short_name ILIKE :q OR o.slug ILIKE :q)', { q: `%${query.q.replace(/[\\%_]/g, '\\$&')}%` });
    const after = decodeCursor<[string]>(query.cursor);
    if (after) qb.andWhere('o.slug > :after', { after: after[0] });
    const rows = await qb.orderBy('o.slug', 'ASC').take(query.limit + 1).getMany();
    return toPage(rows, query.limit, (o) => [o.slug]);
  }

  async children(idOrSlug: string): Promise<Organisation[]> {
    const org = await this.get(idOrSlug);
    return this.db.getRepository(Organisation).find({ where: { parentId: org.id }, order: { slug: 'ASC' } });
  }

  /**
   * Top-level organisations are created by platform admins; an org_admin
   * creates sub-organisations (currents, chapters) under an organisation in
   * their scope.
   */
  async create(caller: Caller, dto: CreateOrganisationDto): Promise<Organisation> {
    return this.db.transaction(async (em) => {
      if (dto.parentId) {
        const parent = await em.findOne(Organisation, { where: { id: dto.parentId } });
        if (!parent) throw badRequest('unknown-parent', 'The parent organisation does not exist.', [{ field: 'parentId', message: 'no such organisation' }]);
        if (parent.external) throw badRequest('external-parent', 'An external organisation cannot have sub-organisations here.', [{ field: 'parentId', message: 'parent is external' }]);
        if (!(await this.access.canOnOrganisation(caller, 'organisation.create', parent.id))) throw forbidden('You may only create organisations inside your own.');
      } else if (!this.access.isPlatformAdmin(caller)) {
        throw forbidden('Only a platform admin can create a top-level organisation; give a parentId inside your organisation.');
      }
      if (dto.external && !this.access.isPlatformAdmin(caller)) throw forbidden('Only a platform admin can register external organisations.');
      await this.assertSlugFree(em, dto.slug);
      const org = await em.save(Organisation, em.create(Organisation, { ...dto, slug: dto.slug, parentId: dto.parentId ?? null }));
      await this.changes.publish(em, caller, { action: 'organisation.create', entity: 'organisation', entityId: org.id, organisationId: org.id, changes: diff(null, org, FIELDS) });
      return org;
    });
  }

  async update(caller: Caller, idOrSlug: string, dto: UpdateOrganisationDto): Promise<Organisation> {
    return this.db.transaction(async (em) => {
      const before = await this.get(idOrSlug, em);
      if (!(await this.access.canOnOrganisation(caller, 'organisation.update', before.id))) throw forbidden('You may not edit this organisation.');
      if (dto.slug && dto.slug !== before.slug) await this.assertSlugFree(em, dto.slug);
      if (dto.parentId !== undefined && dto.parentId !== before.parentId) await this.assertCanMove(em, caller, before, dto.parentId);
      const after = await em.save(Organisation, em.merge(Organisation, em.create(Organisation, before), dto));
      const changes = diff(before, after, FIELDS);
      if (Object.keys(changes).length > 0) {
        await this.changes.publish(em, caller, { action: 'organisation.update', entity: 'organisation', entityId: after.id, organisationId: after.id, changes });
      }
      return after;
    });
  }

  private async assertSlugFree(em: EntityManager, slug: string): Promise<void> {
    if (await em.exists(Organisation, { where: { slug } })) throw conflict('slug-taken', `The slug "${slug}" is already used by another organisation.`);
  }

  /**
   * Re-parenting: never under itself or a descendant (no cycles), only into
   * a scope the caller manages, and never into another data controller (a
   * top-level organisation and its descendants) while the organisation or
   * its sub-organisations hold member records: those records are their
   * controller's, and moving them would hand them to another.
   */
  private async assertCanMove(em: EntityManager, caller: Caller, org: Organisation, parentId: string | null): Promise<void> {
    await em.query('SELECT pg_advisory_xact_lock($1)', [TREE_LOCK]);
    if (parentId === null) {
      if (!this.access.isPlatformAdmin(caller)) throw forbidden('Only a platform admin can make an organisation top-level.');
      await this.assertKeepsController(em, org, parentId);
      return;
    }
    const parent = await em.findOne(Organisation, { where: { id: parentId } });
    if (!parent) throw badRequest('unknown-parent', 'The parent organisation does not exist.', [{ field: 'parentId', message: 'no such organisation' }]);
    const [cycle] = await em.query<{ hit: boolean }[]>(
      `WITH RECURSIVE down(id) AS (SELECT $1::uuid UNION SELECT o.id FROM organisations o JOIN down ON o.parent_id = down.id)
       SELECT EXISTS (SELECT 1 FROM down WHERE id = $2::uuid) AS hit`,
      [org.id, parentId],
    );
    if (cycle.hit) throw conflict('hierarchy-cycle', 'An organisation cannot be placed under itself or one of its own sub-organisations.');
    if (!(await this.access.canOnOrganisation(caller, 'organisation.create', parentId))) throw forbidden('You may only move an organisation under one you manage.');
    await this.assertKeepsController(em, org, parentId);
  }

  private async assertKeepsController(em: EntityManager, org: Organisation, parentId: string | null): Promise<void> {
    const [move] = await em.query<{ crosses: boolean; holds: boolean }[]>(
      `WITH RECURSIVE down(id) AS (SELECT $1::uuid UNION SELECT o.id FROM organisations o JOIN down ON o.parent_id = down.id)
       SELECT organisation_root($1::uuid) IS DISTINCT FROM coalesce(organisation_root($2::uuid), $1::uuid) AS crosses,
              (EXISTS (SELECT 1 FROM memberships ms WHERE ms.organisation_id IN (SELECT id FROM down))
               OR EXISTS (SELECT 1 FROM members m WHERE m.controller_id = $1::uuid)) AS holds`,
      [org.id, parentId],
    );
    if (move.crosses && move.holds) {
      throw conflict('holds-member-records', 'This organisation (or one of its sub-organisations) holds member records, which belong to its top-level organisation: it cannot move under another top-level organisation.');
    }
  }
}
