import { CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

import { Demand } from '../demands/demand.entity';
import { Campaign } from './campaign.entity';

/** A demand a campaign pushes. */
@Entity('campaign_demands')
export class CampaignDemand {
  @PrimaryColumn({ type: 'uuid' })
  campaignId: string;

  @ManyToOne(() => Campaign, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'campaign_id' })
  campaign?: Campaign;

  @Index()
  @PrimaryColumn({ type: 'uuid' })
  demandId: string;

  @ManyToOne(() => Demand, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'demand_id' })
  demand?: Demand;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
