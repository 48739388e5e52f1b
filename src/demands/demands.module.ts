import { Module } from '@nestjs/common';

import { CoalitionsModule } from '../coalitions/coalitions.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { DemandAccess } from './demand.access';
import { DemandsController } from './demands.controller';
import { DemandsRepository } from './demands.repository';
import { DemandsService } from './demands.service';
import { OwnerAccessService } from './owner-access.service';

@Module({
  imports: [OrganisationsModule, CoalitionsModule],
  controllers: [DemandsController],
  providers: [DemandsService, DemandsRepository, DemandAccess, OwnerAccessService],
  exports: [DemandsService, OwnerAccessService],
})
export class DemandsModule {}
