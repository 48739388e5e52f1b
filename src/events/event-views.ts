import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { LinkedDemand } from '../campaigns/linked-demands.service';
import type { AddressVisibility, EventKind, EventStatus, EventVisibility } from './event.entity';
import type { SignupStatus } from './event-signup.entity';

/** Shapes the events API answers with (documented for OpenAPI). */

export class OrganisationRef {
  @ApiProperty() id: string;
  @ApiProperty() slug: string;
  @ApiProperty() name: string;
  @ApiPropertyOptional({ nullable: true }) shortName: string | null;
}

export class CoalitionRef {
  @ApiProperty() id: string;
  @ApiProperty() slug: string;
  @ApiProperty() name: string;
}

export class CampaignRef {
  @ApiProperty() id: string;
  @ApiProperty() title: string;
}

/** A list row: what a calendar or a map needs, nothing more. */
export class EventSummary {
  @ApiProperty() id: string;
  @ApiProperty() title: string;
  @ApiProperty() kind: EventKind;
  @ApiProperty() status: EventStatus;
  @ApiProperty() visibility: EventVisibility;
  @ApiProperty() startsAt: Date;
  @ApiProperty() endsAt: Date;
  @ApiProperty({ example: 'America/Lima' }) timezone: string;
  @ApiPropertyOptional({ nullable: true }) hostOrganisationId: string | null;
  @ApiPropertyOptional({ nullable: true }) coalitionId: string | null;
  @ApiPropertyOptional({ nullable: true }) campaignId: string | null;
  @ApiPropertyOptional({ nullable: true }) venue: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'Null when the caller may not see it (addressVisibility attendees)' }) address: string | null;
  @ApiPropertyOptional({ nullable: true }) locality: string | null;
  @ApiPropertyOptional({ nullable: true }) region: string | null;
  @ApiProperty() country: string;
  @ApiPropertyOptional({ nullable: true }) lat: number | null;
  @ApiPropertyOptional({ nullable: true }) lng: number | null;
  @ApiPropertyOptional({ nullable: true }) onlineUrl: string | null;
  @ApiProperty() addressVisibility: AddressVisibility;
  @ApiProperty({ description: 'True when the location is withheld from this caller' }) locationHidden: boolean;
  @ApiPropertyOptional({ nullable: true }) capacity: number | null;
  @ApiProperty() goingCount: number;
}

export class ViewerSignup {
  @ApiProperty() id: string;
  @ApiProperty() status: SignupStatus;
  @ApiPropertyOptional({ nullable: true }) shiftId: string | null;
}

/** What the caller may do here, for a front end to show the right buttons. */
export class EventViewer {
  @ApiProperty() canManage: boolean;
  @ApiProperty({ description: 'Manage signups and check-in (organisers and the event’s hosts)' }) canHandleSignups: boolean;
  @ApiProperty({ type: [ViewerSignup], description: 'The caller’s own signups (members)' }) signups: ViewerSignup[];
}

export class EventView extends EventSummary {
  @ApiPropertyOptional({ nullable: true }) description: string | null;
  @ApiPropertyOptional({ type: OrganisationRef, nullable: true }) hostOrganisation: OrganisationRef | null;
  @ApiPropertyOptional({ type: CoalitionRef, nullable: true }) coalition: CoalitionRef | null;
  @ApiProperty({ type: [OrganisationRef] }) coHosts: OrganisationRef[];
  @ApiPropertyOptional({ type: CampaignRef, nullable: true }) campaign: CampaignRef | null;
  @ApiPropertyOptional({ nullable: true, description: 'Seats left; null = unlimited' }) spotsLeft: number | null;
  @ApiPropertyOptional({ nullable: true }) signupDeadline: Date | null;
  @ApiProperty({ description: 'Whether signups are accepted now' }) signupsOpen: boolean;
  @ApiPropertyOptional({ nullable: true }) cancelReason: string | null;
  @ApiPropertyOptional({ nullable: true }) publishedAt: Date | null;
  @ApiPropertyOptional({ nullable: true }) cancelledAt: Date | null;
  @ApiProperty({ description: 'Bumped on each change of time or place (the iCalendar SEQUENCE)' }) revision: number;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
  @ApiProperty({ type: [LinkedDemand], description: 'The demands it mobilises for that you may see' }) demands: LinkedDemand[];
  @ApiProperty({ type: EventViewer }) viewer: EventViewer;
}

export class ShiftView {
  @ApiProperty() id: string;
  @ApiProperty() eventId: string;
  @ApiProperty() name: string;
  @ApiPropertyOptional({ nullable: true }) description: string | null;
  @ApiProperty() startsAt: Date;
  @ApiProperty() endsAt: Date;
  @ApiPropertyOptional({ nullable: true }) capacity: number | null;
  @ApiProperty() goingCount: number;
  @ApiPropertyOptional({ nullable: true, description: 'Seats left; null = unlimited' }) spotsLeft: number | null;
}

export class EventHostView {
  @ApiProperty() eventId: string;
  @ApiProperty() userId: string;
  @ApiProperty({ example: 'host' }) role: string;
  @ApiPropertyOptional({ nullable: true }) grantedBy: string | null;
  @ApiProperty() createdAt: Date;
}

/** A signup as organisers and event hosts see it. Contact details only for those with member-data access (see SignupsService). */
export class SignupView {
  @ApiProperty() id: string;
  @ApiProperty() eventId: string;
  @ApiPropertyOptional({ nullable: true }) shiftId: string | null;
  @ApiProperty() status: SignupStatus;
  @ApiProperty({ enum: ['guest', 'member'] }) kind: 'guest' | 'member';
  @ApiPropertyOptional({ nullable: true }) memberId: string | null;
  @ApiProperty({ description: 'The name given (guests) or the member’s name; "—" once erased' }) name: string;
  @ApiPropertyOptional({ nullable: true, description: 'Only for callers with member.read on a host organisation' }) email?: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'Only for callers with member.read on a host organisation' }) phone?: string | null;
  @ApiProperty({ description: 'Arrival order' }) seq: string;
  @ApiProperty() source: string;
  @ApiProperty() createdAt: Date;
  @ApiPropertyOptional({ nullable: true }) waitlistedAt: Date | null;
  @ApiPropertyOptional({ nullable: true }) promotedAt: Date | null;
  @ApiPropertyOptional({ nullable: true }) checkedInAt: Date | null;
  @ApiPropertyOptional({ nullable: true }) cancelledAt: Date | null;
}

/** The answer to a signup: shown once, with the guest's secret. */
export class SignupAnswer {
  @ApiProperty() id: string;
  @ApiProperty() eventId: string;
  @ApiPropertyOptional({ nullable: true }) shiftId: string | null;
  @ApiProperty({ enum: ['going', 'waitlisted'] }) status: 'going' | 'waitlisted';
  @ApiPropertyOptional({ description: 'Guests only, shown once: the secret to view or cancel this signup (POST /signups/lookup, /signups/cancel)' })
  manageToken?: string;
}

/** A person's own signup, with the event it is for. */
export class OwnSignupView {
  @ApiProperty() id: string;
  @ApiProperty() status: SignupStatus;
  @ApiPropertyOptional({ nullable: true }) shiftId: string | null;
  @ApiPropertyOptional({ nullable: true }) shiftName: string | null;
  @ApiProperty() createdAt: Date;
  @ApiPropertyOptional({ nullable: true }) checkedInAt: Date | null;
  @ApiProperty({ type: EventSummary }) event: EventSummary;
}
