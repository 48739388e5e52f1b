import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import type { OrganisationScope } from '../access/access.service';
import { LinkedDemand } from '../campaigns/campaign.views';
import { assertSummaryDocumented, EVENT_FIELDS, LOCATION_FIELDS, STORED_FIELDS, SUMMARY_FIELDS, type StoredFieldName } from './event-fields';
import type { EventShift } from './event-shift.entity';
import { SIGNUP_STATUSES, type SignupStatus } from './event-signup.entity';
import { ADDRESS_VISIBILITIES, EVENT_KINDS, EVENT_STATUSES, EVENT_VISIBILITIES, type AddressVisibility, type Event, type EventKind, type EventStatus, type EventVisibility } from './event.entity';
import type { SignupViewRow } from './signups.repository';

/** Shapes the events API answers with (documented for OpenAPI). */

export class OrganisationRef {
  @ApiProperty({ type: String }) id: string;
  @ApiProperty({ type: String }) slug: string;
  @ApiProperty({ type: String }) name: string;
  @ApiPropertyOptional({ nullable: true, type: String }) shortName: string | null;
}

export class CoalitionRef {
  @ApiProperty({ type: String }) id: string;
  @ApiProperty({ type: String }) slug: string;
  @ApiProperty({ type: String }) name: string;
}

export class CampaignRef {
  @ApiProperty({ type: String }) id: string;
  @ApiProperty({ type: String }) title: string;
}

/** A list row: what a calendar or a map needs, nothing more. */
export class EventSummary {
  @ApiProperty({ type: String }) id: string;
  @ApiProperty({ type: String }) title: string;
  @ApiProperty({ enum: EVENT_KINDS }) kind: EventKind;
  @ApiProperty({ enum: EVENT_STATUSES }) status: EventStatus;
  @ApiProperty({ enum: EVENT_VISIBILITIES }) visibility: EventVisibility;
  @ApiProperty({ type: Date }) startsAt: Date;
  @ApiProperty({ type: Date }) endsAt: Date;
  @ApiProperty({ example: 'America/Lima', type: String }) timezone: string;
  @ApiPropertyOptional({ nullable: true, type: String }) hostOrganisationId: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) coalitionId: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) campaignId: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) venue: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Null when the caller may not see it (addressVisibility attendees)' }) address: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) locality: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) region: string | null;
  @ApiProperty({ type: String }) country: string;
  @ApiPropertyOptional({ nullable: true, type: Number }) lat: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) lng: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) onlineUrl: string | null;
  @ApiProperty({ enum: ADDRESS_VISIBILITIES }) addressVisibility: AddressVisibility;
  @ApiProperty({ description: 'True when the location is withheld from this caller', type: Boolean }) locationHidden: boolean;
  @ApiPropertyOptional({ nullable: true, type: Number }) capacity: number | null;
  @ApiProperty({ type: Number }) goingCount: number;
}

/** A row of `GET /events`: the summary, and — with `includePromoted=true` — who it is listed for (issue 22). */
export class EventListItem extends EventSummary {
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'Voces del Pueblo',
    description: 'Listed because this promoter (the organisation filtered by, or one of its sub-organisations, or the coalition) promotes it; absent for its own events',
  })
  promotedBy?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, example: 'k7m2x9qa', description: 'That promoter’s ref: link to /e/{id}?ref={promotionRef} so that signups count as its referrals' })
  promotionRef?: string | null;
}

export class ViewerSignup {
  @ApiProperty({ type: String }) id: string;
  @ApiProperty({ enum: SIGNUP_STATUSES }) status: SignupStatus;
  @ApiPropertyOptional({ nullable: true, type: String }) shiftId: string | null;
}

/** How many of an event's signups its notices reached, per channel (issue 24): counts only, never who or which number. */
export class EventReach {
  @ApiProperty({ type: Number, example: 120, description: 'Signups an e-mail notice of the event was sent to' }) email: number;
  @ApiProperty({ type: Number, example: 310, description: 'Signups an SMS notice was sent to' }) sms: number;
  @ApiProperty({ type: Number, example: 95, description: 'Signups a WhatsApp notice was sent to' }) whatsapp: number;
  @ApiProperty({ type: Number, example: 0, description: 'Texts that went by e-mail instead because the host’s monthly text budget was spent' }) textBudgetFallbacks: number;
}

/** What the caller may do here, for a front end to show the right buttons. */
export class EventViewer {
  @ApiProperty({ type: Boolean }) canManage: boolean;
  @ApiProperty({ type: Boolean, description: 'Manage signups and check-in (organisers and the event’s hosts)' }) canHandleSignups: boolean;
  @ApiProperty({ type: [ViewerSignup], description: 'The caller’s own signups (members)' }) signups: ViewerSignup[];
  @ApiPropertyOptional({ type: EventReach, nullable: true, description: 'Those who handle its signups: how many people its notices reached, by channel; null for everyone else' })
  reach: EventReach | null;
}

export class EventView extends EventSummary {
  @ApiPropertyOptional({ nullable: true, type: String }) description: string | null;
  @ApiPropertyOptional({ type: OrganisationRef, nullable: true }) hostOrganisation: OrganisationRef | null;
  @ApiPropertyOptional({ type: CoalitionRef, nullable: true }) coalition: CoalitionRef | null;
  @ApiProperty({ type: [OrganisationRef] }) coHosts: OrganisationRef[];
  @ApiPropertyOptional({ type: CampaignRef, nullable: true }) campaign: CampaignRef | null;
  @ApiPropertyOptional({ nullable: true, description: 'Seats left; null = unlimited', type: Number }) spotsLeft: number | null;
  @ApiPropertyOptional({ nullable: true, type: Date }) signupDeadline: Date | null;
  @ApiProperty({ description: 'Whether signups are accepted now', type: Boolean }) signupsOpen: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) cancelReason: string | null;
  @ApiPropertyOptional({ nullable: true, type: Date }) publishedAt: Date | null;
  @ApiPropertyOptional({ nullable: true, type: Date }) cancelledAt: Date | null;
  @ApiProperty({ type: Number, description: 'Bumped on each change of time or place (the iCalendar SEQUENCE)' }) revision: number;
  @ApiProperty({ type: Date }) createdAt: Date;
  @ApiProperty({ type: Date }) updatedAt: Date;
  @ApiProperty({ type: [LinkedDemand], description: 'The demands it mobilises for that you may see' }) demands: LinkedDemand[];
  @ApiProperty({ type: EventViewer }) viewer: EventViewer;
}

export class ShiftView {
  @ApiProperty({ type: String }) id: string;
  @ApiProperty({ type: String }) eventId: string;
  @ApiProperty({ type: String }) name: string;
  @ApiPropertyOptional({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ type: Date }) startsAt: Date;
  @ApiProperty({ type: Date }) endsAt: Date;
  @ApiPropertyOptional({ nullable: true, type: Number }) capacity: number | null;
  @ApiProperty({ type: Number }) goingCount: number;
  @ApiPropertyOptional({ nullable: true, description: 'Seats left; null = unlimited', type: Number }) spotsLeft: number | null;
}

export class EventHostView {
  @ApiProperty({ type: String }) eventId: string;
  @ApiProperty({ type: String }) userId: string;
  @ApiProperty({ example: 'host', type: String }) role: string;
  @ApiPropertyOptional({ nullable: true, type: String }) grantedBy: string | null;
  @ApiProperty({ type: Date }) createdAt: Date;
}

/** A signup as organisers and event hosts see it. Contact details only for those with member-data access (see SignupsService). */
export class SignupView {
  @ApiProperty({ type: String }) id: string;
  @ApiProperty({ type: String }) eventId: string;
  @ApiPropertyOptional({ nullable: true, type: String }) shiftId: string | null;
  @ApiProperty({ enum: SIGNUP_STATUSES }) status: SignupStatus;
  @ApiProperty({
    enum: ['guest', 'member', 'attendee'],
    description:
      'guest: signed up from the public form; member: a member record the caller may read; attendee: a member record held by another data controller — only the name given at signup is shown',
  })
  kind: 'guest' | 'member' | 'attendee';
  @ApiPropertyOptional({ nullable: true, type: String }) memberId: string | null;
  @ApiProperty({ type: String, description: 'The name given (guests) or the member’s name; "—" once erased' }) name: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Guests: for member-data readers of a host organisation; members: for member-data readers of one of their organisations' }) email?:
    string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'As email' }) phone?: string | null;
  @ApiProperty({ description: 'Arrival order', type: String }) seq: string;
  @ApiProperty({ type: String }) source: string;
  @ApiProperty({ type: Date }) createdAt: Date;
  @ApiPropertyOptional({ nullable: true, type: Date }) waitlistedAt: Date | null;
  @ApiPropertyOptional({ nullable: true, type: Date }) promotedAt: Date | null;
  @ApiPropertyOptional({ nullable: true, type: Date }) checkedInAt: Date | null;
  @ApiPropertyOptional({ nullable: true, type: Date }) cancelledAt: Date | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The promotion whose link (ref) brought this signup (issue 22; not promotedAt, which is off the waiting list)' })
  promotionId: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, example: 'Voces del Pueblo', description: 'Its promoter: an organisation’s or a coalition’s name' }) promotedBy: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, example: 'whatsapp' }) utmSource: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, example: 'social' }) utmMedium: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, example: 'segunda-vuelta' }) utmCampaign: string | null;
}

/** A signup's check-in code (CheckInCodes), to show its holder: derived again whenever it is shown, never stored in the clear. */
export class CheckInCodeView {
  @ApiProperty({ type: String, example: 'q3vK9xT2mB7nR4wZ8pL5sA', description: 'What the QR code carries (22 characters); a door sends it as `token`' }) token: string;
  @ApiProperty({ type: String, example: '7K4QM-XR2T9', description: 'To read out or type at the door (Crockford base32; case, hyphen, O/0 and I/L/1 do not matter)' }) code: string;
}

/** The answer to a signup: shown once, with the guest's secret. */
export class SignupAnswer {
  @ApiProperty({ type: String }) id: string;
  @ApiProperty({ type: String }) eventId: string;
  @ApiPropertyOptional({ nullable: true, type: String }) shiftId: string | null;
  @ApiProperty({ enum: ['going', 'waitlisted'] }) status: 'going' | 'waitlisted';
  @ApiPropertyOptional({ type: String, description: 'Guests only, shown once: the secret to view or cancel this signup (POST /signups/lookup, /signups/cancel)' })
  manageToken?: string;
  @ApiProperty({ type: CheckInCodeView, description: 'The check-in code to show at the door (also in GET /me/signups and the guest’s lookup)' }) checkIn: CheckInCodeView;
}

/** A person's own signup, with the event it is for. */
export class OwnSignupView {
  @ApiProperty({ type: String }) id: string;
  @ApiProperty({ enum: SIGNUP_STATUSES }) status: SignupStatus;
  @ApiPropertyOptional({ nullable: true, type: String }) shiftId: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) shiftName: string | null;
  @ApiProperty({ type: Date }) createdAt: Date;
  @ApiPropertyOptional({ nullable: true, type: Date }) checkedInAt: Date | null;
  @ApiPropertyOptional({ type: CheckInCodeView, nullable: true, description: 'The check-in code to show at the door; null once cancelled' }) checkIn: CheckInCodeView | null;
  @ApiProperty({ type: EventSummary }) event: EventSummary;
}

export class EventPage {
  @ApiProperty({ type: [EventListItem] }) items: EventListItem[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class SignupPage {
  @ApiProperty({ type: [SignupView] }) items: SignupView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class OwnSignupPage {
  @ApiProperty({ type: [OwnSignupView] }) items: OwnSignupView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

/** What a guest sees with their token. */
export class SignupLookupView {
  @ApiProperty({ type: SignupView }) signup: SignupView;
  @ApiProperty({ type: EventView }) event: EventView;
  @ApiPropertyOptional({ type: CheckInCodeView, nullable: true, description: 'The check-in code to show at the door; null once cancelled' }) checkIn: CheckInCodeView | null;
}

export class SignupCancelled {
  @ApiProperty({ type: String }) id: string;
  @ApiProperty({ enum: SIGNUP_STATUSES, example: 'cancelled' }) status: SignupStatus;
}

/** A signup as it appears in a person's data export. */
export class EventSignupExport {
  @ApiProperty({ type: String }) id: string;
  @ApiProperty({ type: String }) eventId: string;
  @ApiProperty({ type: String }) eventTitle: string;
  @ApiProperty({ type: Date }) eventStartsAt: Date;
  @ApiPropertyOptional({ nullable: true, type: String }) shiftId: string | null;
  @ApiProperty({ enum: SIGNUP_STATUSES }) status: SignupStatus;
  @ApiProperty({ type: String, description: 'member or guest_form' }) source: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Guest signups: the name given' }) name: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) email: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) phone: string | null;
  @ApiProperty({ type: String }) locale: string;
  @ApiPropertyOptional({ nullable: true, type: Date }) consentDataProcessingAt: Date | null;
  @ApiPropertyOptional({ nullable: true, type: Boolean }) consentContactByEmail: boolean | null;
  @ApiPropertyOptional({ nullable: true, type: Boolean }) consentContactBySms: boolean | null;
  @ApiPropertyOptional({ nullable: true, type: Boolean }) consentContactByWhatsapp: boolean | null;
  @ApiPropertyOptional({ nullable: true, type: String }) consentNoticeVersion: string | null;
  @ApiProperty({ type: Date }) createdAt: Date;
  @ApiPropertyOptional({ nullable: true, type: Date }) checkedInAt: Date | null;
  @ApiPropertyOptional({ nullable: true, type: Date }) cancelledAt: Date | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The promoter whose link brought the signup (issue 22)' }) promotedBy: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) utmSource: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) utmMedium: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) utmCampaign: string | null;
}

// ---------------------------------------------------------------- row → view

// The compiled list serializer writes what EventSummary documents: a summary field it lacks is a start-up error, not a silent omission.
assertSummaryDocumented(EventSummary);

/** A list row as the events repository reads it: the summary fields under their columns (EVENT_FIELDS). */
export type SummaryRow = Record<string, unknown> & { id: string; starts_at: Date };

/** The keyset of the event list: start time, then id. */
export const summaryKey = (r: { starts_at: Date; id: string }): string[] => [r.starts_at.toISOString(), r.id];

/** The list row, its fields in the order the serializer writes them (EVENT_FIELDS); then, for a row listed through a promotion, its promoter. */
export function summaryFromRow(r: SummaryRow): EventListItem {
  const out: Record<string, unknown> = {};
  for (const f of SUMMARY_FIELDS) out[f] = r[EVENT_FIELDS[f].column];
  if (r.promoted_by != null) Object.assign(out, { promotedBy: r.promoted_by, promotionRef: r.promotion_ref ?? null });
  return out as unknown as EventListItem;
}

/** The event's stored fields as a view shows them, the location's null when it is withheld (EVENT_FIELDS). */
export function eventFields(event: Event, showLocation: boolean): Pick<EventView, StoredFieldName> {
  const out: Record<string, unknown> = {};
  for (const f of STORED_FIELDS) out[f] = !showLocation && (LOCATION_FIELDS as string[]).includes(f) ? null : event[f];
  return out as Pick<EventView, StoredFieldName>;
}

/** The host, coalition, campaign and co-hosts an event names (EventsRepository.refs). */
export interface EventRefs {
  host: OrganisationRef | null;
  coalition: CoalitionRef | null;
  campaign: CampaignRef | null;
  co_hosts: OrganisationRef[];
}

/** A reader's own live signup to an event (EventsRepository.ownSignups). */
export interface ViewerSignupRow {
  id: string;
  status: SignupStatus;
  shift_id: string | null;
}

/**
 * The event as a reader sees it, from its row and what was read around it:
 * the location withheld unless it is public, the reader handles its signups
 * or holds a seat; seats left; whether signups are open at `now`.
 */
export function eventView(
  event: Event,
  rights: { manage: boolean; handleSignups: boolean },
  read: { refs: EventRefs; mine: ViewerSignupRow[]; demands: LinkedDemand[]; reach: EventReach | null },
  now = Date.now(),
): EventView {
  const { refs, mine } = read;
  // Attendees are those holding a seat; the waiting list sees a public address only.
  const attendee = mine.some((s) => s.status === 'going' || s.status === 'attended');
  const showLocation = event.addressVisibility === 'public' || rights.handleSignups || attendee;
  return {
    ...eventFields(event, showLocation),
    hostOrganisation: refs.host,
    coalition: refs.coalition,
    coHosts: refs.co_hosts,
    campaign: refs.campaign,
    locationHidden: !showLocation,
    spotsLeft: event.capacity === null ? null : Math.max(0, event.capacity - event.goingCount),
    signupsOpen: event.status === 'published' && (event.signupDeadline ?? event.endsAt).getTime() > now,
    demands: read.demands,
    viewer: { canManage: rights.manage, canHandleSignups: rights.handleSignups, signups: mine.map((s) => ({ id: s.id, status: s.status, shiftId: s.shift_id })), reach: read.reach },
  };
}

export const shiftView = (s: EventShift): ShiftView => ({
  id: s.id,
  eventId: s.eventId,
  name: s.name,
  description: s.description,
  startsAt: s.startsAt,
  endsAt: s.endsAt,
  capacity: s.capacity,
  goingCount: s.goingCount,
  spotsLeft: s.capacity === null ? null : Math.max(0, s.capacity - s.goingCount),
});

/**
 * Who sees which contact details in signup lists: guests' e-mail and phone
 * for member-data readers of a host organisation (`guests`); a member's only
 * for member-data readers of an organisation the member belongs to
 * (`memberScope`) — the members module's own rule, so a partner never reads
 * another partner's members through an event.
 */
export interface ContactRules {
  guests: boolean;
  memberScope: OrganisationScope;
}

/** The anonymous placeholder for a person whose data was erased. */
const ERASED = '—';

/**
 * A member signup is a `member` (id, name, contact) only for a caller who
 * may read the record (member.read in its controller); for anyone else —
 * the managers of an event hosted by another controller or a coalition —
 * it is an `attendee`: the name given at signup, no id, no organisation,
 * no contact.
 */
export function signupView(r: SignupViewRow, rules: ContactRules): SignupView {
  const member = r.member_id !== null;
  const known = member && r.member_contact;
  const contact = member ? (known ? { email: r.member_email, phone: r.member_phone } : null) : rules.guests ? { email: r.guest_email, phone: r.guest_phone } : null;
  return {
    id: r.id,
    eventId: r.event_id,
    shiftId: r.shift_id,
    status: r.status,
    kind: member ? (known ? 'member' : 'attendee') : 'guest',
    memberId: known ? r.member_id : null,
    name: (member ? (known ? r.member_name : r.attendee_name) : r.guest_name) ?? ERASED,
    ...(contact ?? {}),
    seq: r.seq,
    source: r.source,
    createdAt: r.created_at,
    waitlistedAt: r.waitlisted_at,
    promotedAt: r.promoted_at,
    checkedInAt: r.checked_in_at,
    cancelledAt: r.cancelled_at,
    promotionId: r.promoted_by,
    promotedBy: r.promoter_name,
    utmSource: r.utm_source,
    utmMedium: r.utm_medium,
    utmCampaign: r.utm_campaign,
  };
}
