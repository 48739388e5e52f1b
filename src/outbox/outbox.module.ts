import { Global, Module } from '@nestjs/common';
import { OutboxController } from './outbox.controller';
import { OutboxService } from './outbox.service';
import { OutboxWorker } from './outbox.worker';

@Global()
@Module({ controllers: [OutboxController], providers: [OutboxService, OutboxWorker], exports: [OutboxService, OutboxWorker] })
export class OutboxModule {}
