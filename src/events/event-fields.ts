/*
 * How to add a field to events
 *
 * 1. The entity (event.entity.ts) and a migration: the column.
 * 2. A row in EVENT_FIELDS below: its column, and what it takes part in —
 *    `summary` (the list row, and so the compiled list serializer),
 *    `location` (withheld from callers who may not see the place),
 *    `audited` (recorded in the audit entries), `editable` (set by create
 *    and PATCH). The list's SQL, the row → view mapping, the audit diff and
 *    the UPDATE all follow from it.
 * 3. The view class in events.views.ts: the property, with @ApiProperty. A
 *    summary field the list row does not document is a start-up error (the
 *    compiled serializer would drop it silently), caught by event-fields.spec.ts.
 * 4. An editable field: the request DTO (dto/event.dto.ts).
 */
import type { Type } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger';

import type { Event } from './event.entity';

export interface EventFieldSpec {
  /** Its column of `events`; for a computed field, the name the list query gives it. */
  readonly column: string;
  /** In the list row (EventSummary): the list query reads it. */
  readonly summary?: true;
  /** Computed by the query, not a column of events (locationHidden). */
  readonly computed?: true;
  /** Part of the place: null for callers who may not see the location. */
  readonly location?: true;
  /** Recorded (from → to) in the audit entries of create and update. */
  readonly audited?: true;
  /** Set from the request on create and by a PATCH. */
  readonly editable?: true;
}

/**
 * The event's fields, in the order the list row documents them (and so
 * writes them): the one list the others derive from.
 */
export const EVENT_FIELDS = {
  id: { column: 'id', summary: true },
  title: { column: 'title', summary: true, audited: true, editable: true },
  kind: { column: 'kind', summary: true, audited: true, editable: true },
  status: { column: 'status', summary: true, audited: true },
  visibility: { column: 'visibility', summary: true, audited: true, editable: true },
  startsAt: { column: 'starts_at', summary: true, audited: true, editable: true },
  endsAt: { column: 'ends_at', summary: true, audited: true, editable: true },
  timezone: { column: 'timezone', summary: true, audited: true, editable: true },
  hostOrganisationId: { column: 'host_organisation_id', summary: true, audited: true },
  coalitionId: { column: 'coalition_id', summary: true, audited: true },
  campaignId: { column: 'campaign_id', summary: true, audited: true, editable: true },
  venue: { column: 'venue', summary: true, audited: true, editable: true },
  address: { column: 'address', summary: true, location: true, audited: true, editable: true },
  locality: { column: 'locality', summary: true, audited: true, editable: true },
  region: { column: 'region', summary: true, audited: true, editable: true },
  country: { column: 'country', summary: true, audited: true, editable: true },
  lat: { column: 'lat', summary: true, location: true, audited: true, editable: true },
  lng: { column: 'lng', summary: true, location: true, audited: true, editable: true },
  onlineUrl: { column: 'online_url', summary: true, location: true, audited: true, editable: true },
  addressVisibility: { column: 'address_visibility', summary: true, audited: true, editable: true },
  locationHidden: { column: 'location_hidden', summary: true, computed: true },
  capacity: { column: 'capacity', summary: true, audited: true, editable: true },
  goingCount: { column: 'going_count', summary: true },
  description: { column: 'description', audited: true, editable: true },
  signupDeadline: { column: 'signup_deadline', audited: true, editable: true },
  cancelReason: { column: 'cancel_reason', audited: true },
  publishedAt: { column: 'published_at' },
  cancelledAt: { column: 'cancelled_at' },
  revision: { column: 'revision' },
  createdAt: { column: 'created_at' },
  updatedAt: { column: 'updated_at' },
} as const satisfies Record<string, EventFieldSpec>;

export type EventFieldName = keyof typeof EVENT_FIELDS;
type Flag = 'summary' | 'computed' | 'location' | 'audited' | 'editable';
type With<F extends Flag> = { [K in EventFieldName]: (typeof EVENT_FIELDS)[K] extends { readonly [P in F]: true } ? K : never }[EventFieldName];

function named<F extends Flag>(flag: F): With<F>[] {
  return (Object.keys(EVENT_FIELDS) as EventFieldName[]).filter((k) => (EVENT_FIELDS[k] as EventFieldSpec)[flag]) as With<F>[];
}

/** The list row's fields, in the order it is written. */
export const SUMMARY_FIELDS = named('summary');
/** Fields the list row shows only to callers who may see the location. */
export const LOCATION_FIELDS = named('location');
/** Fields whose changes the audit entries of create and update record. */
export const AUDITED_FIELDS: (keyof Event)[] = named('audited');
/** Fields create and PATCH set from the request. */
export const EDITABLE_FIELDS = named('editable');
/** Event columns (not computed) the views show as they are (location fields masked). */
export type StoredFieldName = Exclude<EventFieldName, With<'computed'>>;
export const STORED_FIELDS = (Object.keys(EVENT_FIELDS) as EventFieldName[]).filter((k) => !(EVENT_FIELDS[k] as EventFieldSpec).computed) as StoredFieldName[];
// Every stored field is a property of the entity (a compile-time check).
const _stored: readonly (keyof Event)[] = STORED_FIELDS;
void _stored;

/** A change to one of these is a change of time or place: people signed up are told. */
export const NOTIFY_FIELDS: (keyof Event)[] = ['startsAt', 'endsAt', 'timezone', 'venue', 'address', 'locality', 'region', 'country', 'onlineUrl'];

/** The properties a view class documents (@ApiProperty), in declaration order. */
export function documentedProperties(model: Type): string[] {
  return ((Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, model.prototype as object) ?? []) as string[]).map((k) => k.slice(1));
}

/**
 * Throws unless `model` documents exactly the summary fields, in their
 * order: the compiled list serializer writes what @ApiProperty declares and
 * drops anything else, silently — so a field missing there must stop the
 * start-up instead.
 */
export function assertSummaryDocumented(model: Type): void {
  const documented = documentedProperties(model);
  const missing = SUMMARY_FIELDS.filter((f) => !documented.includes(f));
  const extra = documented.filter((f) => !(SUMMARY_FIELDS as string[]).includes(f));
  if (missing.length || extra.length) {
    throw new Error(
      `${model.name} must document (@ApiProperty) exactly the summary fields of EVENT_FIELDS: missing ${missing.join(', ') || 'none'}; not in EVENT_FIELDS ${extra.join(', ') || 'none'}`,
    );
  }
  if (documented.join() !== SUMMARY_FIELDS.join()) throw new Error(`${model.name} must declare its properties in the order of EVENT_FIELDS: ${SUMMARY_FIELDS.join(', ')}`);
}
