import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

import { EventSignup } from '../events/event-signup.entity';
import type { TextChannel } from '../outbox/outbox-message.entity';

/**
 * The last question sent to a number on a channel: "reply SI to confirm, NO
 * to cancel", about one signup (issue 24). One sender number serves every
 * organisation, so a reply acts on this signup and on nothing else. Kept by
 * the number's sha256.
 */
@Entity('text_questions')
@Check('ck_text_questions_channel', `"channel" IN ('sms','whatsapp')`)
export class TextQuestion {
  @PrimaryColumn({ type: 'text' })
  phoneHash: string;

  @PrimaryColumn({ type: 'text' })
  channel: TextChannel;

  @Column({ type: 'uuid' })
  signupId: string;

  @ManyToOne(() => EventSignup, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'signup_id' })
  signup?: EventSignup;

  /** The language it was asked in: the help text answers in it. */
  @Column({ type: 'text', default: 'es' })
  locale: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  askedAt: Date;
}
