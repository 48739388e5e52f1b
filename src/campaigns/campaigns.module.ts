import { Module } from '@nestjs/common';
import { DemandsModule } from '../demands/demands.module';
import { CampaignsController } from './campaigns.controller';
import { CampaignsService } from './campaigns.service';
import { LinkedDemandsService } from './linked-demands.service';

@Module({ imports: [DemandsModule], controllers: [CampaignsController], providers: [CampaignsService, LinkedDemandsService], exports: [CampaignsService, LinkedDemandsService] })
export class CampaignsModule {}
