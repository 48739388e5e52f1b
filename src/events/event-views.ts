import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { LinkedDemand } from '../campaigns/linked-demands.service';
import { ADDRESS_VISIBILITIES, type AddressVisibility, EVENT_KINDS, EVENT_STATUSES, EVENT_VISIBILITIES, type EventKind, type EventStatus, type EventVisibility } from './event.entity';
import { SIGNUP_STATUSES, type SignupStatus } from './event-signup.entity';

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

export class ViewerSignup {
  @ApiProperty({ type: String }) id: string;
  @ApiProperty({ enum: SIGNUP_STATUSES }) status: SignupStatus;
  @ApiPropertyOptional({ nullable: true, type: String }) shiftId: string | null;
}

/** What the caller may do here, for a front end to show the right buttons. */
export class EventViewer {
  @ApiProperty({ type: Boolean }) canManage: boolean;
  @ApiProperty({ type: Boolean, description: 'Manage signups and check-in (organisers and the event’s hosts)' }) canHandleSignups: boolean;
  @ApiProperty({ type: [ViewerSignup], description: 'The caller’s own signups (members)' }) signups: ViewerSignup[];
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
    description: 'guest: signed up from the public form; member: a member record the caller may read; attendee: a member record held by another data controller — only the name given at signup is shown',
  })
  kind: 'guest' | 'member' | 'attendee';
  @ApiPropertyOptional({ nullable: true, type: String }) memberId: string | null;
  @ApiProperty({ type: String, description: 'The name given (guests) or the member’s name; "—" once erased' }) name: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Guests: for member-data readers of a host organisation; members: for member-data readers of one of their organisations' }) email?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'As email' }) phone?: string | null;
  @ApiProperty({ description: 'Arrival order', type: String }) seq: string;
  @ApiProperty({ type: String }) source: string;
  @ApiProperty({ type: Date }) createdAt: Date;
  @ApiPropertyOptional({ nullable: true, type: Date }) waitlistedAt: Date | null;
  @ApiPropertyOptional({ nullable: true, type: Date }) promotedAt: Date | null;
  @ApiPropertyOptional({ nullable: true, type: Date }) checkedInAt: Date | null;
  @ApiPropertyOptional({ nullable: true, type: Date }) cancelledAt: Date | null;
}

/** The answer to a signup: shown once, with the guest's secret. */
export class SignupAnswer {
  @ApiProperty({ type: String }) id: string;
  @ApiProperty({ type: String }) eventId: string;
  @ApiPropertyOptional({ nullable: true, type: String }) shiftId: string | null;
  @ApiProperty({ enum: ['going', 'waitlisted'] }) status: 'going' | 'waitlisted';
  @ApiPropertyOptional({ type: String, description: 'Guests only, shown once: the secret to view or cancel this signup (POST /signups/lookup, /signups/cancel)' })
  manageToken?: string;
}

/** A person's own signup, with the event it is for. */
export class OwnSignupView {
  @ApiProperty({ type: String }) id: string;
  @ApiProperty({ enum: SIGNUP_STATUSES }) status: SignupStatus;
  @ApiPropertyOptional({ nullable: true, type: String }) shiftId: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) shiftName: string | null;
  @ApiProperty({ type: Date }) createdAt: Date;
  @ApiPropertyOptional({ nullable: true, type: Date }) checkedInAt: Date | null;
  @ApiProperty({ type: EventSummary }) event: EventSummary;
}

export class EventPage {
  @ApiProperty({ type: [EventSummary] }) items: EventSummary[];
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
  @ApiPropertyOptional({ nullable: true, type: String }) consentNoticeVersion: string | null;
  @ApiProperty({ type: Date }) createdAt: Date;
  @ApiPropertyOptional({ nullable: true, type: Date }) checkedInAt: Date | null;
  @ApiPropertyOptional({ nullable: true, type: Date }) cancelledAt: Date | null;
}
