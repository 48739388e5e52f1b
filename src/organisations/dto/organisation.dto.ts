import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsOptional, IsUrl, IsUUID, Matches, MaxLength, ValidateIf } from 'class-validator';

import { SlugField, TextField } from '../../common/dto-fields';
import { PageQuery } from '../../common/pagination';
import { ORGANISATION_KINDS, ORGANISATION_STATUSES, type OrganisationKind, type OrganisationStatus } from '../organisation.entity';

export class CreateOrganisationDto {
  @SlugField()
  slug: string;

  @TextField(200, { example: 'Voces del Pueblo' })
  name: string;

  @TextField(40, { optional: true, example: 'VP' })
  shortName?: string | null;

  @ApiProperty({ enum: ORGANISATION_KINDS })
  @IsIn(ORGANISATION_KINDS)
  kind: OrganisationKind;

  @ApiPropertyOptional({ description: 'Parent organisation (a current or chapter inside a party)', nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsUUID()
  parentId?: string | null;

  @TextField(5000, { optional: true })
  description?: string | null;

  @ApiPropertyOptional({ example: 'PE', description: 'ISO 3166-1 alpha-2' })
  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code such as PE' })
  country?: string;

  @TextField(100, { optional: true, example: 'Lima' })
  region?: string | null;

  @ApiPropertyOptional({ example: 'https://vocesdelpueblo.pe' })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true })
  @MaxLength(500)
  website?: string | null;

  @ApiPropertyOptional({ example: 'contacto@vocesdelpueblo.pe' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  contactEmail?: string | null;

  @ApiPropertyOptional({ description: 'A counterpart outside the platform (no members here). Platform admins only.' })
  @IsOptional()
  @IsBoolean()
  external?: boolean;
}

export class UpdateOrganisationDto extends PartialType(OmitType(CreateOrganisationDto, ['external'] as const)) {
  @ApiPropertyOptional({ enum: ORGANISATION_STATUSES })
  @IsOptional()
  @IsIn(ORGANISATION_STATUSES)
  status?: OrganisationStatus;
}

export class OrganisationQueryDto extends PageQuery {
  @ApiPropertyOptional({ enum: ORGANISATION_KINDS })
  @IsOptional()
  @IsIn(ORGANISATION_KINDS)
  kind?: OrganisationKind;

  @ApiPropertyOptional({ description: 'Parent id: only its direct children' })
  @IsOptional()
  @IsUUID()
  parent?: string;

  @TextField(100, { optional: true, example: 'pueblo' })
  q?: string;
}
