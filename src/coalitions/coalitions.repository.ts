import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import { idOrSlugWhere } from '../common/ids';
import type { Tx } from '../database/transactions';
import { CoalitionPartner } from './coalition-partner.entity';
import { Coalition } from './coalition.entity';

/** The columns a request may set on a coalition. */
export type CoalitionFields = Partial<Omit<Coalition, 'id' | 'createdAt' | 'updatedAt'>>;

/** The coalitions and coalition_partners tables. */
@Injectable()
export class CoalitionsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** One coalition by id or slug. `lock`: its row is locked (FOR NO KEY UPDATE) until `tx` ends. */
  byIdOrSlug(tx: Tx, idOrSlug: string, lock = false): Promise<Coalition | null> {
    return tx.findOne(Coalition, { where: idOrSlugWhere(idOrSlug), ...(lock ? { lock: { mode: 'for_no_key_update' as const } } : {}) });
  }

  /** By slug, `limit` rows (ask one more to know of a next page). */
  list(afterSlug: string | undefined, limit: number): Promise<Coalition[]> {
    const qb = this.db.getRepository(Coalition).createQueryBuilder('c');
    if (afterSlug !== undefined) qb.where('c.slug > :after', { after: afterSlug });
    return qb.orderBy('c.slug', 'ASC').take(limit).getMany();
  }

  slugTaken(tx: Tx, slug: string): Promise<boolean> {
    return tx.exists(Coalition, { where: { slug } });
  }

  insert(tx: Tx, fields: CoalitionFields): Promise<Coalition> {
    return tx.save(Coalition, tx.create(Coalition, fields));
  }

  /** Saves `before` with `fields` applied; returns the coalition as it now is. */
  update(tx: Tx, before: Coalition, fields: CoalitionFields): Promise<Coalition> {
    return tx.save(Coalition, tx.merge(Coalition, tx.create(Coalition, before), fields));
  }

  /** A coalition's partners with their organisations, oldest partnership first; `activeOnly` for outsiders. */
  partners(coalitionId: string, activeOnly: boolean): Promise<CoalitionPartner[]> {
    return this.db.getRepository(CoalitionPartner).find({
      where: { coalitionId, ...(activeOnly ? { status: 'active' as const } : {}) },
      relations: { organisation: true },
      order: { createdAt: 'ASC' },
    });
  }

  /** The partnership of an organisation in a coalition (whatever its status), locked FOR UPDATE until `tx` ends. */
  partnerForUpdate(tx: Tx, coalitionId: string, organisationId: string): Promise<CoalitionPartner | null> {
    return tx.findOne(CoalitionPartner, { where: { coalitionId, organisationId }, lock: { mode: 'pessimistic_write' } });
  }

  /** The status of an organisation's partnership in a coalition, or null when it never was a partner. */
  async partnerStatus(tx: Tx, coalitionId: string, organisationId: string): Promise<CoalitionPartner['status'] | null> {
    const [partner] = await tx.query<{ status: CoalitionPartner['status'] }[]>('SELECT status FROM coalition_partners WHERE coalition_id = $1 AND organisation_id = $2', [coalitionId, organisationId]);
    return partner?.status ?? null;
  }

  /** Coalitions where one of these organisations is an active partner. */
  async activelyPartnered(organisationIds: string[]): Promise<string[]> {
    if (organisationIds.length === 0) return [];
    const rows = await this.db.query<{ coalition_id: string }[]>(`SELECT DISTINCT coalition_id FROM coalition_partners WHERE status = 'active' AND organisation_id = ANY($1::uuid[])`, [
      organisationIds,
    ]);
    return rows.map((r) => r.coalition_id);
  }

  /** Inserts or updates (by id) a partnership; returns it as saved. */
  savePartner(tx: Tx, row: Partial<Omit<CoalitionPartner, 'organisation' | 'coalition'>>): Promise<CoalitionPartner> {
    return tx.save(CoalitionPartner, row);
  }
}
