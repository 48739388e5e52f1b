import { Module, type OnModuleInit } from '@nestjs/common';

import { WebhookEventsSubscriber } from './webhook-events.subscriber';
import { registerWebhookTemplates } from './webhook-templates';
import { WebhookAccess } from './webhook.access';
import { WebhookWorker } from './webhook.worker';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/** Webhooks (issue 22): endpoints, the deliveries changes owe them, and the worker that sends them. */
@Module({
  controllers: [WebhooksController],
  providers: [WebhooksRepository, WebhooksService, WebhookAccess, WebhookEventsSubscriber, WebhookWorker],
  exports: [WebhookWorker],
})
export class WebhooksModule implements OnModuleInit {
  onModuleInit(): void {
    registerWebhookTemplates();
  }
}
