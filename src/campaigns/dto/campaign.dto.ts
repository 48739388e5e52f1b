import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsOptional, IsUUID, Matches } from 'class-validator';

import { DATE_PATTERN, TextField } from '../../common/dto-fields';
import { PageQuery } from '../../common/pagination';
import { CAMPAIGN_STATUSES, type CampaignStatus } from '../campaign.entity';

export class CreateCampaignDto {
  @ApiPropertyOptional({ description: 'Owner organisation (exactly one of organisationId, coalitionId)' })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  @ApiPropertyOptional({ description: 'Owner coalition (exactly one of organisationId, coalitionId)' })
  @IsOptional()
  @IsUUID()
  coalitionId?: string;

  @TextField(200, { example: 'Defend the popular vote — second round' })
  title: string;

  @TextField(20000, { optional: true })
  description?: string | null;

  @ApiProperty({ example: '2026-06-08', description: 'YYYY-MM-DD' })
  @Matches(DATE_PATTERN, { message: 'startsOn must be a date like 2026-06-08' })
  startsOn: string;

  @ApiPropertyOptional({ example: '2026-07-28', nullable: true })
  @IsOptional()
  @Matches(DATE_PATTERN, { message: 'endsOn must be a date like 2026-07-28' })
  endsOn?: string | null;

  @ApiPropertyOptional({ enum: CAMPAIGN_STATUSES, default: 'draft' })
  @IsOptional()
  @IsIn(CAMPAIGN_STATUSES)
  status?: CampaignStatus;

  @ApiPropertyOptional({ type: [String], description: 'Demands the campaign pushes (proposed, adopted or achieved; visible to you)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  demandIds?: string[];
}

/** The owner cannot change: a campaign moves by being closed and created again. */
export class UpdateCampaignDto extends PartialType(OmitType(CreateCampaignDto, ['organisationId', 'coalitionId'] as const)) {}

export class CampaignQueryDto extends PageQuery {
  @ApiPropertyOptional({ description: 'Owner organisation id' })
  @IsOptional()
  @IsUUID()
  organisation?: string;

  @ApiPropertyOptional({ description: 'Owner coalition id' })
  @IsOptional()
  @IsUUID()
  coalition?: string;

  @ApiPropertyOptional({ enum: CAMPAIGN_STATUSES })
  @IsOptional()
  @IsIn(CAMPAIGN_STATUSES)
  status?: CampaignStatus;
}
