import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateNested } from 'class-validator';

import { TextField, TimestampField } from '../../common/dto-fields';

/** The most scans one batch may carry: a door sends its queue in slices of this. */
export const MAX_BATCH = 500;

export class WalkInDto {
  @TextField(200, { example: 'Juana Huamán' })
  name: string;
}

/**
 * One scan. Exactly one of `token` (the QR code), `code` (the short code,
 * typed or read out), `signupId` (picked from the manifest) or `walkIn` (a
 * person with no signup, let in at the door).
 */
export class CheckInItemDto {
  @ApiProperty({ format: 'uuid', example: '5f0c9a8e-2b1d-4e7f-9a3c-6d8e1f2a4b7c', description: 'Made by the door for this scan: the same scan sent again gets the same answer and changes nothing' })
  @IsUUID()
  clientId: string;

  @ApiPropertyOptional({ example: 'q3vK9xT2mB7nR4wZ8pL5sA', description: 'The check-in token a QR code carries' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{22}$/, { message: 'token must be the 22 characters of a check-in QR code' })
  token?: string;

  @ApiPropertyOptional({ description: 'The short code, as typed (case, spaces, hyphen, O/0 and I/L/1 do not matter)' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  code?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'A signup picked from the manifest' })
  @IsOptional()
  @IsUUID()
  signupId?: string;

  @TimestampField({ example: '2026-06-08T16:42:10-05:00', description: 'When the door scanned it, by the door’s clock' })
  at: string;

  @ApiPropertyOptional({ type: WalkInDto, description: 'Someone with no signup, let in at the door: takes a free seat, or is recorded beyond capacity' })
  @IsOptional()
  @ValidateNested()
  @Type(() => WalkInDto)
  walkIn?: WalkInDto;

  @ApiPropertyOptional({ format: 'uuid', description: 'Walk-ins: the shift they take a place in (a code names its own signup and shift)' })
  @IsOptional()
  @IsUUID()
  shiftId?: string;
}

export class CheckInBatchDto {
  @ApiProperty({
    type: [CheckInItemDto],
    example: [
      { clientId: '5f0c9a8e-2b1d-4e7f-9a3c-6d8e1f2a4b7c', token: 'q3vK9xT2mB7nR4wZ8pL5sA', at: '2026-06-08T16:42:10-05:00' },
      { clientId: '0b7e2d4c-9a1f-4c3e-8b6d-2f5a7c9e1b3d', code: '7K4QM-XR2T9', at: '2026-06-08T16:43:02-05:00' },
      { clientId: 'c2a4e6f8-1b3d-4f5a-9c7e-0d2b4f6a8c1e', walkIn: { name: 'Juana Huamán' }, at: '2026-06-08T16:44:30-05:00' },
    ],
    description: `At most ${MAX_BATCH} scans, answered in order`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH)
  @ValidateNested({ each: true })
  @Type(() => CheckInItemDto)
  items: CheckInItemDto[];

  @ApiPropertyOptional({ example: 'Puerta 1 — Plaza San Martín', description: 'Logged-in doors: what other doors are told in a conflict (a door link is always its own label)' })
  @IsOptional()
  @IsString()
  @MaxLength(80)
  door?: string;
}

export class CreateDoorLinkDto {
  @TextField(80, { example: 'Puerta 2 — Jr. de la Unión' })
  label: string;
}
