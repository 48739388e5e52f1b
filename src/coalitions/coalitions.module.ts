import { Module } from '@nestjs/common';

import { OrganisationsModule } from '../organisations/organisations.module';
import { CoalitionsController } from './coalitions.controller';
import { CoalitionsRepository } from './coalitions.repository';
import { CoalitionsService } from './coalitions.service';

@Module({ imports: [OrganisationsModule], controllers: [CoalitionsController], providers: [CoalitionsService, CoalitionsRepository], exports: [CoalitionsService] })
export class CoalitionsModule {}
