import { Module, type OnModuleInit } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { CalendarController } from './calendar/calendar.controller';
import { CalendarService } from './calendar/calendar.service';
import { EventAccessService } from './event-access.service';
import { EventNoticesService } from './event-notices.service';
import { EventRemindersJob } from './event-reminders.job';
import { registerEventTemplates } from './event-templates';
import { EventsController } from './events.controller';
import { EventsService } from './events.service';
import { SeatsService } from './seats.service';
import { SignupsController } from './signups.controller';
import { SignupsService } from './signups.service';

@Module({
  imports: [CampaignsModule],
  controllers: [EventsController, SignupsController, CalendarController],
  providers: [EventsService, SignupsService, SeatsService, EventAccessService, EventNoticesService, EventRemindersJob, CalendarService],
  exports: [EventsService, SignupsService],
})
export class EventsModule implements OnModuleInit {
  onModuleInit(): void {
    registerEventTemplates();
  }
}
