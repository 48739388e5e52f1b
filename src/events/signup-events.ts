import type { DomainEvent } from '../domain-events/domain-event';
import type { Event } from './event.entity';

/**
 * The events module's changes that others react to (DomainEvents): each is
 * its audit entry (`action`, `entity`, `changes`, exactly as recorded) plus
 * what its subscribers need — the event as a notice shows it.
 */

/** The event fields a notice shows. */
export type NoticeEvent = Pick<
  Event,
  'id' | 'title' | 'startsAt' | 'endsAt' | 'timezone' | 'venue' | 'address' | 'locality' | 'region' | 'country' | 'onlineUrl' | 'addressVisibility' | 'revision' | 'cancelReason' | 'hostOrganisationId'
>;

/** What a change of an event or its signups is recorded under. */
type Scope = Pick<Event, 'hostOrganisationId' | 'coalitionId'>;

/** A change of one event or of its signups, recorded under the event's host organisation or coalition. */
abstract class EventChange implements DomainEvent {
  abstract readonly action: string;
  abstract readonly entity: 'event' | 'event_signup';
  abstract readonly entityId: string | null;
  abstract readonly changes: Record<string, unknown>;
  readonly organisationId: string | null;
  readonly coalitionId: string | null;

  protected constructor(scope: Scope) {
    this.organisationId = scope.hostOrganisationId;
    this.coalitionId = scope.coalitionId;
  }
}

/**
 * A new signup (going or waitlisted), written as one statement
 * (`DomainEvents.inStatement`): its id and status are known only there, so
 * the entry's `status.to` is filled in by the statement. A guest's
 * confirmation carries `manageToken`; a seat holder's, the check-in code of
 * the signup (its id is chosen before the statement, and the code derived
 * from it).
 */
export class SignupCreated extends EventChange {
  readonly action = 'event_signup.create';
  readonly entity = 'event_signup';
  readonly entityId = null;

  constructor(
    readonly event: NoticeEvent & Scope,
    readonly changes: Record<string, unknown>,
    readonly manageToken: string | null,
    readonly checkIn: { token: string; code: string },
  ) {
    super(event);
  }
}

/** A waitlisted signup got a freed seat. */
export class SignupPromoted extends EventChange {
  readonly action = 'event_signup.promote';
  readonly entity = 'event_signup';
  readonly changes = { status: { from: 'waitlisted', to: 'going' } };

  constructor(
    readonly event: NoticeEvent & Scope,
    readonly entityId: string,
  ) {
    super(event);
  }
}

/** A signup was cancelled (by the person, an organiser, or an erasure). */
export class SignupCancelled extends EventChange {
  readonly action = 'event_signup.cancel';
  readonly entity = 'event_signup';

  constructor(
    scope: Scope,
    readonly entityId: string,
    readonly changes: Record<string, unknown>,
  ) {
    super(scope);
  }
}

/** An event was edited; `timeOrPlace` when the change moves it (its revision was bumped): those signed up are told. */
export class EventChanged extends EventChange {
  readonly action = 'event.update';
  readonly entity = 'event';
  readonly entityId: string;

  constructor(
    readonly event: NoticeEvent & Scope,
    readonly changes: Record<string, unknown>,
    readonly timeOrPlace: boolean,
  ) {
    super(event);
    this.entityId = event.id;
  }
}

/** An event was cancelled (`event.cancelReason` set): everyone still signed up is told. */
export class EventCancelled extends EventChange {
  readonly action = 'event.cancel';
  readonly entity = 'event';
  readonly entityId: string;

  constructor(
    readonly event: NoticeEvent & Scope,
    readonly changes: Record<string, unknown>,
  ) {
    super(event);
    this.entityId = event.id;
  }
}
