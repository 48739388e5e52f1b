import { Global, Module } from '@nestjs/common';

import { OutboxController } from './outbox.controller';
import { OutboxRepository } from './outbox.repository';
import { OutboxService } from './outbox.service';
import { OutboxWorker } from './outbox.worker';

@Global()
@Module({ controllers: [OutboxController], providers: [OutboxService, OutboxRepository, OutboxWorker], exports: [OutboxService, OutboxWorker] })
export class OutboxModule {}
