import { Injectable } from '@nestjs/common';

import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import { CoalitionsService } from '../coalitions/coalitions.service';
import { forbidden } from '../common/problem';
import { Transactions } from '../database/transactions';
import { CheckInsService } from '../events/check-ins.service';
import { OrganisationsService } from '../organisations/organisations.service';
import { MemberStatsRepository } from './member-stats.repository';
import type { CoalitionStats, CoalitionTurnout, OrganisationStats, PartnerStats } from './members.views';
import { MEMBERSHIP_STATUSES, type MembershipStatus } from './membership.entity';
import { protectPartner, protectTurnout, SUPPRESS_BELOW, type ExactStats } from './stats-suppression';

/**
 * Member statistics. Everything is counted in SQL over memberships, whose
 * rows are kept when people resign or are erased, so erased people still
 * count (as resigned). Organisation statistics are for the organisation's
 * own organisers and admins and are exact; coalition statistics are for
 * coordinators and are suppressed (stats-suppression.ts: counts under 5, and
 * whatever else would let one be worked out from the totals) — no member
 * list is reachable through them.
 */
@Injectable()
export class MemberStatsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly stats: MemberStatsRepository,
    private readonly access: AccessService,
    private readonly organisations: OrganisationsService,
    private readonly coalitions: CoalitionsService,
    private readonly checkIns: CheckInsService,
  ) {}

  async forOrganisation(caller: Caller, orgIdOrSlug: string): Promise<OrganisationStats> {
    const org = await this.organisations.get(orgIdOrSlug);
    if (!(await this.access.canOnOrganisation(caller, 'organisation.stats', org.id))) throw forbidden('You may not read this organisation’s statistics.');
    const organisationIds = await this.access.descendants([org.id]);
    return { organisationId: org.id, organisationIds, ...(await this.count(organisationIds)) };
  }

  async forCoalition(caller: Caller, coalitionIdOrSlug: string): Promise<CoalitionStats> {
    const coalition = await this.coalitions.get(coalitionIdOrSlug);
    if (!this.access.canOnCoalition(caller, 'coalition.stats', coalition.id)) throw forbidden('You may not read this coalition’s statistics.');
    const partners = (await this.coalitions.partners(caller, coalition.id)).filter((p) => p.status === 'active');
    const out: PartnerStats[] = [];
    for (const p of partners) {
      const ids = await this.access.descendants([p.organisationId]);
      out.push({ organisation: { id: p.organisation.id, slug: p.organisation.slug, name: p.organisation.name }, ...protectPartner(await this.count(ids)) });
    }
    return { coalitionId: coalition.id, suppressionThreshold: SUPPRESS_BELOW, partners: out };
  }

  /** Turnout of each active partner's members at the coalition's ended events, suppressed as the member statistics are (protectTurnout). */
  async turnoutForCoalition(caller: Caller, coalitionIdOrSlug: string): Promise<CoalitionTurnout> {
    const coalition = await this.coalitions.get(coalitionIdOrSlug);
    if (!this.access.canOnCoalition(caller, 'coalition.stats', coalition.id)) throw forbidden('You may not read this coalition’s statistics.');
    const partners = (await this.coalitions.partners(caller, coalition.id)).filter((p) => p.status === 'active');
    const scopes: string[][] = [];
    for (const p of partners) scopes.push(await this.access.descendants([p.organisationId]));
    const { events, counts } = await this.checkIns.partnerTurnout(coalition.id, scopes);
    return {
      coalitionId: coalition.id,
      events,
      suppressionThreshold: SUPPRESS_BELOW,
      partners: partners.map((p, i) => ({ organisation: { id: p.organisation.id, slug: p.organisation.slug, name: p.organisation.name }, ...protectTurnout(counts[i]) })),
    };
  }

  /** Distinct people, so someone in an organisation and in its sub-organisation counts once. */
  private async count(organisationIds: string[]): Promise<ExactStats> {
    const { total, statuses, regions, growth } = await this.stats.count(this.transactions.auto, organisationIds);
    const byStatus = Object.fromEntries(MEMBERSHIP_STATUSES.map((s) => [s, statuses.find((r) => r.status === s)?.n ?? 0])) as Record<MembershipStatus, number>;
    return {
      total,
      byStatus,
      byRegion: regions.map((r) => ({ region: r.region, count: r.n })),
      growth: growth.map((g) => ({ month: g.month, joined: g.n })),
    };
  }
}
