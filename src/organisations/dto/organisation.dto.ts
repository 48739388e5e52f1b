import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsEmail, IsIn, IsInt, IsOptional, IsString, IsUrl, IsUUID, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';

import { SlugField, TextField } from '../../common/dto-fields';
import { PageQuery } from '../../common/pagination';
import { ORGANISATION_KINDS, ORGANISATION_STATUSES, type OrganisationKind, type OrganisationStatus } from '../organisation.entity';

/** The largest monthly text budget an organisation may set (issue 24). */
const MAX_TEXT_SEGMENTS = 10_000_000;

/** One DNS label: lower-case letters, digits, inner hyphens. */
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
/** A TCP port 1–65535, without leading zeros. */
const PORT = '(?:6553[0-5]|655[0-2]\\d|65[0-4]\\d{2}|6[0-4]\\d{3}|[1-5]\\d{4}|[1-9]\\d{0,3})';

/**
 * A site allowed to frame an organisation's pages: exactly an origin,
 * `https://host[:port]` in lower case — no path, no wildcard, no quote or
 * space (it is written into a Content-Security-Policy header as it is).
 */
export const EMBED_ORIGIN_PATTERN = new RegExp(`^https://(?:${LABEL}\\.)*${LABEL}(?::${PORT})?$`);
export const MAX_EMBED_ORIGINS = 20;

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

  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_EMBED_ORIGINS,
    example: ['https://vocesdelpueblo.pe'],
    description:
      'Sites allowed to show this organisation’s public pages (and those of the events it hosts) in an iframe, with `?embed=1`: origins `https://host[:port]`, lower case. The whole list is replaced; `[]` allows none.',
  })
  // Absent leaves the list as it is; null is not a list (the column is never null).
  @ValidateIf((_o, v) => v !== undefined)
  @IsArray()
  @ArrayMaxSize(MAX_EMBED_ORIGINS)
  @ArrayUnique()
  @IsString({ each: true })
  @MaxLength(260, { each: true })
  @Matches(EMBED_ORIGIN_PATTERN, { each: true, message: 'embedOrigins must be origins such as https://vocesdelpueblo.pe or https://example.org:8443 (https, lower case, no path)' })
  embedOrigins?: string[];

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 0,
    maximum: MAX_TEXT_SEGMENTS,
    example: 2000,
    description: 'Text segments (SMS, WhatsApp) its events may send per calendar month (UTC). Past it, notices go by e-mail. `null`: the service’s default (TEXT_MONTHLY_SEGMENTS); `0`: no texts',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_TEXT_SEGMENTS)
  textMonthlySegments?: number | null;
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
