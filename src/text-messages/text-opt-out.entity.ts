import { Check, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

import type { TextChannel } from '../outbox/outbox-message.entity';

/**
 * A number that answered BAJA / STOP on a channel (issue 24): nothing more is
 * written to it there. Kept by the number's sha256 (hash.ts), never the
 * number itself, and by no organisation: the number is the person's, and
 * which organisations hold it is nobody's business here.
 */
@Entity('text_opt_outs')
@Check('ck_text_opt_outs_channel', `"channel" IN ('sms','whatsapp')`)
export class TextOptOut {
  @PrimaryColumn({ type: 'text' })
  phoneHash: string;

  @PrimaryColumn({ type: 'text' })
  channel: TextChannel;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
