import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';

import { PROMOTION_STATUSES, type PromotionStatus } from '../promotion-workflow';

/** Who promotes: exactly one of an organisation (its organisers) or a coalition (its coordinators). */
export class CreatePromotionDto {
  @ApiPropertyOptional({ description: 'The promoting organisation: you organise it (exactly one of organisationId, coalitionId)' })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  @ApiPropertyOptional({ description: 'The promoting coalition: you coordinate it (exactly one of organisationId, coalitionId)' })
  @IsOptional()
  @IsUUID()
  coalitionId?: string;
}

export class UpdatePromotionDto {
  @ApiProperty({
    enum: PROMOTION_STATUSES.filter((s) => s !== 'active'),
    description: 'ended: either side stops it (the promoter may promote again, with a new ref); refused: the host says no (the promoter may not promote this event again)',
  })
  @IsIn(['ended', 'refused'])
  status: Exclude<PromotionStatus, 'active'>;
}
