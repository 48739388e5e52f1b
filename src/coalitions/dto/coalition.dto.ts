import { ApiProperty, ApiPropertyOptional, ApiSchema, PartialType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { DATE_PATTERN, SlugField, TextField } from '../../common/dto-fields';
import { PageOf } from '../../common/pagination';
import { OrganisationRef } from '../../demands/demand.views';
import type { Coalition } from '../coalition.entity';
import type { PartnerView } from '../coalitions.service';
import { COALITION_STATUSES, type CoalitionStatus } from '../coalition.entity';
import { PARTNER_ROLES, PARTNER_STATUSES, type PartnerRole, type PartnerStatus } from '../coalition-partner.entity';

export class CreateCoalitionDto {
  @SlugField()
  slug: string;

  @TextField(200, { example: 'Alianza VENCEREMOS' })
  name: string;

  @TextField(5000, { optional: true })
  description?: string | null;

  @ApiPropertyOptional({ example: '2026-01-15' })
  @IsOptional()
  @Matches(DATE_PATTERN, { message: 'foundedOn must be a date YYYY-MM-DD' })
  foundedOn?: string | null;

  @ApiPropertyOptional({ enum: COALITION_STATUSES, default: 'forming' })
  @IsOptional()
  @IsIn(COALITION_STATUSES)
  status?: CoalitionStatus;
}

export class UpdateCoalitionDto extends PartialType(CreateCoalitionDto) {}

export class AddPartnerDto {
  @ApiProperty()
  @IsUUID()
  organisationId: string;

  @ApiPropertyOptional({ enum: PARTNER_ROLES, default: 'member' })
  @IsOptional()
  @IsIn(PARTNER_ROLES)
  role?: PartnerRole;

  @TextField(2000, { optional: true })
  notes?: string | null;
}

export class UpdatePartnerDto {
  @ApiPropertyOptional({ enum: PARTNER_STATUSES })
  @IsOptional()
  @IsIn(PARTNER_STATUSES)
  status?: PartnerStatus;

  @ApiPropertyOptional({ enum: PARTNER_ROLES })
  @IsOptional()
  @IsIn(PARTNER_ROLES)
  role?: PartnerRole;

  @TextField(2000, { optional: true })
  notes?: string | null;
}

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
@ApiSchema({ name: 'PartnerView' })
export class PartnerViewSchema implements PartnerView {
  @ApiProperty() organisationId: string;
  @ApiProperty({ type: OrganisationRef }) organisation: OrganisationRef;
  @ApiProperty({ enum: PARTNER_ROLES }) role: PartnerRole;
  @ApiProperty({ enum: PARTNER_STATUSES }) status: PartnerStatus;
  @ApiProperty({ nullable: true, type: String, example: '2026-02-01' }) joinedOn: string | null;
  @ApiProperty({ nullable: true, type: String, example: null }) leftOn: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Only for the coalition’s coordinators' }) notes?: string | null;
}
