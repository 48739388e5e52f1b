import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';

import { DATE_PATTERN, TextField } from '../../common/dto-fields';
import { PageQuery } from '../../common/pagination';
import { CONDITION_STATUSES, type ConditionStatus } from '../pact-condition.entity';
import { PACT_KINDS, PACT_STATUSES, type PactKind, type PactStatus } from '../pact.entity';

const DATE_MESSAGE = (field: string) => ({ message: `${field} must be a date YYYY-MM-DD` });

export class CreatePactDto {
  @ApiPropertyOptional({ description: 'Our side: a coalition (exactly one of coalitionId and organisationId)' })
  @IsOptional()
  @IsUUID()
  coalitionId?: string;

  @ApiPropertyOptional({ description: 'Our side: an organisation (exactly one of coalitionId and organisationId)' })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  @ApiProperty({ description: 'The other party, usually an external organisation' })
  @IsUUID()
  counterpartOrganisationId: string;

  @TextField(300, { example: 'Apoyo en segunda vuelta' })
  title: string;

  @TextField(20000, { optional: true })
  description?: string | null;

  @ApiProperty({ enum: PACT_KINDS })
  @IsIn(PACT_KINDS)
  kind: PactKind;

  @ApiPropertyOptional({ example: '2026-06-07', nullable: true })
  @IsOptional()
  @Matches(DATE_PATTERN, DATE_MESSAGE('startsOn'))
  startsOn?: string | null;

  @ApiPropertyOptional({ example: '2031-07-28', nullable: true })
  @IsOptional()
  @Matches(DATE_PATTERN, DATE_MESSAGE('endsOn'))
  endsOn?: string | null;

  @ApiPropertyOptional({ example: '2026-05-20', nullable: true, description: 'Default: the day it becomes agreed' })
  @IsOptional()
  @Matches(DATE_PATTERN, DATE_MESSAGE('signedOn'))
  signedOn?: string | null;
}

/** Our side and the counterpart never change: a different deal is a new pact. */
export class UpdatePactDto {
  @ApiPropertyOptional({ maxLength: 300 })
  @ValidateIf((_o, v) => v !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  title?: string;

  @TextField(20000, { optional: true })
  description?: string | null;

  @ApiPropertyOptional({ enum: PACT_KINDS })
  @ValidateIf((_o, v) => v !== undefined)
  @IsIn(PACT_KINDS)
  kind?: PactKind;

  @ApiPropertyOptional({ enum: PACT_STATUSES, description: 'draft → negotiating → agreed | rejected; agreed → fulfilled | broken' })
  @ValidateIf((_o, v) => v !== undefined)
  @IsIn(PACT_STATUSES)
  status?: PactStatus;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @Matches(DATE_PATTERN, DATE_MESSAGE('startsOn'))
  startsOn?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @Matches(DATE_PATTERN, DATE_MESSAGE('endsOn'))
  endsOn?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @Matches(DATE_PATTERN, DATE_MESSAGE('signedOn'))
  signedOn?: string | null;
}

export class PutConditionDto {
  @ApiPropertyOptional({ enum: CONDITION_STATUSES, description: 'Default for a new condition: pending' })
  @ValidateIf((_o, v) => v !== undefined)
  @IsIn(CONDITION_STATUSES)
  status?: ConditionStatus;

  @TextField(2000, { optional: true, example: 'Accepted in the letter of 2026-05-28' })
  note?: string | null;
}

export class PactQueryDto extends PageQuery {
  @ApiPropertyOptional({ description: 'Only this coalition’s pacts (id)' })
  @IsOptional()
  @IsUUID()
  coalition?: string;

  @ApiPropertyOptional({ description: 'Only this organisation’s pacts (id)' })
  @IsOptional()
  @IsUUID()
  organisation?: string;

  @ApiPropertyOptional({ description: 'Only pacts with this counterpart (id)' })
  @IsOptional()
  @IsUUID()
  counterpart?: string;

  @ApiPropertyOptional({ enum: PACT_STATUSES })
  @IsOptional()
  @IsIn(PACT_STATUSES)
  status?: PactStatus;
}
