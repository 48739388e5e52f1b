import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { OrganisationRef } from '../organisations/organisation.views';
import type { DemandRevision, DemandText } from './demand-revision.entity';
import { DEMAND_STATUSES, type Demand, type DemandStatus } from './demand.entity';
import type { DemandRow, EndorsementRow } from './demands.repository';

/** Response shapes of the demands API (also its OpenAPI schemas). */

export class DemandView {
  @ApiProperty() id: string;
  @ApiProperty({ nullable: true, type: String, description: 'Owner, when a coalition' }) ownerCoalitionId: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Owner, when an organisation' }) ownerOrganisationId: string | null;
  @ApiProperty({ example: 'D3' }) code: string;
  @ApiProperty() title: string;
  @ApiProperty({ description: 'Markdown' }) body: string;
  @ApiProperty({ nullable: true, type: String }) category: string | null;
  @ApiProperty({ description: 'Place in the owner’s platform, 1..n without gaps' }) position: number;
  @ApiProperty({ enum: DEMAND_STATUSES }) status: DemandStatus;
  @ApiProperty({ nullable: true, type: String, example: '2026-06-08' }) adoptedOn: string | null;
  @ApiProperty({ description: 'How many organisations endorse it' }) endorsementCount: number;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export class EndorsementView {
  @ApiProperty() organisationId: string;
  @ApiProperty({ type: OrganisationRef }) organisation: OrganisationRef;
  @ApiProperty({ example: '2026-05-30' }) endorsedOn: string;
  @ApiProperty({ nullable: true, type: String }) note: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The user who recorded it; only for callers inside the owner’s scope' }) endorsedBy?: string | null;
}

export class DemandDetailView extends DemandView {
  @ApiProperty({ type: [EndorsementView] }) endorsements: EndorsementView[];
}

export class DemandTextView implements DemandText {
  @ApiProperty() title: string;
  @ApiProperty() body: string;
  @ApiProperty({ nullable: true, type: String }) category: string | null;
}

export class RevisionView {
  @ApiProperty({ description: 'Increasing with time' }) id: string;
  @ApiProperty({ type: DemandTextView }) before: DemandText;
  @ApiProperty({ type: DemandTextView }) after: DemandText;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The user who edited; only for callers inside the owner’s scope' }) revisedBy?: string | null;
  @ApiProperty() revisedAt: Date;
}

export class DemandPage {
  @ApiProperty({ type: [DemandView] }) items: DemandView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class RevisionPage {
  @ApiProperty({ type: [RevisionView] }) items: RevisionView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export const demandView = (r: DemandRow): DemandView => ({
  id: r.id,
  ownerCoalitionId: r.owner_coalition_id,
  ownerOrganisationId: r.owner_organisation_id,
  code: r.code,
  title: r.title,
  body: r.body,
  category: r.category,
  position: r.position,
  status: r.status,
  adoptedOn: r.adopted_on,
  endorsementCount: r.endorsement_count,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** An endorsement; who recorded it only for callers inside the owner's scope (`insider`). */
export const endorsementView = (r: EndorsementRow, insider: boolean): EndorsementView => ({
  organisationId: r.organisation_id,
  organisation: { id: r.organisation_id, slug: r.slug, name: r.name, shortName: r.short_name },
  endorsedOn: r.endorsed_on,
  note: r.note,
  ...(insider ? { endorsedBy: r.endorsed_by } : {}),
});

export function demandDetailView(d: Demand, endorsementRows: EndorsementRow[], insider: boolean): DemandDetailView {
  const endorsements = endorsementRows.map((r) => endorsementView(r, insider));
  return {
    id: d.id,
    ownerCoalitionId: d.ownerCoalitionId,
    ownerOrganisationId: d.ownerOrganisationId,
    code: d.code,
    title: d.title,
    body: d.body,
    category: d.category,
    position: d.position,
    status: d.status,
    adoptedOn: d.adoptedOn,
    endorsementCount: endorsements.length,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    endorsements,
  };
}

/** A revision; who edited only for callers inside the owner's scope (`insider`). */
export const revisionView = (r: DemandRevision, insider: boolean): RevisionView => ({
  id: r.id,
  before: r.before,
  after: r.after,
  ...(insider ? { revisedBy: r.revisedBy } : {}),
  revisedAt: r.revisedAt,
});
