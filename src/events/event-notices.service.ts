import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import type { SqlParams } from '../common/sql';
import { type NewMessage, OutboxService, outboxInsertSql } from '../outbox/outbox.service';
import type { Event } from './event.entity';
import type { SignupStatus } from './event-signup.entity';

/** The event fields a notice shows. */
export type NoticeEvent = Pick<Event, 'id' | 'title' | 'startsAt' | 'endsAt' | 'timezone' | 'venue' | 'address' | 'locality' | 'region' | 'country' | 'onlineUrl' | 'addressVisibility' | 'revision' | 'cancelReason'>;

/** One signup as a notice sees it: where to write, in which language, what to call them. */
interface Recipient {
  id: string;
  email: string;
  locale: string;
  name: string;
  status: SignupStatus;
  shift: string | null;
}

/** A signup row (`s`) read with RECIPIENT_COLUMNS over RECIPIENT_JOINS. */
export interface RecipientRow {
  id: string;
  email: string | null;
  locale: string;
  name: string | null;
  status: SignupStatus;
  shift: string | null;
}

/**
 * Where a signup (`s`) is mailed: a guest at the address they gave, in the
 * language they chose; a member at their e-mail, in their preferred language
 * (read from the members table: the person's contact, nothing else). Erased
 * people have no address left, so they get nothing.
 */
export const RECIPIENT_COLUMNS = `s.id,
  CASE WHEN s.member_id IS NULL THEN s.guest_email ELSE m.email END AS email,
  CASE WHEN s.member_id IS NULL THEN s.locale ELSE m.preferred_language END AS locale,
  CASE WHEN s.member_id IS NULL THEN s.guest_name ELSE m.given_name END AS name,
  s.status, sh.name AS shift`;
export const RECIPIENT_JOINS = `LEFT JOIN members m ON m.id = s.member_id AND m.erased_at IS NULL LEFT JOIN event_shifts sh ON sh.id = s.shift_id`;

const toRecipient = (r: RecipientRow): Recipient | null => (r.email ? { ...r, email: r.email, name: r.name ?? '' } : null);

/**
 * Writes the e-mails events owe, always inside the transaction of their cause
 * (`em`): a rolled-back change leaves no message, and every message has a
 * dedupe key naming its cause, so the same cause never mails twice.
 */
@Injectable()
export class EventNoticesService {
  constructor(
    private readonly outbox: OutboxService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  eventUrl(eventId: string): string {
    return `${this.config.publicUrl}/events/${eventId}`;
  }

  /** The guest's view/cancel page; the token travels in the fragment, so it never reaches a server log or a Referer. */
  manageUrl(token: string): string {
    return `${this.config.publicUrl}/signups/manage#token=${token}`;
  }

  /**
   * Where signups of these ids are mailed: a guest at the address they gave,
   * in the language they chose; a member at their e-mail, in their preferred
   * language (read from the members table: the person's contact, nothing
   * else). Erased people have no address left, so they get nothing.
   */
  private async recipients(em: EntityManager, where: string, params: unknown[]): Promise<Recipient[]> {
    const rows = await em.query<RecipientRow[]>(`SELECT ${RECIPIENT_COLUMNS} FROM event_signups s ${RECIPIENT_JOINS} WHERE ${where} ORDER BY s.seq`, params);
    return rows.map(toRecipient).filter((r): r is Recipient => r !== null);
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
    return {
      template,
      recipient: r.email,
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

  /**
   * Confirmation of a new signup (going or waitlisted), as the INSERT of the
   * statement that makes the signup (its values added to `p`): `relation`
   * names that statement's signup as RECIPIENT_COLUMNS read it, whose status
   * and recipient are known only there. A guest's carries the manage link.
   */
  signupConfirmationSql(p: SqlParams, relation: string, event: NoticeEvent, manageToken: string | null): string {
    const template = 'event.signup_confirmation';
    const extra: Record<string, string> = manageToken ? { manageUrl: this.manageUrl(manageToken) } : {};
    // The payload as `message` makes it for either status; the person's name and shift are filled in from the row.
    const payload = (status: SignupStatus) => p.add(JSON.stringify(this.message(template, '', event, { id: '', email: '', locale: 'es', name: '', status, shift: null }, extra).payload));
    return outboxInsertSql(
      `SELECT ${p.add(template)}::text, r.email, CASE WHEN r.locale = 'en' THEN 'en' ELSE 'es' END,
              CASE WHEN r.status = 'going' THEN ${payload('going')}::jsonb ELSE ${payload('waitlisted')}::jsonb END
                || jsonb_build_object('name', coalesce(r.name, ''), 'shift', coalesce(r.shift, '')),
              'event_signup:' || r.id
         FROM ${relation} r WHERE r.email IS NOT NULL`,
    );
  }

  /** "A place freed up and it is yours" — a signup is promoted at most once in its life. */
  async promoted(em: EntityManager, event: NoticeEvent, signupIds: string[]): Promise<void> {
    if (!signupIds.length) return;
    const rs = await this.recipients(em, 's.id = ANY($1::uuid[])', [signupIds]);
    await this.outbox.enqueueMany(em, rs.map((r) => this.message('event.waitlist_promoted', `event_promoted:${r.id}`, event, r)));
  }

  /** Time or place changed: everyone still signed up, once per revision. */
  async changed(em: EntityManager, event: NoticeEvent): Promise<void> {
    const rs = await this.recipients(em, `s.event_id = $1 AND s.status IN ('going','waitlisted')`, [event.id]);
    await this.outbox.enqueueMany(em, rs.map((r) => this.message('event.changed', `event_changed:${event.id}:${event.revision}:${r.id}`, event, r)));
  }

  /** The event is off: everyone still signed up. */
  async cancelled(em: EntityManager, event: NoticeEvent): Promise<void> {
    const rs = await this.recipients(em, `s.event_id = $1 AND s.status IN ('going','waitlisted')`, [event.id]);
    await this.outbox.enqueueMany(em, rs.map((r) => this.message('event.cancelled', `event_cancelled:${event.id}:${r.id}`, event, r, { reason: event.cancelReason ?? '' })));
  }

  /** The 24-hour reminder: the dedupe key is the signup, so however often it is asked for, it is written once. */
  async reminders(em: EntityManager, event: NoticeEvent, signupIds: string[]): Promise<number> {
    if (!signupIds.length) return 0;
    const rs = await this.recipients(em, `s.id = ANY($1::uuid[]) AND s.status = 'going'`, [signupIds]);
    return this.outbox.enqueueMany(em, rs.map((r) => this.message('event.reminder', `event_reminder:${r.id}`, event, r)));
  }
}
