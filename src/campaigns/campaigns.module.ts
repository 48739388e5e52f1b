import { Module } from '@nestjs/common';

import { CoalitionsModule } from '../coalitions/coalitions.module';
import { DemandsModule } from '../demands/demands.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { CampaignAccess } from './campaign.access';
import { CampaignsController } from './campaigns.controller';
import { CampaignsRepository } from './campaigns.repository';
import { CampaignsService } from './campaigns.service';
import { LinkedDemandsRepository } from './linked-demands.repository';
import { LinkedDemandsService } from './linked-demands.service';

@Module({
  imports: [DemandsModule, OrganisationsModule, CoalitionsModule],
  controllers: [CampaignsController],
  providers: [CampaignsService, CampaignsRepository, CampaignAccess, LinkedDemandsService, LinkedDemandsRepository],
  exports: [CampaignsService, LinkedDemandsService],
})
export class CampaignsModule {}
