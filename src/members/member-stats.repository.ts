import { Injectable } from '@nestjs/common';

import type { Tx } from '../database/transactions';
import type { MembershipStatus } from './membership.entity';

/** Exact counts over the memberships of some organisations: distinct people, so someone in an organisation and in its sub-organisation counts once. */
export interface MembershipCounts {
  total: number;
  statuses: { status: MembershipStatus; n: number }[];
  /** People with an active membership, per region (null last). */
  regions: { region: string | null; n: number }[];
  /** People by the month (YYYY-MM) they first joined one of the organisations. */
  growth: { month: string; n: number }[];
}

/** Member statistics, counted in SQL over `memberships` (rows kept when people resign or are erased). */
@Injectable()
export class MemberStatsRepository {
  async count(tx: Tx, organisationIds: string[]): Promise<MembershipCounts> {
    const [total] = await tx.query<{ n: number }[]>('SELECT count(DISTINCT member_id)::int AS n FROM memberships WHERE organisation_id = ANY($1::uuid[])', [organisationIds]);
    const statuses = await tx.query<{ status: MembershipStatus; n: number }[]>(
      'SELECT status, count(DISTINCT member_id)::int AS n FROM memberships WHERE organisation_id = ANY($1::uuid[]) GROUP BY status',
      [organisationIds],
    );
    const regions = await tx.query<{ region: string | null; n: number }[]>(
      `SELECT m.region, count(DISTINCT m.id)::int AS n
         FROM memberships ms JOIN members m ON m.id = ms.member_id
        WHERE ms.organisation_id = ANY($1::uuid[]) AND ms.status = 'active'
        GROUP BY m.region ORDER BY m.region NULLS LAST`,
      [organisationIds],
    );
    const growth = await tx.query<{ month: string; n: number }[]>(
      `SELECT to_char(first_joined, 'YYYY-MM') AS month, count(*)::int AS n
         FROM (SELECT member_id, min(joined_on) AS first_joined FROM memberships
                WHERE organisation_id = ANY($1::uuid[]) AND joined_on IS NOT NULL GROUP BY member_id) firsts
        GROUP BY 1 ORDER BY 1`,
      [organisationIds],
    );
    return { total: total.n, statuses, regions, growth };
  }
}
