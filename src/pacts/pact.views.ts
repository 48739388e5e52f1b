import { ApiProperty } from '@nestjs/swagger';

import { DEMAND_STATUSES, type DemandStatus } from '../demands/demand-workflow';
import { CONDITION_STATUSES, type ConditionStatus } from './pact-condition.entity';
import { PACT_KINDS, PACT_STATUSES, type PactKind, type PactStatus } from './pact.entity';
import type { ConditionRow, PactRow } from './pacts.repository';

/** Response shapes of the pacts API (also its OpenAPI schemas). */

export class PactTally implements Record<ConditionStatus, number> {
  @ApiProperty() pending: number;
  @ApiProperty() accepted: number;
  @ApiProperty() rejected: number;
  @ApiProperty() fulfilled: number;
  @ApiProperty() breached: number;
}

export class CounterpartRef {
  @ApiProperty() id: string;
  @ApiProperty() slug: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) shortName: string | null;
  @ApiProperty({ description: 'Outside the platform’s users (the usual case)' }) external: boolean;
}

export class PactView {
  @ApiProperty() id: string;
  @ApiProperty({ nullable: true, type: String }) ownerCoalitionId: string | null;
  @ApiProperty({ nullable: true, type: String }) ownerOrganisationId: string | null;
  @ApiProperty() counterpartOrganisationId: string;
  @ApiProperty({ type: CounterpartRef }) counterpart: CounterpartRef;
  @ApiProperty() title: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ enum: PACT_KINDS }) kind: PactKind;
  @ApiProperty({ enum: PACT_STATUSES }) status: PactStatus;
  @ApiProperty({ nullable: true, type: String }) startsOn: string | null;
  @ApiProperty({ nullable: true, type: String }) endsOn: string | null;
  @ApiProperty({ nullable: true, type: String }) signedOn: string | null;
  @ApiProperty({ type: PactTally, description: 'How many conditions are in each status' }) tally: PactTally;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export class ConditionDemandRef {
  @ApiProperty() id: string;
  @ApiProperty() code: string;
  @ApiProperty() title: string;
  @ApiProperty() position: number;
  @ApiProperty({ enum: DEMAND_STATUSES }) status: DemandStatus;
}

export class ConditionView {
  @ApiProperty() demandId: string;
  @ApiProperty({ type: ConditionDemandRef }) demand: ConditionDemandRef;
  @ApiProperty({ enum: CONDITION_STATUSES }) status: ConditionStatus;
  @ApiProperty({ nullable: true, type: String }) note: string | null;
  @ApiProperty() updatedAt: Date;
}

export class PactDetailView extends PactView {
  @ApiProperty({ type: [ConditionView], description: 'In the order of the platform' }) conditions: ConditionView[];
}

export class PactPage {
  @ApiProperty({ type: [PactView] }) items: PactView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export const pactView = (r: PactRow): PactView => ({
  id: r.id,
  ownerCoalitionId: r.owner_coalition_id,
  ownerOrganisationId: r.owner_organisation_id,
  counterpartOrganisationId: r.counterpart_organisation_id,
  counterpart: { id: r.counterpart_organisation_id, slug: r.cp_slug, name: r.cp_name, shortName: r.cp_short_name, external: r.cp_external },
  title: r.title,
  description: r.description,
  kind: r.kind,
  status: r.status,
  startsOn: r.starts_on,
  endsOn: r.ends_on,
  signedOn: r.signed_on,
  tally: { pending: r.pending, accepted: r.accepted, rejected: r.rejected, fulfilled: r.fulfilled, breached: r.breached },
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const pactDetailView = (r: PactRow, conditions: ConditionRow[]): PactDetailView => ({
  ...pactView(r),
  conditions: conditions.map((c) => ({
    demandId: c.demand_id,
    demand: { id: c.demand_id, code: c.code, title: c.title, position: c.position, status: c.demand_status },
    status: c.status,
    note: c.note,
    updatedAt: c.updated_at,
  })),
});
