import { Module, type OnModuleInit } from '@nestjs/common';

import { CampaignsModule } from '../campaigns/campaigns.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { CalendarController } from './calendar/calendar.controller';
import { CalendarService } from './calendar/calendar.service';
import { CheckInCodes } from './check-in-codes';
import { CheckInsController } from './check-ins.controller';
import { CheckInsRepository } from './check-ins.repository';
import { CheckInsService } from './check-ins.service';
import { DoorLinkGuard } from './door-link.guard';
import { DoorLinksRepository } from './door-links.repository';
import { DoorLinksService } from './door-links.service';
import { EventNoticesService } from './event-notices.service';
import { EventRemindersJob } from './event-reminders.job';
import { registerEventTemplates } from './event-templates';
import { EventAccess } from './event.access';
import { EventsController } from './events.controller';
import { EventsRepository } from './events.repository';
import { EventsService } from './events.service';
import { PromotionsController } from './promotions.controller';
import { PromotionsRepository } from './promotions.repository';
import { PromotionsService } from './promotions.service';
import { SeatsService } from './seats.service';
import { SignupsController } from './signups.controller';
import { SignupsRepository } from './signups.repository';
import { SignupsService } from './signups.service';

@Module({
  imports: [CampaignsModule, OrganisationsModule],
  controllers: [EventsController, SignupsController, CalendarController, CheckInsController, PromotionsController],
  providers: [
    EventsRepository,
    SignupsRepository,
    EventsService,
    SignupsService,
    SeatsService,
    EventAccess,
    EventNoticesService,
    EventRemindersJob,
    CalendarService,
    CheckInCodes,
    CheckInsRepository,
    CheckInsService,
    DoorLinksRepository,
    DoorLinksService,
    DoorLinkGuard,
    PromotionsRepository,
    PromotionsService,
  ],
  // CheckInCodes: whatever shows a signup's check-in code (an e-mail, a page, a QR code) derives it there.
  // DoorLinksService: the door page checks a door link as the API's DoorLinkGuard does. PromotionsService: the event page asks it who a link's ref names (issue 22).
  exports: [EventsService, SignupsService, CheckInCodes, CheckInsService, DoorLinksService, PromotionsService],
})
export class EventsModule implements OnModuleInit {
  onModuleInit(): void {
    registerEventTemplates();
  }
}
