import { Inject, Injectable } from '@nestjs/common';

import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import type { TextChannel } from '../../outbox/outbox-message.entity';
import { HttpSmsGateway } from './http-sms-gateway';
import type { TextProvider } from './text-provider';
import { WhatsAppCloud } from './whatsapp-cloud';

/** The providers configuration chose (SMS_PROVIDER, WHATSAPP_TOKEN…): at most one per channel. */
@Injectable()
export class TextProviders {
  readonly sms: HttpSmsGateway | null;
  readonly whatsapp: WhatsAppCloud | null;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.sms = config.sms ? new HttpSmsGateway(config.sms) : null;
    this.whatsapp = config.whatsapp ? new WhatsAppCloud(config.whatsapp) : null;
  }

  for(channel: TextChannel): TextProvider | null {
    return channel === 'sms' ? this.sms : this.whatsapp;
  }
}
