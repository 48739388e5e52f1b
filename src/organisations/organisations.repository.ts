import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, type DataSource } from 'typeorm';

import { idOrSlugWhere } from '../common/ids';
import type { Tx } from '../database/transactions';
import { Organisation, type OrganisationKind } from './organisation.entity';

/** The columns a request may set on an organisation. */
export type OrganisationFields = Partial<Omit<Organisation, 'id' | 'parent' | 'createdAt' | 'updatedAt'>>;

export interface OrganisationFilter {
  kind?: OrganisationKind;
  parent?: string;
  q?: string;
  /** Keyset: only slugs after this one. */
  afterSlug?: string;
  limit: number;
}

/** One lock for all re-parenting, so two concurrent moves cannot close a cycle together. */
const TREE_LOCK = 7_244_310_053;

/** The organisations table (and the tree it makes). */
@Injectable()
export class OrganisationsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * One organisation by id or slug. `lock`: its row is locked (FOR NO KEY
   * UPDATE) until `tx` ends — other rows may still point at it.
   */
  byIdOrSlug(tx: Tx, idOrSlug: string, lock = false): Promise<Organisation | null> {
    return tx.findOne(Organisation, { where: idOrSlugWhere(idOrSlug), ...(lock ? { lock: { mode: 'for_no_key_update' as const } } : {}) });
  }

  byId(tx: Tx, id: string): Promise<Organisation | null> {
    return tx.findOne(Organisation, { where: { id } });
  }

  /** Those of `ids` that exist, in one read. */
  byIds(tx: Tx, ids: readonly string[]): Promise<Organisation[]> {
    return tx.find(Organisation, { where: { id: In([...ids]) } });
  }

  /** By slug, `limit` rows (ask one more to know of a next page). */
  list(filter: OrganisationFilter): Promise<Organisation[]> {
    const qb = this.db.getRepository(Organisation).createQueryBuilder('o');
    if (filter.kind) qb.andWhere('o.kind = :kind', { kind: filter.kind });
    if (filter.parent) qb.andWhere('o.parent_id = :parent', { parent: filter.parent });
    if (filter.q) qb.andWhere('(o.name ILIKE :q OR o.short_name ILIKE :q OR o.slug ILIKE :q)', { q: `%${filter.q.replace(/[\\%_]/g, '\\$&')}%` });
    if (filter.afterSlug !== undefined) qb.andWhere('o.slug > :after', { after: filter.afterSlug });
    return qb.orderBy('o.slug', 'ASC').take(filter.limit).getMany();
  }

  children(parentId: string): Promise<Organisation[]> {
    return this.db.getRepository(Organisation).find({ where: { parentId }, order: { slug: 'ASC' } });
  }

  slugTaken(tx: Tx, slug: string): Promise<boolean> {
    return tx.exists(Organisation, { where: { slug } });
  }

  insert(tx: Tx, fields: OrganisationFields): Promise<Organisation> {
    return tx.save(Organisation, tx.create(Organisation, fields));
  }

  /** Saves `before` with `fields` applied; returns the organisation as it now is. */
  update(tx: Tx, before: Organisation, fields: OrganisationFields): Promise<Organisation> {
    return tx.save(Organisation, tx.merge(Organisation, tx.create(Organisation, before), fields));
  }

  /** Takes the re-parenting lock until `tx` ends. */
  async lockTree(tx: Tx): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [TREE_LOCK]);
  }

  /** Is `candidate` the organisation `root` itself or one of its descendants? */
  async isWithin(tx: Tx, root: string, candidate: string): Promise<boolean> {
    const [cycle] = await tx.query<{ hit: boolean }[]>(
      `WITH RECURSIVE down(id) AS (SELECT $1::uuid UNION SELECT o.id FROM organisations o JOIN down ON o.parent_id = down.id)
       SELECT EXISTS (SELECT 1 FROM down WHERE id = $2::uuid) AS hit`,
      [root, candidate],
    );
    return cycle.hit;
  }

  /**
   * What moving `id` under `parentId` (null: to the top) would do: whether
   * it `crosses` into another data controller (top-level ancestor), and
   * whether the organisation or its sub-organisations `hold` member records
   * (memberships of them, or members it controls).
   */
  async move(tx: Tx, id: string, parentId: string | null): Promise<{ crosses: boolean; holds: boolean }> {
    const [move] = await tx.query<{ crosses: boolean; holds: boolean }[]>(
      `WITH RECURSIVE down(id) AS (SELECT $1::uuid UNION SELECT o.id FROM organisations o JOIN down ON o.parent_id = down.id)
       SELECT organisation_root($1::uuid) IS DISTINCT FROM coalesce(organisation_root($2::uuid), $1::uuid) AS crosses,
              (EXISTS (SELECT 1 FROM memberships ms WHERE ms.organisation_id IN (SELECT id FROM down))
               OR EXISTS (SELECT 1 FROM members m WHERE m.controller_id = $1::uuid)) AS holds`,
      [id, parentId],
    );
    return move;
  }
}
