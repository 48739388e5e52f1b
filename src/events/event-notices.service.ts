import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';

import type { Caller } from '../access/caller';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import type { Tx } from '../database/transactions';
import type { DomainEvent, DomainEventSubscriber, StatementContext } from '../domain-events/domain-event';
import { DomainEvents } from '../domain-events/domain-events';
import type { Channel, TextChannel } from '../outbox/outbox-message.entity';
import { OutboxService, type NewMessage } from '../outbox/outbox.service';
import { CheckInCodes } from './check-in-codes';
import type { SignupStatus } from './event-signup.entity';
import { EventCancelled, EventChanged, SignupCreated, SignupPromoted, type NoticeEvent } from './signup-events';
import { SignupsRepository, type RecipientRow, type RecipientSelection } from './signups.repository';

/** One signup as a notice sees it: where to write (an address, or a number by a text channel), in which language, what to call them. */
interface Recipient {
  id: string;
  /** The e-mail address, or the number of a text. */
  to: string;
  /** A text's e-mail address, should it have to go by e-mail. */
  email: string | null;
  channel: Channel;
  locale: string;
  name: string;
  status: SignupStatus;
  shift: string | null;
}

const toRecipient = (r: RecipientRow): Recipient | null => {
  const to = r.channel === 'email' ? r.email : r.phone;
  return to ? { id: r.id, to, email: r.email, channel: r.channel, locale: r.locale, name: r.name ?? '', status: r.status, shift: r.shift } : null;
};

/**
 * Writes the notices events owe, by e-mail or, for people who consented to
 * it with a number, by WhatsApp or SMS (issue 24: the channel is chosen when
 * the notice is written, SignupsRepository's channelSql): a subscriber of the module's changes
 * (signup-events.ts), always inside the transaction of their cause — a
 * rolled-back change leaves no message, and every message has a dedupe key
 * naming its cause, so the same cause never mails twice. A new signup's
 * confirmation is part of the one statement that makes the signup
 * (`inStatement`).
 */
@Injectable()
export class EventNoticesService implements DomainEventSubscriber, OnModuleInit {
  constructor(
    private readonly outbox: OutboxService,
    private readonly signups: SignupsRepository,
    private readonly changes: DomainEvents,
    private readonly codes: CheckInCodes,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.changes.subscribe(this, (e) => e instanceof SignupCreated || e instanceof SignupPromoted || e instanceof EventCancelled || (e instanceof EventChanged && e.timeOrPlace));
  }

  async handle(tx: Tx, actor: Caller, e: DomainEvent): Promise<void> {
    await this.handleAll(tx, actor, [e]);
  }

  /** The signups one freed seat (or a larger capacity) promoted come together: their notices are written at once. */
  async handleAll(tx: Tx, _actor: Caller, events: DomainEvent[]): Promise<void> {
    const promoted = new Map<string, SignupPromoted[]>();
    for (const e of events) if (e instanceof SignupPromoted) promoted.set(e.event.id, [...(promoted.get(e.event.id) ?? []), e]);
    for (const ofEvent of promoted.values()) {
      await this.promoted(
        tx,
        ofEvent[0].event,
        ofEvent.map((e) => e.entityId),
      );
    }
    for (const e of events) {
      if (e instanceof SignupPromoted) continue;
      if (e instanceof EventChanged) await this.changed(tx, e.event);
      else if (e instanceof EventCancelled) await this.cancelled(tx, e.event);
      else throw new Error(`${e.action} is written in one statement: its notice is part of it (inStatement)`);
    }
  }

  /**
   * A new signup's confirmation (going or waitlisted), in the statement that
   * makes the signup. A guest's carries the manage link; a seat holder's, the
   * check-in code (its QR code is drawn when the message is sent). The
   * waiting list gets its code with the promotion.
   */
  inStatement(_actor: Caller, e: DomainEvent, statement: StatementContext): string | null {
    if (!(e instanceof SignupCreated)) return null;
    const template = 'event.signup_confirmation';
    const extra: Record<string, string> = e.manageToken ? { manageUrl: this.manageUrl(e.manageToken) } : {};
    const door = { checkinToken: e.checkIn.token, checkinCode: e.checkIn.code };
    // The payload as `message` makes it for either status; the person's name and shift are filled in from the row.
    const payload = (status: SignupStatus, more: Record<string, string> = {}) =>
      this.message(template, '', e.event, { id: '', to: '', email: null, channel: 'email', locale: 'es', name: '', status, shift: null }, { ...extra, ...more }).payload;
    return this.signups.confirmationPart(
      statement,
      template,
      { going: payload('going', door), waitlisted: payload('waitlisted') },
      { enabled: this.textChannels(e.event), organisationId: e.event.hostOrganisationId },
    );
  }

  /** A seat holder's check-in code, for the messages that confirm or remind them of their seat. */
  private doorCode(signupId: string): Record<string, string> {
    return { checkinToken: this.codes.tokenFor(signupId), checkinCode: this.codes.shortCodeFor(signupId) };
  }

  /** The event's public page. */
  eventUrl(eventId: string): string {
    return `${this.config.publicUrl}/e/${eventId}`;
  }

  /** The guest's view/cancel page: the token is the path's last segment, kept out of the request log (app.ts) and of any Referer (the pages send none). */
  manageUrl(token: string): string {
    return `${this.config.publicUrl}/signups/manage/${token}`;
  }

  /**
   * The text channels notices of the event may use: those configured, for
   * an event an organisation hosts (its monthly budget pays for them; a
   * coalition has none, so its events' notices go by e-mail).
   */
  textChannels(event: Pick<NoticeEvent, 'hostOrganisationId'>): TextChannel[] {
    if (!event.hostOrganisationId) return [];
    return [...(this.config.whatsapp ? (['whatsapp'] as const) : []), ...(this.config.sms ? (['sms'] as const) : [])];
  }

  /** Where the selected signups are written, and by which channel (erased people, who have no address or number left, get nothing). */
  private async recipients(tx: Tx, event: NoticeEvent, which: RecipientSelection): Promise<Recipient[]> {
    return (await this.signups.recipients(tx, which, this.textChannels(event))).map(toRecipient).filter((r): r is Recipient => r !== null);
  }

  /** Going (or attended) people see the address; the waiting list only a public one. */
  private place(event: NoticeEvent, status: SignupStatus): string {
    const seated = status === 'going' || status === 'attended';
    const showAddress = event.addressVisibility === 'public' || seated;
    const parts = [event.venue, showAddress ? event.address : null, event.locality, event.region].filter((x): x is string => !!x);
    if (event.onlineUrl && showAddress) parts.push(event.onlineUrl);
    return parts.join(', ');
  }

  private message(template: string, dedupeKey: string, event: NoticeEvent, r: Recipient, extra: Record<string, string> = {}): NewMessage {
    const text = r.channel !== 'email';
    return {
      template,
      recipient: r.to,
      channel: r.channel,
      fallbackRecipient: text ? r.email : null,
      organisationId: text ? event.hostOrganisationId : null,
      signupId: r.id || null,
      locale: r.locale === 'en' ? 'en' : 'es',
      dedupeKey,
      payload: {
        name: r.name,
        title: event.title,
        startsAt: event.startsAt.toISOString(),
        endsAt: event.endsAt.toISOString(),
        timezone: event.timezone,
        place: this.place(event, r.status),
        shift: r.shift ?? '',
        status: r.status,
        url: this.eventUrl(event.id),
        ...extra,
      },
    };
  }

  /** "A place freed up and it is yours" — a signup is promoted at most once in its life. */
  private async promoted(tx: Tx, event: NoticeEvent, signupIds: string[]): Promise<void> {
    const rs = await this.recipients(tx, event, { ids: signupIds });
    await this.outbox.enqueueMany(
      tx,
      rs.map((r) => this.message('event.waitlist_promoted', `event_promoted:${r.id}`, event, r, this.doorCode(r.id))),
    );
  }

  /** Time or place changed: everyone still signed up, once per revision. */
  private async changed(tx: Tx, event: NoticeEvent): Promise<void> {
    const rs = await this.recipients(tx, event, { liveOfEvent: event.id });
    await this.outbox.enqueueMany(
      tx,
      rs.map((r) => this.message('event.changed', `event_changed:${event.id}:${event.revision}:${r.id}`, event, r)),
    );
  }

  /** The event is off: everyone still signed up. */
  private async cancelled(tx: Tx, event: NoticeEvent): Promise<void> {
    const rs = await this.recipients(tx, event, { liveOfEvent: event.id });
    await this.outbox.enqueueMany(
      tx,
      rs.map((r) => this.message('event.cancelled', `event_cancelled:${event.id}:${r.id}`, event, r, { reason: event.cancelReason ?? '' })),
    );
  }

  /**
   * The reminders (EventRemindersJob): the day before, by every channel —
   * by text it asks to reply SI or NO —, and two hours before, with the
   * place, to those reached by text only (e-mail is not read on the way).
   * The dedupe key is the signup, so however often one is asked for, it is
   * written once.
   */
  async reminders(tx: Tx, event: NoticeEvent, signupIds: string[], kind: 'day' | 'final' = 'day'): Promise<number> {
    if (!signupIds.length) return 0;
    const rs = await this.recipients(tx, event, { ids: signupIds, going: true });
    const [template, key] = kind === 'day' ? ['event.reminder', 'event_reminder'] : ['event.final_reminder', 'event_final_reminder'];
    return this.outbox.enqueueMany(
      tx,
      rs.filter((r) => kind === 'day' || r.channel !== 'email').map((r) => this.message(template, `${key}:${r.id}`, event, r, this.doorCode(r.id))),
    );
  }

  /** The answer to a text's SI or NO (TextInbound), to the number that sent it, on its channel: a reply, counted against no budget; once per signup and answer. */
  async answer(tx: Tx, event: NoticeEvent, signupId: string, reply: { channel: TextChannel; to: string; locale: string; answer: 'confirmed' | 'cancelled' }): Promise<void> {
    const r: Recipient = { id: signupId, to: reply.to, email: null, channel: reply.channel, locale: reply.locale, name: '', status: 'going', shift: null };
    await this.outbox.enqueue(tx, { ...this.message(`event.answer_${reply.answer}`, `event_answer:${reply.answer}:${signupId}`, event, r), organisationId: null });
  }
}
