import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID, Matches } from 'class-validator';

import { DATE_PATTERN, SlugField, TextField } from '../../common/dto-fields';
import { PARTNER_ROLES, PARTNER_STATUSES, type PartnerRole, type PartnerStatus } from '../coalition-partner.entity';
import { COALITION_STATUSES, type CoalitionStatus } from '../coalition.entity';

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
