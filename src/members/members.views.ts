import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { EventSignupExport } from '../events/events.views';
import type { MemberConsent } from './member-consent.entity';
import { IMPORT_STATES, MAX_STORED_ERRORS, type ImportState, type MemberImport } from './member-import.entity';
import type { AuditSummaryRow } from './member-rights.repository';
import type { DirectoryRow } from './member-search.repository';
import { LANGUAGES, type Member, type PreferredLanguage } from './member.entity';
import { MEMBERSHIP_SOURCES, MEMBERSHIP_STATUSES, type Membership, type MembershipSource, type MembershipStatus } from './membership.entity';
import type { OrganisationMembershipRow } from './memberships.repository';

/**
 * Response shapes. Member views never carry timestamps of the person record
 * (they would show activity in other organisations) and only ever list the
 * memberships and consents inside the caller's scope.
 */
export class MembershipView {
  @ApiProperty() id: string;
  @ApiProperty() memberId: string;
  @ApiProperty() organisationId: string;
  @ApiProperty({ enum: MEMBERSHIP_STATUSES }) status: MembershipStatus;
  @ApiProperty({ nullable: true, type: String }) title: string | null;
  @ApiProperty({ nullable: true, type: String, example: '2026-03-01' }) joinedOn: string | null;
  @ApiProperty({ nullable: true, type: String }) endedOn: string | null;
  @ApiProperty({ enum: MEMBERSHIP_SOURCES }) source: MembershipSource;
  @ApiProperty({ nullable: true, type: String }) duesPaidUntil: string | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export class ConsentView {
  @ApiProperty({ nullable: true, type: String, description: 'The organisation it was given to (null: to the platform, by the person)' }) organisationId: string | null;
  @ApiProperty() noticeVersion: string;
  @ApiProperty() dataProcessing: boolean;
  @ApiProperty() contactByEmail: boolean;
  @ApiProperty() contactBySms: boolean;
  @ApiProperty() contactByWhatsapp: boolean;
  @ApiProperty() source: string;
  @ApiProperty() recordedAt: Date;
}

export class MemberView {
  @ApiProperty() id: string;
  @ApiProperty() givenName: string;
  @ApiProperty() familyName: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Only for callers with member-data access (member.read) in the member’s organisations' }) email?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Only for callers with member-data access (member.read) in the member’s organisations' }) phone?: string | null;
  @ApiProperty({ nullable: true, type: String }) region: string | null;
  @ApiProperty({ nullable: true, type: String }) locality: string | null;
  @ApiProperty({ type: [String] }) languages: string[];
  @ApiProperty({ enum: LANGUAGES }) preferredLanguage: PreferredLanguage;
  @ApiProperty() emailVerified: boolean;
  @ApiProperty({ nullable: true, type: Date }) erasedAt: Date | null;
  @ApiProperty({ type: [MembershipView], description: 'Only the memberships inside your scope' }) memberships: MembershipView[];
  @ApiProperty({ type: ConsentView, nullable: true, description: 'The latest consent given to an organisation in your scope' }) consent: ConsentView | null;
}

export class DirectoryMembership {
  @ApiProperty() id: string;
  @ApiProperty() organisationId: string;
  @ApiProperty({ enum: MEMBERSHIP_STATUSES }) status: MembershipStatus;
  @ApiProperty({ nullable: true, type: String }) title: string | null;
}

export class DirectoryItem {
  @ApiProperty() id: string;
  @ApiProperty() givenName: string;
  @ApiProperty() familyName: string;
  @ApiPropertyOptional({ nullable: true, type: String }) email?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) phone?: string | null;
  @ApiProperty({ nullable: true, type: String }) region: string | null;
  @ApiProperty({ nullable: true, type: String }) locality: string | null;
  @ApiProperty() erased: boolean;
  @ApiProperty({ type: [DirectoryMembership] }) memberships: DirectoryMembership[];
}

export class DirectoryPage {
  @ApiProperty({ type: [DirectoryItem] }) items: DirectoryItem[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class OrganisationMembershipItem extends MembershipView {
  @ApiProperty({
    description: 'givenName, familyName, region, and email/phone for member-data access',
    example: { givenName: 'Rosa', familyName: 'Quispe Mamani', region: 'Lima', email: 'rosa.quispe@example.org', phone: '+51987654321', erased: false },
  })
  member: { givenName: string; familyName: string; region: string | null; email?: string | null; phone?: string | null; erased: boolean };
}

export class OrganisationMembershipPage {
  @ApiProperty({ type: [OrganisationMembershipItem] }) items: OrganisationMembershipItem[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class ApplicationReceived {
  @ApiProperty({ example: 'received' }) status: 'received';
  @ApiProperty() detail: string;
}

export class AuditSummary {
  @ApiProperty() at: Date;
  @ApiProperty() action: string;
  @ApiProperty() entity: string;
  @ApiProperty({ nullable: true, type: String }) entityId: string | null;
  @ApiProperty({ nullable: true, type: String }) organisationId: string | null;
  @ApiProperty({ type: [String], description: 'Names of the fields that changed; values are never exported' }) fields: string[];
}

export class MemberExport {
  @ApiProperty() exportedAt: Date;
  @ApiProperty({ description: 'all: everything held; scoped: what is held in your organisations' }) scope: 'all' | 'scoped';
  @ApiProperty({ type: MemberView }) member: MemberView;
  @ApiProperty({ type: [ConsentView] }) consents: ConsentView[];
  @ApiProperty({ type: [EventSignupExport], description: 'Event signups, as a member and as a guest with the same e-mail' }) eventSignups: EventSignupExport[];
  @ApiProperty({ type: [AuditSummary] }) auditEntries: AuditSummary[];
}

export class MeExport {
  @ApiProperty() exportedAt: Date;
  @ApiProperty({
    example: { id: '8b3e6a9d-2c5f-4b8e-a1d4-7c0f3b6e9a2d', email: 'rosa.quispe@example.org', createdAt: '2026-05-30T10:15:00-05:00', lastLoginAt: '2026-06-08T16:00:00-05:00', roles: [] },
  })
  user: { id: string; email: string; createdAt: Date; lastLoginAt: Date | null; roles: { role: string; organisationId: string | null; coalitionId: string | null }[] };
  @ApiProperty({ type: [MemberExport], description: 'Every member record linked to your login, one per data controller at most' }) members: MemberExport[];
  @ApiProperty({ type: [AuditSummary], description: 'Entries about your login' }) auditEntries: AuditSummary[];
}

export class ErasureResult {
  @ApiProperty() id: string;
  @ApiProperty() erasedAt: Date;
  @ApiProperty({ description: 'Memberships ended by the erasure (rows are kept, anonymous, for the counts)' }) membershipsEnded: number;
}

export class ImportAccepted {
  @ApiProperty() id: string;
  @ApiProperty({ enum: IMPORT_STATES }) state: ImportState;
  @ApiProperty({ description: 'Data rows found in the file' }) rowsTotal: number;
}

export class ImportRowErrorView {
  @ApiProperty({ description: 'Line of the file (the header is line 1)' }) line: number;
  @ApiPropertyOptional({ description: 'CSV column' }) field?: string;
  @ApiProperty() message: string;
}

export class ImportView {
  @ApiProperty() id: string;
  @ApiProperty() organisationId: string;
  @ApiProperty({ enum: IMPORT_STATES }) state: ImportState;
  @ApiProperty({ nullable: true, type: String }) filename: string | null;
  @ApiProperty() bytes: number;
  @ApiProperty({
    description: 'read = created + updated + failed once completed; created/updated are memberships of this organisation',
    example: { total: 412, read: 412, created: 380, updated: 25, failed: 7 },
  })
  counts: { total: number; read: number; created: number; updated: number; failed: number };
  @ApiProperty({ type: [ImportRowErrorView] }) errors: ImportRowErrorView[];
  @ApiProperty({ description: 'More rows failed than are listed' }) errorsTruncated: boolean;
  @ApiProperty({ nullable: true, type: String }) failure: string | null;
  @ApiProperty() attempts: number;
  @ApiProperty() createdAt: Date;
  @ApiProperty({ nullable: true, type: Date }) startedAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) finishedAt: Date | null;
}

/**
 * A count; in coalition aggregates "<5" for a count under 5, and "suppressed"
 * for a count of 5 or more withheld so that no count under 5 can be worked out
 * from the others (src/members/stats-suppression.ts).
 */
export type Count = number | '<5' | 'suppressed';

export class MemberStats {
  @ApiProperty({ description: 'Distinct people with a membership in the scope (any status)', oneOf: [{ type: 'integer' }, { type: 'string', enum: ['<5', 'suppressed'] }] }) total: Count;
  @ApiProperty({ description: 'Distinct people per membership status', example: { applied: 3, active: 120, suspended: 0, lapsed: 4, resigned: 9, expelled: 0 } })
  byStatus: Record<MembershipStatus, Count>;
  @ApiProperty({ description: 'People with an active membership, per region (null: unknown)', example: [{ region: 'Cusco', count: 40 }] })
  byRegion: { region: string | null; count: Count }[];
  @ApiProperty({ description: 'People by the month they first joined (joinedOn) an organisation of the scope', example: [{ month: '2026-03', joined: 12 }] })
  growth: { month: string; joined: Count }[];
}

export class OrganisationStats extends MemberStats {
  @ApiProperty() organisationId: string;
  @ApiProperty({ description: 'The organisation and its sub-organisations counted' }) organisationIds: string[];
}

export class PartnerStats extends MemberStats {
  @ApiProperty({ example: { id: '3f6c1a2e-8b4d-4c1e-9a7f-2d5e8b1c4a90', slug: 'voces-del-pueblo', name: 'Voces del Pueblo' } }) organisation: { id: string; slug: string; name: string };
}

export class CoalitionStats {
  @ApiProperty() coalitionId: string;
  @ApiProperty({
    description:
      'Counts under 5 are shown as "<5", and where one could still be worked out from a total and the counts shown, further counts are withheld as "suppressed" (the smallest first; else the total), so that no count under 5 can be read or derived. byRegion is empty unless byStatus.active is a number; a partner with fewer than 5 people lists no region or month.',
  })
  suppressionThreshold: number;
  @ApiProperty({ type: [PartnerStats], description: 'Active partners, each with its sub-organisations' }) partners: PartnerStats[];
}

// ---------------------------------------------------------------- mapping

export function membershipView(m: Membership): MembershipView {
  return {
    id: m.id,
    memberId: m.memberId,
    organisationId: m.organisationId,
    status: m.status,
    title: m.title,
    joinedOn: m.joinedOn,
    endedOn: m.endedOn,
    source: m.source,
    duesPaidUntil: m.duesPaidUntil,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  };
}

export function consentView(c: MemberConsent): ConsentView {
  return {
    organisationId: c.organisationId,
    noticeVersion: c.noticeVersion,
    dataProcessing: c.dataProcessing,
    contactByEmail: c.contactByEmail,
    contactBySms: c.contactBySms,
    contactByWhatsapp: c.contactByWhatsapp,
    source: c.source,
    recordedAt: c.recordedAt,
  };
}

/** One member as the caller may see it: `memberships` and `consent` already narrowed to their scope, contact data only with `contact`. */
export function memberView(m: Member, memberships: Membership[], consent: ConsentView | null, contact: boolean): MemberView {
  return {
    id: m.id,
    givenName: m.givenName,
    familyName: m.familyName,
    ...(contact ? { email: m.email, phone: m.phone } : {}),
    region: m.region,
    locality: m.locality,
    languages: m.languages,
    preferredLanguage: m.preferredLanguage,
    emailVerified: m.emailVerifiedAt !== null,
    erasedAt: m.erasedAt,
    memberships: memberships.map(membershipView),
    consent,
  };
}

export function directoryItem(r: DirectoryRow, memberships: DirectoryMembership[], contact: boolean): DirectoryItem {
  return {
    id: r.id,
    givenName: r.given_name,
    familyName: r.family_name,
    ...(contact ? { email: r.email, phone: r.phone } : {}),
    region: r.region,
    locality: r.locality,
    erased: r.erased_at !== null,
    memberships,
  };
}

export function organisationMembershipItem(r: OrganisationMembershipRow): OrganisationMembershipItem {
  return {
    id: r.id,
    memberId: r.member_id,
    organisationId: r.organisation_id,
    status: r.status,
    title: r.title,
    joinedOn: r.joined_on,
    endedOn: r.ended_on,
    source: r.source,
    duesPaidUntil: r.dues_paid_until,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    member: { givenName: r.given_name, familyName: r.family_name, region: r.region, email: r.email, phone: r.phone, erased: r.erased_at !== null },
  };
}

export function auditSummary(r: AuditSummaryRow): AuditSummary {
  return { at: r.at, action: r.action, entity: r.entity, entityId: r.entity_id, organisationId: r.organisation_id, fields: r.fields ?? [] };
}

export function importView(row: MemberImport): ImportView {
  const lines = new Set(row.errors.map((e) => e.line));
  return {
    id: row.id,
    organisationId: row.organisationId,
    state: row.state,
    filename: row.filename,
    bytes: Number(row.bytes),
    counts: { total: row.rowsTotal, read: row.rowsRead, created: row.rowsCreated, updated: row.rowsUpdated, failed: row.rowsFailed },
    errors: row.errors,
    errorsTruncated: lines.size < row.rowsFailed || row.errors.length >= MAX_STORED_ERRORS,
    failure: row.failure,
    attempts: row.attempts,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}

const COUNT_SCHEMA = { oneOf: [{ type: 'integer' }, { type: 'string', enum: ['<5', 'suppressed'] }] };

export class PartnerTurnout {
  @ApiProperty({ example: { id: '3f6c1a2e-8b4d-4c1e-9a7f-2d5e8b1c4a90', slug: 'voces-del-pueblo', name: 'Voces del Pueblo' } }) organisation: { id: string; slug: string; name: string };
  @ApiProperty({ ...COUNT_SCHEMA, example: 120, description: 'Seats the partner’s members held at the end of the events' }) going: Count;
  @ApiProperty({ ...COUNT_SCHEMA, example: 94, description: 'Of those, checked in' }) attended: Count;
  @ApiProperty({ ...COUNT_SCHEMA, example: 26, description: 'Of those, never came' }) noShow: Count;
}

export class CoalitionTurnout {
  @ApiProperty() coalitionId: string;
  @ApiProperty({ example: 6, description: 'The coalition’s events counted: ended, not cancelled' }) events: number;
  @ApiProperty({
    description:
      'Counts under 5 are shown as "<5"; where one could be worked out from going and the other count, it is withheld as "suppressed" (else going is). Members of each partner (and its sub-organisations) with an active membership; guests and walk-ins belong to no partner and are not counted here. No total over the partners.',
  })
  suppressionThreshold: number;
  @ApiProperty({ type: [PartnerTurnout], description: 'Active partners' }) partners: PartnerTurnout[];
}
