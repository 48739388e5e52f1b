import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

import { Campaign } from '../campaigns/campaign.entity';
import { Coalition } from '../coalitions/coalition.entity';
import { Organisation } from '../organisations/organisation.entity';

export const EVENT_KINDS = ['march', 'rally', 'assembly', 'strike', 'canvass', 'meeting', 'training', 'vigil', 'online_call'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
export const EVENT_STATUSES = ['draft', 'published', 'cancelled', 'completed'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];
export const EVENT_VISIBILITIES = ['public', 'members', 'private'] as const;
export type EventVisibility = (typeof EVENT_VISIBILITIES)[number];
export const ADDRESS_VISIBILITIES = ['public', 'attendees'] as const;
export type AddressVisibility = (typeof ADDRESS_VISIBILITIES)[number];
export const DEFAULT_TIMEZONE = 'America/Lima';

/**
 * A mobilisation. Hosted by exactly one organisation or one coalition, plus
 * co-host organisations (`event_hosts`). `goingCount` is the number of
 * event-level signups holding a seat (going, attended, no_show); the CHECK
 * makes the capacity a hard invariant in the database itself, and every
 * change to it happens under this row's lock (see SignupsService).
 * `publishedAt` says the event was ever published: a cancelled event that
 * was public stays readable (and in calendar feeds as cancelled); a
 * cancelled draft never becomes visible.
 */
@Entity('events')
@Check('ck_events_host', `("host_organisation_id" IS NULL) <> ("coalition_id" IS NULL)`)
@Check('ck_events_kind', `"kind" IN ('march','rally','assembly','strike','canvass','meeting','training','vigil','online_call')`)
@Check('ck_events_status', `"status" IN ('draft','published','cancelled','completed')`)
@Check('ck_events_visibility', `"visibility" IN ('public','members','private')`)
@Check('ck_events_address_visibility', `"address_visibility" IN ('public','attendees')`)
@Check('ck_events_times', `"ends_at" > "starts_at"`)
@Check('ck_events_capacity', `"capacity" IS NULL OR "capacity" >= 0`)
@Check('ck_events_going_count', `"going_count" >= 0 AND ("capacity" IS NULL OR "going_count" <= "capacity")`)
@Check('ck_events_lat', `"lat" IS NULL OR ("lat" >= -90 AND "lat" <= 90)`)
@Check('ck_events_lng', `"lng" IS NULL OR ("lng" >= -180 AND "lng" <= 180)`)
@Check('ck_events_published', `"status" = 'draft' OR "status" = 'cancelled' OR "published_at" IS NOT NULL`)
// The public listing's hot path: WHERE status = 'published' AND visibility = 'public' ORDER BY starts_at, id.
@Index('ix_events_listing', ['status', 'visibility', 'startsAt', 'id'])
export class Event {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  hostOrganisationId: string | null;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'host_organisation_id' })
  hostOrganisation?: Organisation;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  coalitionId: string | null;

  @ManyToOne(() => Coalition, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'coalition_id' })
  coalition?: Coalition;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  campaignId: string | null;

  @ManyToOne(() => Campaign, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'campaign_id' })
  campaign?: Campaign;

  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'text' })
  kind: EventKind;

  @Column({ type: 'text', default: 'draft' })
  status: EventStatus;

  @Column({ type: 'text', default: 'public' })
  visibility: EventVisibility;

  @Column({ type: 'timestamptz' })
  startsAt: Date;

  @Column({ type: 'timestamptz' })
  endsAt: Date;

  /** IANA name, checked with Intl on input. */
  @Column({ type: 'text', default: DEFAULT_TIMEZONE })
  timezone: string;

  @Column({ type: 'text', nullable: true })
  venue: string | null;

  @Column({ type: 'text', nullable: true })
  address: string | null;

  @Column({ type: 'text', nullable: true })
  locality: string | null;

  @Index()
  @Column({ type: 'text', nullable: true })
  region: string | null;

  @Column({ type: 'char', length: 2, default: 'PE' })
  country: string;

  @Column({ type: 'double precision', nullable: true })
  lat: number | null;

  @Column({ type: 'double precision', nullable: true })
  lng: number | null;

  /** `attendees`: address, coordinates and online URL only for those signed up (and organisers). */
  @Column({ type: 'text', default: 'public' })
  addressVisibility: AddressVisibility;

  @Column({ type: 'text', nullable: true })
  onlineUrl: string | null;

  /** Null: unlimited. */
  @Column({ type: 'integer', nullable: true })
  capacity: number | null;

  @Column({ type: 'integer', default: 0 })
  goingCount: number;

  /** Null: signups close when the event ends. */
  @Column({ type: 'timestamptz', nullable: true })
  signupDeadline: Date | null;

  @Column({ type: 'text', nullable: true })
  cancelReason: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  publishedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  cancelledAt: Date | null;

  /** Bumped on every change of time or place that attendees are told about (iCalendar SEQUENCE, notice dedupe keys). */
  @Column({ type: 'integer', default: 0 })
  revision: number;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
