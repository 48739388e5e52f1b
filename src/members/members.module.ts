import { Module } from '@nestjs/common';

import { CoalitionsModule } from '../coalitions/coalitions.module';
import { EventsModule } from '../events/events.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { UsersModule } from '../users/users.module';
import { MeController } from './me.controller';
import { MemberAccountsController } from './member-accounts.controller';
import { MemberAccountsService } from './member-accounts.service';
import { MemberExportRepository } from './member-export.repository';
import { MemberExportService } from './member-export.service';
import { MemberImportService } from './member-import.service';
import { MemberImportsController } from './member-imports.controller';
import { MemberImportsRepository } from './member-imports.repository';
import { MemberLoginsRepository } from './member-logins.repository';
import { MemberRightsRepository } from './member-rights.repository';
import { MemberRightsService } from './member-rights.service';
import { MemberSearchRepository } from './member-search.repository';
import { MemberStatsController } from './member-stats.controller';
import { MemberStatsRepository } from './member-stats.repository';
import { MemberStatsService } from './member-stats.service';
import { MemberAccess } from './member.access';
import { MembersController } from './members.controller';
import { MembersRepository } from './members.repository';
import { MembersService } from './members.service';
import { MembershipsController } from './memberships.controller';
import { MembershipsRepository } from './memberships.repository';
import { MembershipsService } from './memberships.service';
import { PromoterListJoins } from './promoter-list-joins';

@Module({
  imports: [OrganisationsModule, CoalitionsModule, UsersModule, EventsModule],
  controllers: [MembersController, MemberAccountsController, MembershipsController, MemberImportsController, MemberStatsController, MeController],
  providers: [
    MembersService,
    MemberAccountsService,
    MembershipsService,
    MemberRightsService,
    MemberImportService,
    MemberExportService,
    MemberStatsService,
    MemberAccess,
    MembersRepository,
    MembershipsRepository,
    MemberLoginsRepository,
    MemberImportsRepository,
    MemberSearchRepository,
    MemberExportRepository,
    MemberStatsRepository,
    MemberRightsRepository,
    PromoterListJoins,
  ],
  exports: [MembersService, MembershipsService, MemberStatsService, MemberRightsService, MemberAccountsService],
})
export class MembersModule {}
