import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';

import { DATE_PATTERN, TextField } from '../../common/dto-fields';
import { PageQuery } from '../../common/pagination';
import { DEMAND_STATUSES, type DemandStatus } from '../demand.entity';

export const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$/;
const CODE_MESSAGE = 'code must be 1-16 letters, digits, dots, hyphens or underscores, e.g. D3';
export const MAX_PLATFORM = 500;

export class CreateDemandDto {
  @ApiPropertyOptional({ description: 'Owner: a coalition (exactly one of coalitionId and organisationId)' })
  @IsOptional()
  @IsUUID()
  coalitionId?: string;

  @ApiPropertyOptional({ description: 'Owner: an organisation (exactly one of coalitionId and organisationId)' })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  @ApiPropertyOptional({ example: 'D3', description: 'Unique per owner; defaults to the next free D<n>' })
  @IsOptional()
  @Matches(CODE_PATTERN, { message: CODE_MESSAGE })
  code?: string;

  @TextField(300, { example: 'Derogación de las leyes procrimen' })
  title: string;

  @TextField(20000, { optional: true, example: 'Repeal of the laws that weakened the fight against organised crime.' })
  body?: string;

  @TextField(100, { optional: true, example: 'justicia' })
  category?: string | null;
}

/**
 * Text fields, and `status` (the workflow: see DEMAND_TRANSITIONS). The
 * owner and the position are not here: the owner never changes, and the
 * order changes only through PUT /demands/order.
 */
export class UpdateDemandDto {
  @ApiPropertyOptional({ example: 'D3' })
  @ValidateIf((_o, v) => v !== undefined)
  @Matches(CODE_PATTERN, { message: CODE_MESSAGE })
  code?: string;

  @ApiPropertyOptional({ maxLength: 300 })
  @ValidateIf((_o, v) => v !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  title?: string;

  @ApiPropertyOptional({ maxLength: 20000 })
  @ValidateIf((_o, v) => v !== undefined)
  @IsString()
  @MaxLength(20000)
  body?: string;

  @TextField(100, { optional: true })
  category?: string | null;

  @ApiPropertyOptional({ enum: DEMAND_STATUSES, description: 'draft → proposed → adopted → achieved | withdrawn (draft and proposed may be withdrawn; proposed may go back to draft)' })
  @ValidateIf((_o, v) => v !== undefined)
  @IsIn(DEMAND_STATUSES)
  status?: DemandStatus;

  @ApiPropertyOptional({ example: '2026-06-08', description: 'When it was adopted (default: the day it becomes adopted); only for adopted or achieved demands' })
  @ValidateIf((_o, v) => v !== undefined)
  @Matches(DATE_PATTERN, { message: 'adoptedOn must be a date YYYY-MM-DD' })
  adoptedOn?: string;
}

export class DemandQueryDto extends PageQuery {
  @ApiPropertyOptional({ description: 'Only this coalition’s demands (id)' })
  @IsOptional()
  @IsUUID()
  coalition?: string;

  @ApiPropertyOptional({ description: 'Only this organisation’s demands (id)' })
  @IsOptional()
  @IsUUID()
  organisation?: string;

  @ApiPropertyOptional({ enum: DEMAND_STATUSES })
  @IsOptional()
  @IsIn(DEMAND_STATUSES)
  status?: DemandStatus;
}

export class ReorderDemandsDto {
  @ApiPropertyOptional({ description: 'The owner whose platform is reordered (exactly one of coalitionId and organisationId)' })
  @IsOptional()
  @IsUUID()
  coalitionId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  @ApiProperty({ type: [String], description: 'Every demand of the owner, each once, in the new order (position 1 first)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PLATFORM)
  @ArrayUnique({ message: 'ids must not repeat a demand' })
  @IsUUID('all', { each: true })
  ids: string[];
}

export class EndorseDemandDto {
  @ApiProperty({ description: 'The organisation endorsing (you must be its org_admin)' })
  @IsUUID()
  organisationId: string;

  @TextField(2000, { optional: true, example: 'Approved by the national assembly of 2026-05-30' })
  note?: string | null;

  @ApiPropertyOptional({ example: '2026-05-30', description: 'Default: today' })
  @IsOptional()
  @Matches(DATE_PATTERN, { message: 'endorsedOn must be a date YYYY-MM-DD' })
  endorsedOn?: string;
}
