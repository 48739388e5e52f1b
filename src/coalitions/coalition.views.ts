import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { PageOf } from '../common/pagination';
import { OrganisationRef, organisationRef } from '../organisations/organisation.views';
import { PARTNER_ROLES, PARTNER_STATUSES, type CoalitionPartner, type PartnerRole, type PartnerStatus } from './coalition-partner.entity';
import { COALITION_STATUSES, type Coalition, type CoalitionStatus } from './coalition.entity';

/** Response shapes of the coalitions API (also its OpenAPI schemas). */

/** A coalition as the API answers it (the OpenAPI schema). */
export class CoalitionView implements Coalition {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'venceremos' }) slug: string;
  @ApiProperty({ example: 'Alianza VENCEREMOS' }) name: string;
  @ApiProperty({ nullable: true, type: String, example: 'Frente de partidos y movimientos por la voluntad popular.' }) description: string | null;
  @ApiProperty({ nullable: true, type: String, example: '2026-01-15' }) foundedOn: string | null;
  @ApiProperty({ enum: COALITION_STATUSES }) status: CoalitionStatus;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export const CoalitionPage = PageOf(CoalitionView);

/** A partnership: the organisation, its role and where the partnership stands. */
export class PartnerView {
  @ApiProperty() organisationId: string;
  @ApiProperty({ type: OrganisationRef }) organisation: OrganisationRef;
  @ApiProperty({ enum: PARTNER_ROLES }) role: PartnerRole;
  @ApiProperty({ enum: PARTNER_STATUSES }) status: PartnerStatus;
  @ApiProperty({ nullable: true, type: String, example: '2026-02-01' }) joinedOn: string | null;
  @ApiProperty({ nullable: true, type: String, example: null }) leftOn: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Only for the coalition’s coordinators' }) notes?: string | null;
}

/** A partner row (with its organisation) as the API answers it; `withNotes` for the coalition's coordinators. */
export function partnerView(p: CoalitionPartner, withNotes: boolean): PartnerView {
  return {
    organisationId: p.organisationId,
    organisation: organisationRef(p.organisation!),
    role: p.role,
    status: p.status,
    joinedOn: p.joinedOn,
    leftOn: p.leftOn,
    ...(withNotes ? { notes: p.notes } : {}),
  };
}
