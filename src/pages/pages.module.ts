import { Module } from '@nestjs/common';

import { CoalitionsModule } from '../coalitions/coalitions.module';
import { DemandsModule } from '../demands/demands.module';
import { EventsModule } from '../events/events.module';
import { MembersModule } from '../members/members.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { AccountPagesController } from './account-pages.controller';
import { AssetsController } from './assets.controller';
import { CheckInPagesController } from './check-in-pages.controller';
import { DoorPageGuard } from './door-page.guard';
import { EventPagesController } from './event-pages.controller';
import { PageGuard } from './page-context';
import { PublicPagesController } from './public-pages.controller';

/**
 * The public pages (issue 20): server-rendered HTML on the same services and
 * access rules as the API, outside its `/api/v1` prefix (PAGE_PATHS).
 */
@Module({
  imports: [EventsModule, OrganisationsModule, CoalitionsModule, DemandsModule, MembersModule],
  controllers: [EventPagesController, PublicPagesController, AccountPagesController, CheckInPagesController, AssetsController],
  providers: [PageGuard, DoorPageGuard],
})
export class PagesModule {}
