import type { DomainEvent } from '../domain-events/domain-event';
import { EventCancelled, EventChanged, SignupCancelled, SignupCreated, SignupPromoted } from '../events/signup-events';

/**
 * The event types a webhook endpoint subscribes to, and how each is made
 * from the domain events other modules announce (DomainEvents). Where a
 * module announces a typed event (src/events/signup-events.ts) the class
 * says it; where it announces only its audit entry (`{action, entity,
 * entityId, changes}`), the action does.
 *
 * A payload's `data` holds ids and non-personal fields only: never an
 * e-mail, a phone or a name (test/webhooks.e2e-spec.ts runs every type and
 * looks). A receiver reads the rest through the API, with its own rights.
 */
export const WEBHOOK_EVENT_TYPES = [
  'signup.created',
  'signup.cancelled',
  'signup.promoted',
  'signup.checked_in',
  'event.published',
  'event.changed',
  'event.cancelled',
  'membership.applied',
  'membership.changed',
  'member.erased',
  'import.completed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Types about an organisation's own members: never sent to a coalition's endpoint (a coalition holds no member records). */
export const ORGANISATION_ONLY_TYPES: readonly WebhookEventType[] = ['membership.applied', 'membership.changed', 'member.erased', 'import.completed'];

/**
 * One webhook event, before it is addressed: its type and data, and what it
 * belongs to — the endpoints it reaches are those of `organisationId` (or an
 * ancestor), of the event's co-hosts (or an ancestor) when it is about an
 * event, and of `coalitionId`.
 */
export interface WebhookEvent {
  type: WebhookEventType;
  data: Record<string, unknown>;
  organisationId: string | null;
  coalitionId: string | null;
  /** The event (a mobilisation) it is about: its co-hosts' endpoints receive it too. */
  eventId: string | null;
  /** A signup whose event the subscriber looks up (a cancellation or a check-in names the signup only). */
  signupOf?: string;
}

const MAPPED_ACTIONS = new Set([
  'event.publish',
  'event_signup.check_in',
  'event_signup.walk_in',
  'event_signup.update',
  'membership.apply',
  'membership.create',
  'membership.update',
  'membership.status',
  'membership.erase',
  'member.erase',
  'import.complete',
]);

/** Does this domain event make a webhook event? (The subscriber's filter: cheap, no I/O.) */
export function isWebhookSource(e: DomainEvent): boolean {
  return e instanceof SignupCreated || e instanceof SignupPromoted || e instanceof SignupCancelled || e instanceof EventChanged || e instanceof EventCancelled || MAPPED_ACTIONS.has(e.action);
}

/** `changes.<field>.to` of an audit-shaped event. */
function to(e: DomainEvent, field: string): unknown {
  const c = e.changes?.[field];
  return c && typeof c === 'object' && 'to' in c ? c.to : undefined;
}
function from(e: DomainEvent, field: string): unknown {
  const c = e.changes?.[field];
  return c && typeof c === 'object' && 'from' in c ? c.from : undefined;
}

const scope = (e: DomainEvent) => ({ organisationId: e.organisationId ?? null, coalitionId: e.coalitionId ?? null });

/**
 * The webhook event a domain event makes, or null. A new signup is not here:
 * it is written in one statement, and its payload is made there (its id and
 * status are known only to the statement: `signupCreatedData`).
 */
export function toWebhookEvent(e: DomainEvent): WebhookEvent | null {
  if (e instanceof SignupPromoted) {
    return { type: 'signup.promoted', data: { signupId: e.entityId, eventId: e.event.id, status: 'going' }, ...scope(e), eventId: e.event.id };
  }
  if (e instanceof SignupCancelled) {
    return { type: 'signup.cancelled', data: { signupId: e.entityId, status: 'cancelled', previousStatus: from(e, 'status') ?? null }, ...scope(e), eventId: null, signupOf: e.entityId };
  }
  if (e instanceof EventChanged) {
    return {
      type: 'event.changed',
      data: { eventId: e.event.id, changed: Object.keys(e.changes).sort(), timeOrPlace: e.timeOrPlace, revision: e.event.revision },
      ...scope(e),
      eventId: e.event.id,
    };
  }
  if (e instanceof EventCancelled) return { type: 'event.cancelled', data: { eventId: e.event.id, status: 'cancelled' }, ...scope(e), eventId: e.event.id };
  if (e instanceof SignupCreated || !e.entityId) return null;
  const id = e.entityId;
  switch (e.action) {
    case 'event.publish':
      return { type: 'event.published', data: { eventId: id, status: 'published' }, ...scope(e), eventId: id };
    case 'event_signup.check_in':
    case 'event_signup.walk_in':
      return { type: 'signup.checked_in', data: { signupId: id, status: 'attended', walkIn: e.action === 'event_signup.walk_in' }, ...scope(e), eventId: null, signupOf: id };
    case 'event_signup.update':
      // An organiser marking attendance from the signup list is a check-in; a no-show is not announced.
      return to(e, 'status') === 'attended' ? { type: 'signup.checked_in', data: { signupId: id, status: 'attended', walkIn: false }, ...scope(e), eventId: null, signupOf: id } : null;
    case 'membership.apply':
      return { type: 'membership.applied', data: { membershipId: id, memberId: to(e, 'memberId') ?? null, organisationId: e.organisationId ?? null, status: 'applied' }, ...scope(e), eventId: null };
    case 'membership.create':
    case 'membership.update':
    case 'membership.status':
    case 'membership.erase': {
      const change = { 'membership.create': 'created', 'membership.update': 'updated', 'membership.status': 'status', 'membership.erase': 'erased' }[e.action];
      const status = e.changes?.status && typeof e.changes.status === 'object' ? { from: from(e, 'status') ?? null, to: to(e, 'status') ?? null } : null;
      return {
        type: 'membership.changed',
        data: {
          membershipId: id,
          memberId: to(e, 'memberId') ?? null,
          organisationId: e.organisationId ?? null,
          change,
          status,
          changed: Object.keys(e.changes ?? {})
            .filter((k) => k !== 'memberId')
            .sort(),
        },
        ...scope(e),
        eventId: null,
      };
    }
    case 'member.erase':
      return { type: 'member.erased', data: { memberId: id, organisationId: e.organisationId ?? null, erasedAt: to(e, 'erasedAt') ?? null }, ...scope(e), eventId: null };
    case 'import.complete':
      return {
        type: 'import.completed',
        data: {
          importId: id,
          organisationId: e.organisationId ?? null,
          rowsRead: to(e, 'read') ?? 0,
          rowsCreated: to(e, 'created') ?? 0,
          rowsUpdated: to(e, 'updated') ?? 0,
          rowsFailed: to(e, 'failed') ?? 0,
        },
        ...scope(e),
        eventId: null,
      };
    default:
      return null;
  }
}

/** A new signup's data, less what only its statement knows (`signupId`, `status`). */
export function signupCreatedData(e: SignupCreated): Record<string, unknown> {
  return { eventId: e.event.id, shiftId: to(e, 'shiftId') ?? null };
}

/** The body a receiver gets: `{ type, timestamp, data }`. */
export function webhookBody(type: WebhookEventType, timestamp: Date, data: Record<string, unknown>): { type: WebhookEventType; timestamp: string; data: Record<string, unknown> } {
  return { type, timestamp: timestamp.toISOString(), data };
}

/** One example payload per type: for the README and the OpenAPI document (webhooks.views.ts). A test checks each matches what the code sends. */
export const EXAMPLE_PAYLOADS: Record<WebhookEventType, Record<string, unknown>> = {
  'signup.created': { signupId: 'd4c3b2a1-f6e5-4d7c-8b9a-0f1e2d3c4b5a', eventId: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b', shiftId: null, status: 'going' },
  'signup.cancelled': { signupId: 'd4c3b2a1-f6e5-4d7c-8b9a-0f1e2d3c4b5a', eventId: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b', status: 'cancelled', previousStatus: 'going' },
  'signup.promoted': { signupId: 'd4c3b2a1-f6e5-4d7c-8b9a-0f1e2d3c4b5a', eventId: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b', status: 'going' },
  'signup.checked_in': { signupId: 'd4c3b2a1-f6e5-4d7c-8b9a-0f1e2d3c4b5a', eventId: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b', status: 'attended', walkIn: false },
  'event.published': { eventId: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b', status: 'published' },
  'event.changed': { eventId: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b', changed: ['startsAt', 'venue'], timeOrPlace: true, revision: 2 },
  'event.cancelled': { eventId: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b', status: 'cancelled' },
  'membership.applied': {
    membershipId: '6f1a4d7c-0b3e-4a6f-9c2b-5e8d1a4c7f0b',
    memberId: '2c5e8b1f-4a7d-4e0c-b3f6-9a2d5c8e1b4f',
    organisationId: '3f6c1a2e-8b4d-4c1e-9a7f-2d5e8b1c4a90',
    status: 'applied',
  },
  'membership.changed': {
    membershipId: '6f1a4d7c-0b3e-4a6f-9c2b-5e8d1a4c7f0b',
    memberId: '2c5e8b1f-4a7d-4e0c-b3f6-9a2d5c8e1b4f',
    organisationId: '3f6c1a2e-8b4d-4c1e-9a7f-2d5e8b1c4a90',
    change: 'status',
    status: { from: 'applied', to: 'active' },
    changed: ['joinedOn', 'status'],
  },
  'member.erased': { memberId: '2c5e8b1f-4a7d-4e0c-b3f6-9a2d5c8e1b4f', organisationId: '3f6c1a2e-8b4d-4c1e-9a7f-2d5e8b1c4a90', erasedAt: '2026-06-09T15:02:11.000Z' },
  'import.completed': { importId: '4e7b0a3d-6c9f-4e2b-a5d8-1c4f7a0d3b6e', organisationId: '3f6c1a2e-8b4d-4c1e-9a7f-2d5e8b1c4a90', rowsRead: 300, rowsCreated: 296, rowsUpdated: 2, rowsFailed: 2 },
};
