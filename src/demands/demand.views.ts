import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DEMAND_STATUSES, type DemandStatus } from './demand.entity';
import type { DemandText } from './demand-revision.entity';

/** Response shapes of the demands API (also its OpenAPI schemas). */

export class OrganisationRef {
  @ApiProperty() id: string;
  @ApiProperty() slug: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) shortName: string | null;
}

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
