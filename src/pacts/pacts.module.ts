import { Module } from '@nestjs/common';

import { DemandsModule } from '../demands/demands.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { PactAccess } from './pact.access';
import { PactsController } from './pacts.controller';
import { PactsRepository } from './pacts.repository';
import { PactsService } from './pacts.service';

@Module({ imports: [DemandsModule, OrganisationsModule], controllers: [PactsController], providers: [PactsService, PactsRepository, PactAccess] })
export class PactsModule {}
