import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { DEMAND_STATUSES, type DemandStatus } from '../demands/demand-workflow';
import { CAMPAIGN_STATUSES, type Campaign, type CampaignStatus } from './campaign.entity';

/** A linked demand as campaigns and events show it. */
export class LinkedDemand {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'D3' }) code: string;
  @ApiProperty() title: string;
  @ApiProperty({ enum: DEMAND_STATUSES }) status: DemandStatus;
}

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

/** A campaign with the linked demands the reader may see. */
export const campaignView = (c: Campaign, demands: LinkedDemand[]): CampaignView => ({
  id: c.id,
  organisationId: c.organisationId,
  coalitionId: c.coalitionId,
  title: c.title,
  description: c.description,
  startsOn: c.startsOn,
  endsOn: c.endsOn,
  status: c.status,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
  demands,
});
