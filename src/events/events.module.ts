import { Module, type OnModuleInit } from '@nestjs/common';

import { CampaignsModule } from '../campaigns/campaigns.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { CalendarController } from './calendar/calendar.controller';
import { CalendarService } from './calendar/calendar.service';
import { EventNoticesService } from './event-notices.service';
import { EventRemindersJob } from './event-reminders.job';
import { registerEventTemplates } from './event-templates';
import { EventAccess } from './event.access';
import { EventsController } from './events.controller';
import { EventsRepository } from './events.repository';
import { EventsService } from './events.service';
import { SeatsService } from './seats.service';
import { SignupsController } from './signups.controller';
import { SignupsRepository } from './signups.repository';
import { SignupsService } from './signups.service';

@Module({
  imports: [CampaignsModule, OrganisationsModule],
  controllers: [EventsController, SignupsController, CalendarController],
  providers: [EventsRepository, SignupsRepository, EventsService, SignupsService, SeatsService, EventAccess, EventNoticesService, EventRemindersJob, CalendarService],
  exports: [EventsService, SignupsService],
})
export class EventsModule implements OnModuleInit {
  onModuleInit(): void {
    registerEventTemplates();
  }
}
