import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CAMPAIGN_STATUSES, type CampaignStatus } from './campaign.entity';
import { LinkedDemand } from './linked-demands.service';

export class CampaignView {
  @ApiProperty() id: string;
  @ApiPropertyOptional({ nullable: true, type: String }) organisationId: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) coalitionId: string | null;
  @ApiProperty() title: string;
  @ApiPropertyOptional({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ example: '2026-06-08' }) startsOn: string;
  @ApiPropertyOptional({ nullable: true, type: String }) endsOn: string | null;
  @ApiProperty({ enum: CAMPAIGN_STATUSES }) status: CampaignStatus;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
  @ApiProperty({ type: [LinkedDemand], description: 'The demands it pushes that you may see' }) demands: LinkedDemand[];
}

export class CampaignPage {
  @ApiProperty({ type: [CampaignView], description: 'List rows carry no demands (see GET /campaigns/:id)' }) items: Omit<CampaignView, 'demands'>[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
