import { Module } from '@nestjs/common';

import { EventsModule } from '../events/events.module';
import { MembersModule } from '../members/members.module';
import { TextProviders } from './providers/text-providers';
import { TextInboundController } from './text-inbound.controller';
import { TextInboundService } from './text-inbound.service';
import { TextMessagesRepository } from './text-messages.repository';
import { TextWorker } from './text.worker';

/** Text channels (issue 24): the providers, the worker that sends texts from the outbox, and the inbound webhooks (replies, opt-outs, receipts). */
@Module({
  imports: [EventsModule, MembersModule],
  controllers: [TextInboundController],
  providers: [TextProviders, TextMessagesRepository, TextWorker, TextInboundService],
  exports: [TextWorker, TextMessagesRepository],
})
export class TextMessagesModule {}
