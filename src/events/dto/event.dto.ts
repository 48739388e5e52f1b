import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsDefined,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsPositive,
  IsTimeZone,
  IsUrl,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateIf,
} from 'class-validator';

import { TextField, TimestampField } from '../../common/dto-fields';
import { PageQuery } from '../../common/pagination';
import {
  ADDRESS_VISIBILITIES,
  DEFAULT_TIMEZONE,
  EVENT_KINDS,
  EVENT_STATUSES,
  EVENT_VISIBILITIES,
  type AddressVisibility,
  type EventKind,
  type EventStatus,
  type EventVisibility,
} from '../event.entity';

export const MAX_CAPACITY = 1_000_000;

export class CreateEventDto {
  @ApiPropertyOptional({ description: 'Host organisation (exactly one of hostOrganisationId, coalitionId)' })
  @IsOptional()
  @IsUUID()
  hostOrganisationId?: string;

  @ApiPropertyOptional({ description: 'Host coalition, for a coalition-wide event (exactly one of hostOrganisationId, coalitionId)' })
  @IsOptional()
  @IsUUID()
  coalitionId?: string;

  @ApiPropertyOptional({ type: [String], description: 'Co-host organisations: their organisers manage the event too' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  coHostOrganisationIds?: string[];

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsUUID()
  campaignId?: string | null;

  @TextField(200, { example: 'Marcha por la voluntad popular' })
  title: string;

  @TextField(20000, { optional: true })
  description?: string | null;

  @ApiProperty({ enum: EVENT_KINDS })
  @IsIn(EVENT_KINDS)
  kind: EventKind;

  @ApiPropertyOptional({ enum: EVENT_VISIBILITIES, default: 'public', description: 'public; members of the host organisations; private to organisers' })
  @IsOptional()
  @IsIn(EVENT_VISIBILITIES)
  visibility?: EventVisibility;

  @TimestampField({ example: '2026-06-08T16:00:00-05:00' })
  startsAt: string;

  @TimestampField({ example: '2026-06-08T20:00:00-05:00', description: 'Must be after startsAt' })
  endsAt: string;

  @ApiPropertyOptional({ example: DEFAULT_TIMEZONE, default: DEFAULT_TIMEZONE, description: 'IANA time zone' })
  @IsOptional()
  @MaxLength(64)
  @IsTimeZone({ message: 'timezone must be an IANA time zone such as America/Lima' })
  timezone?: string;

  @TextField(200, { optional: true, example: 'Plaza San Martín' })
  venue?: string | null;

  @TextField(500, { optional: true, example: 'Jr. de la Unión 1000' })
  address?: string | null;

  @TextField(100, { optional: true, example: 'Cercado de Lima' })
  locality?: string | null;

  @TextField(100, { optional: true, example: 'Lima' })
  region?: string | null;

  @ApiPropertyOptional({ example: 'PE', description: 'ISO 3166-1 alpha-2' })
  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code such as PE' })
  country?: string;

  @ApiPropertyOptional({ minimum: -90, maximum: 90, nullable: true })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-90)
  @Max(90)
  lat?: number | null;

  @ApiPropertyOptional({ minimum: -180, maximum: 180, nullable: true })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-180)
  @Max(180)
  lng?: number | null;

  @ApiPropertyOptional({ enum: ADDRESS_VISIBILITIES, default: 'public', description: '`attendees`: address, coordinates and online URL only for people signed up' })
  @IsOptional()
  @IsIn(ADDRESS_VISIBILITIES)
  addressVisibility?: AddressVisibility;

  @ApiPropertyOptional({ example: 'https://meet.example.org/asamblea', nullable: true })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true })
  @MaxLength(500)
  onlineUrl?: string | null;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_CAPACITY, nullable: true, description: 'Seats; null = unlimited' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_CAPACITY)
  capacity?: number | null;

  @TimestampField({ optional: true, nullable: true, description: 'Signups close then (default: when the event ends)' })
  signupDeadline?: string | null;

  @ApiPropertyOptional({ type: [String], description: 'Demands the event mobilises for (proposed, adopted or achieved; visible to you)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  demandIds?: string[];
}

/** Host and coalition never change; status only through publish / cancel / complete. */
export class UpdateEventDto extends PartialType(OmitType(CreateEventDto, ['hostOrganisationId', 'coalitionId'] as const)) {}

export class CancelEventDto {
  @TextField(1000, { example: 'Suspendida por el paro de transportes' })
  reason: string;
}

/** The filters the event list and the calendar feed share. */
export class CalendarQueryDto {
  @ApiPropertyOptional({ description: 'Organisation id or slug: events it hosts or co-hosts, its sub-organisations’ included (the calendar feed: and those they promote)' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9-]{2,64}$/, { message: 'organisation must be an id or a slug' })
  organisation?: string;

  @ApiPropertyOptional({ description: 'Coalition id or slug: its coalition-wide events (the calendar feed: and those it promotes)' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9-]{2,64}$/, { message: 'coalition must be an id or a slug' })
  coalition?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  campaign?: string;
}

export const MAX_NEAR_RADIUS_KM = 500;

/** `lat,lng` in decimal degrees (`-12.0464,-77.0428`); the point, or null when it is not one (or out of range). */
export function parseNear(value: unknown): { lat: number; lng: number } | null {
  if (typeof value !== 'string' || value.length > 64) return null;
  const m = /^\s*([+-]?\d{1,3}(?:\.\d{1,12})?)\s*,\s*([+-]?\d{1,3}(?:\.\d{1,12})?)\s*$/.exec(value);
  if (!m) return null;
  const lat = Number(m[1]);
  const lng = Number(m[2]);
  return Math.abs(lat) <= 90 && Math.abs(lng) <= 180 ? { lat, lng } : null;
}

/** `near` and `radiusKm` go together: each is required when the other is given. */
const withOther = (other: 'near' | 'radiusKm') => ValidateIf((o: Record<string, unknown>, v: unknown) => v !== undefined || o[other] !== undefined);

export class EventQueryDto extends IntersectionType(PageQuery, CalendarQueryDto) {
  @ApiPropertyOptional({
    example: '-12.0464,-77.0428',
    description:
      'A point `lat,lng` (decimal degrees, latitude -90..90, longitude -180..180): only events within `radiusKm` of it (great-circle distance). Events without coordinates, or whose location you may not see, are never near. Requires `radiusKm`.',
  })
  @withOther('radiusKm')
  @IsDefined({ message: 'near is required with radiusKm' })
  @ValidateBy({
    name: 'isNearPoint',
    validator: { validate: (v: unknown) => parseNear(v) !== null, defaultMessage: () => 'near must be lat,lng in degrees, latitude -90..90 and longitude -180..180, such as -12.0464,-77.0428' },
  })
  near?: string;

  @ApiPropertyOptional({
    type: Number,
    minimum: 0,
    exclusiveMinimum: true,
    maximum: MAX_NEAR_RADIUS_KM,
    example: 10,
    description: 'Kilometres around `near` (more than 0, at most 500). Requires `near`.',
  })
  @withOther('near')
  @IsDefined({ message: 'radiusKm is required with near' })
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'radiusKm must be a number of kilometres' })
  @IsPositive({ message: 'radiusKm must be more than 0' })
  @Max(MAX_NEAR_RADIUS_KM, { message: `radiusKm must be at most ${MAX_NEAR_RADIUS_KM}` })
  radiusKm?: number;

  @TimestampField({ optional: true, description: 'Events starting at or after this instant (default: now)' })
  from?: string;

  @TimestampField({ optional: true, description: 'Events starting before this instant' })
  to?: string;

  @TextField(100, { optional: true, example: 'Lima' })
  region?: string;

  @ApiPropertyOptional({ enum: EVENT_KINDS })
  @IsOptional()
  @IsIn(EVENT_KINDS)
  kind?: EventKind;

  @ApiPropertyOptional({ enum: EVENT_STATUSES, default: 'published', description: 'Drafts only appear to those who manage them' })
  @IsOptional()
  @IsIn(EVENT_STATUSES)
  status?: EventStatus;

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    default: 'false',
    description:
      'With `organisation` or `coalition`: also the public events of other hosts that it promotes (issue 22), each marked with `promotedBy` and the `promotionRef` its links carry. Off by default: the filter means the events it hosts or co-hosts. Its public page and calendar feed include them',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  includePromoted?: 'true' | 'false';
}

export class CreateShiftDto {
  @TextField(100, { example: 'Marshals' })
  name: string;

  @TextField(2000, { optional: true })
  description?: string | null;

  @TimestampField({ example: '2026-06-08T15:00:00-05:00' })
  startsAt: string;

  @TimestampField({ example: '2026-06-08T21:00:00-05:00' })
  endsAt: string;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_CAPACITY, nullable: true, description: 'Seats; null = unlimited' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_CAPACITY)
  capacity?: number | null;
}

export class UpdateShiftDto extends PartialType(CreateShiftDto) {}

export class GrantEventHostDto {
  @ApiProperty({ description: 'The user who becomes a host of this event (manages its signups and check-in)' })
  @IsUUID()
  userId: string;
}
