import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AccessService, type OrganisationScope } from '../access/access.service';
import type { Caller } from '../access/caller';
import { DomainEvents } from '../domain-events/domain-events';
import { diff } from '../domain-events/changes';
import { UUID_PATTERN } from '../common/dto-fields';
import { decodeCursor, encodeCursor, type Page } from '../common/pagination';
import { badRequest, conflict, forbidden, notFound } from '../common/problem';
import { today } from '../common/dates';
import type { Organisation } from '../organisations/organisation.entity';
import { OrganisationsService } from '../organisations/organisations.service';
import type { ConsentDto, CreateMemberDto, MemberQueryDto, UpdateMemberDto } from './dto/member.dto';
import type { ConsentView, DirectoryItem, DirectoryMembership, MembershipView, MemberView } from './dto/member-views.dto';
import { type ConsentSource, MemberConsent } from './member-consent.entity';
import { Member } from './member.entity';
import { Membership, type MembershipSource, type MembershipStatus } from './membership.entity';
import { commonWords, directorySql, expandSearch, isBroadScope } from './member-search';

export const MEMBER_FIELDS: (keyof Member)[] = ['givenName', 'familyName', 'email', 'phone', 'region', 'locality', 'languages', 'preferredLanguage'];
/** Masked in the audit log: it is kept forever and must survive an erasure without the person. */
export const MEMBER_PERSONAL: (keyof Member)[] = ['givenName', 'familyName', 'email', 'phone', 'locality', 'languages'];
export const MEMBERSHIP_FIELDS: (keyof Membership)[] = ['status', 'title', 'joinedOn', 'endedOn', 'source', 'duesPaidUntil'];
/** A title is free text and may name people. */
export const MEMBERSHIP_PERSONAL: (keyof Membership)[] = ['title'];

export const DEFAULT_NOTICE_VERSION = '2026-01';

/** The person-level fields a caller may give. */
export interface PersonInput {
  givenName: string;
  familyName: string;
  email?: string | null;
  phone?: string | null;
  region?: string | null;
  locality?: string | null;
  languages?: string[];
  preferredLanguage?: 'es' | 'en';
}

/** What the caller may see of one member. */
export interface MemberAccess {
  member: Member;
  /** Every membership of the person (for the checks); never returned as is. */
  allMemberships: Membership[];
  /** The memberships the caller may see. */
  memberships: Membership[];
  /** Platform admin or the person themselves: everything is visible. */
  everything: boolean;
  self: boolean;
  /** The caller's member.read scope (organisation ids), for consents and audit entries. */
  scope: OrganisationScope;
}

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
    source: c.source,
    recordedAt: c.recordedAt,
  };
}

const inScope = (scope: OrganisationScope, organisationId: string | null) => scope.all || (organisationId !== null && scope.ids.includes(organisationId));

@Injectable()
export class MembersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly changes: DomainEvents,
    private readonly organisations: OrganisationsService,
  ) {}

  // ---------------------------------------------------------------- access

  /**
   * Loads a member with what the caller may see of it. A member none of
   * whose memberships is inside the caller's member.read scope is a 404:
   * the answer never confirms that the person exists elsewhere.
   */
  async accessFor(caller: Caller, memberId: string, em: EntityManager = this.db.manager, lock = false): Promise<MemberAccess> {
    const member = await em.findOne(Member, { where: { id: memberId }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!member) throw notFound('member');
    const allMemberships = await em.find(Membership, { where: { memberId }, order: { createdAt: 'ASC', id: 'ASC' } });
    const self = caller.user?.memberIds.includes(memberId) === true;
    const everything = self || this.access.isPlatformAdmin(caller);
    const scope: OrganisationScope = everything ? { all: true } : await this.access.organisationScope(caller, 'member.read');
    const memberships = allMemberships.filter((m) => inScope(scope, m.organisationId));
    if (!everything && memberships.length === 0) throw notFound('member');
    return { member, allMemberships, memberships, everything, self, scope };
  }

  /** May the caller change this person's data: the person, or member.manage in one of their organisations. */
  private async canManagePerson(caller: Caller, a: MemberAccess): Promise<boolean> {
    if (a.everything) return true;
    for (const m of a.memberships) if (await this.access.canOnOrganisation(caller, 'member.manage', m.organisationId)) return true;
    return false;
  }

  /**
   * Response shaping (ACCESS.md rule 5): e-mail and phone only for the
   * person, a platform admin, or a caller with member.read in one of the
   * organisations whose membership they see.
   */
  private async seesPersonalData(caller: Caller, a: MemberAccess): Promise<boolean> {
    if (a.everything) return true;
    for (const m of a.memberships) if (await this.access.canOnOrganisation(caller, 'member.read', m.organisationId)) return true;
    return false;
  }

  async view(caller: Caller, a: MemberAccess, em: EntityManager = this.db.manager): Promise<MemberView> {
    const consents = await this.consentsFor(a, em, 1);
    const personal = await this.seesPersonalData(caller, a);
    const m = a.member;
    return {
      id: m.id,
      givenName: m.givenName,
      familyName: m.familyName,
      ...(personal ? { email: m.email, phone: m.phone } : {}),
      region: m.region,
      locality: m.locality,
      languages: m.languages,
      preferredLanguage: m.preferredLanguage,
      emailVerified: m.emailVerifiedAt !== null,
      erasedAt: m.erasedAt,
      memberships: a.memberships.map(membershipView),
      consent: consents[0] ?? null,
    };
  }

  /** Consents the caller may see, newest first: those given to organisations in their scope. */
  async consentsFor(a: MemberAccess, em: EntityManager = this.db.manager, limit?: number): Promise<ConsentView[]> {
    const qb = em
      .getRepository(MemberConsent)
      .createQueryBuilder('c')
      .where('c.member_id = :id', { id: a.member.id })
      .orderBy('c.recorded_at', 'DESC')
      .addOrderBy('c.id', 'DESC');
    if (!a.scope.all) qb.andWhere('c.organisation_id = ANY(:orgs)', { orgs: a.scope.ids });
    if (limit) qb.take(limit);
    return (await qb.getMany()).map(consentView);
  }

  async get(caller: Caller, id: string): Promise<MemberView> {
    return this.view(caller, await this.accessFor(caller, id));
  }

  // ------------------------------------------------------------- directory

  /**
   * The directory: keyset-paginated on (familyName, givenName, id), always
   * filtered in SQL by the caller's member.read scope. With `q`, each word
   * must match a word of the names or e-mail (typo-tolerant, see
   * member-search.ts); results stay in directory order rather than by
   * relevance, so paging stays exact.
   */
  async directory(caller: Caller, query: MemberQueryDto): Promise<Page<DirectoryItem>> {
    const scope = await this.access.organisationScope(caller, 'member.read');
    let organisationIds: string[] | null = scope.all ? null : scope.ids;
    if (query.organisation) {
      const org = await this.organisations.get(query.organisation);
      if (!(await this.access.canOnOrganisation(caller, 'member.read', org.id))) throw forbidden('You may not read this organisation’s members.');
      organisationIds = await this.access.descendants([org.id]);
    }
    if (organisationIds !== null && organisationIds.length === 0) return { items: [], nextCursor: null };

    const words = query.q ? await expandSearch(this.db, query.q) : [];
    const sql = directorySql({
      commonWords: words.length > 1 ? await commonWords(this.db) : undefined,
      organisationIds,
      broad: organisationIds !== null && (await isBroadScope(this.db, organisationIds)),
      status: query.status,
      region: query.region,
      after: decodeDirectoryCursor(query.cursor),
      rows: query.limit + 1,
      words,
    });
    const rows = await this.db.query<{ id: string; given_name: string; family_name: string; email: string | null; phone: string | null; region: string | null; locality: string | null; erased_at: Date | null }[]>(
      sql.text,
      sql.values,
    );
    const page = rows.slice(0, query.limit);
    const memberships = await this.visibleMemberships(
      page.map((r) => r.id),
      scope,
    );
    const items: DirectoryItem[] = page.map((r) => {
      const visible = memberships.get(r.id) ?? [];
      // Every listed member has a membership in the caller's member.read scope: contact data may be shown.
      const personal = scope.all || visible.length > 0;
      return {
        id: r.id,
        givenName: r.given_name,
        familyName: r.family_name,
        ...(personal ? { email: r.email, phone: r.phone } : {}),
        region: r.region,
        locality: r.locality,
        erased: r.erased_at !== null,
        memberships: visible,
      };
    });
    const last = page[page.length - 1];
    return { items, nextCursor: rows.length > query.limit ? encodeCursor([last.family_name, last.given_name, last.id]) : null };
  }

  private async visibleMemberships(memberIds: string[], scope: OrganisationScope): Promise<Map<string, DirectoryMembership[]>> {
    const out = new Map<string, DirectoryMembership[]>();
    if (memberIds.length === 0) return out;
    const rows = await this.db.query<{ id: string; member_id: string; organisation_id: string; status: MembershipStatus; title: string | null }[]>(
      `SELECT id, member_id, organisation_id, status, title FROM memberships
        WHERE member_id = ANY($1::uuid[]) ${scope.all ? '' : 'AND organisation_id = ANY($2::uuid[])'}
        ORDER BY created_at, id`,
      scope.all ? [memberIds] : [memberIds, scope.ids],
    );
    for (const r of rows) {
      const list = out.get(r.member_id) ?? [];
      list.push({ id: r.id, organisationId: r.organisation_id, status: r.status, title: r.title });
      out.set(r.member_id, list);
    }
    return out;
  }

  // ------------------------------------------------------------- mutations

  /**
   * Creates a member record with memberships in organisations the caller
   * manages, all inside one data controller. An e-mail (any case) already
   * held by a record of that controller adds the memberships to that record
   * instead: its data is only completed where empty (corrections go through
   * PATCH). Records of other controllers are never looked at.
   */
  async create(caller: Caller, dto: CreateMemberDto): Promise<MemberView> {
    const orgIds = dto.memberships.map((m) => m.organisationId);
    if (new Set(orgIds).size !== orgIds.length) {
      throw badRequest('duplicate-organisation', 'Each organisation may appear once in memberships.', [{ field: 'memberships', message: 'an organisation appears twice' }]);
    }
    return this.db.transaction(async (em) => {
      const controllers = new Set<string>();
      for (const [i, m] of dto.memberships.entries()) {
        const org = await this.organisationFor(em, m.organisationId, `memberships[${i}].organisationId`);
        if (!(await this.access.canOnOrganisation(caller, 'member.manage', org.id))) throw forbidden('You may only add members to organisations where you manage members.');
        controllers.add(await this.controllerOf(em, org.id));
      }
      if (controllers.size > 1) {
        throw badRequest('several-controllers', 'A member record belongs to one data controller (a top-level organisation and its sub-organisations): create one record per controller.', [
          { field: 'memberships', message: 'organisations of different top-level organisations' },
        ]);
      }
      const { member } = await this.findOrCreatePerson(em, caller, dto, 'complete', dto.memberships[0].organisationId);
      for (const m of dto.memberships) {
        const added = await this.addMembership(em, caller, member.id, m.organisationId, { status: m.status ?? 'active', title: m.title, joinedOn: m.joinedOn, source: 'manual' });
        if (!added) throw conflict('already-member', 'This person is already a member of that organisation.');
        if (dto.consent) await this.recordConsent(em, caller, member.id, m.organisationId, dto.consent, 'manual');
      }
      return this.view(caller, await this.accessFor(caller, member.id, em), em);
    });
  }

  async update(caller: Caller, id: string, dto: UpdateMemberDto): Promise<MemberView> {
    return this.db.transaction(async (em) => {
      const a = await this.accessFor(caller, id, em, true);
      if (!(await this.canManagePerson(caller, a))) throw forbidden('You may not edit this member.');
      if (a.member.erasedAt) throw conflict('member-erased', 'This person’s data was erased.');
      const before = { ...a.member };
      const changes: Partial<Member> = {};
      for (const field of MEMBER_FIELDS) {
        const value = (dto as Record<string, unknown>)[field];
        if (value !== undefined) (changes as Record<string, unknown>)[field] = value;
      }
      if (changes.email !== undefined && (changes.email ?? '').toLowerCase() !== (before.email ?? '').toLowerCase()) {
        changes.emailVerifiedAt = null;
        if (changes.email) {
          // Within this record's controller only: other controllers' records are none of the caller's business.
          const [taken] = await em.query<{ id: string }[]>('SELECT id FROM members WHERE controller_id = $1 AND email = $2::citext AND id <> $3', [a.member.controllerId, changes.email, id]);
          if (taken) throw conflict('email-taken', 'Another member record of your organisation already uses this e-mail address.');
        }
      }
      Object.assign(a.member, changes);
      const after = await em.save(Member, a.member);
      const diffs = diff(before, after, MEMBER_FIELDS, MEMBER_PERSONAL);
      if (Object.keys(diffs).length) {
        await this.changes.publish(em, caller, { action: 'member.update', entity: 'member', entityId: id, organisationId: a.memberships[0]?.organisationId ?? a.member.controllerId, changes: diffs });
      }
      return this.view(caller, a, em);
    });
  }

  // ------------------------------------------------ shared with memberships

  /** An organisation that can have members: it exists, is on the platform, and is not dissolved. */
  async organisationFor(em: EntityManager, idOrSlug: string, field = 'organisationId'): Promise<Organisation> {
    let org: Organisation;
    try {
      org = await this.organisations.get(idOrSlug, em);
    } catch {
      throw badRequest('unknown-organisation', 'The organisation does not exist.', [{ field, message: 'no such organisation' }]);
    }
    if (org.external) throw badRequest('external-organisation', 'An external organisation has no members here.', [{ field, message: 'organisation is external' }]);
    if (org.status !== 'active') throw conflict('organisation-dissolved', 'A dissolved organisation takes no new members.');
    return org;
  }

  /** The data controller of an organisation: its top-level ancestor (itself at the top). */
  async controllerOf(em: EntityManager, organisationId: string): Promise<string> {
    const [row] = await em.query<{ root: string }[]>('SELECT organisation_root($1) AS root', [organisationId]);
    return row.root;
  }

  /**
   * Finds the record with this e-mail (case-insensitive) in the data
   * controller of `organisationId`, or creates one there. Records of other
   * controllers are never looked up: the same address in another controller
   * is another record, and nothing here depends on whether it exists.
   * `complete` fills the known record's empty fields (a trusted org_admin);
   * `keep` changes nothing on a known record (the public form: anybody can
   * type anybody's e-mail).
   */
  async findOrCreatePerson(em: EntityManager, caller: Caller, input: PersonInput, mode: 'complete' | 'keep', organisationId: string): Promise<{ member: Member; created: boolean }> {
    const email = input.email?.trim() || null;
    const controllerId = await this.controllerOf(em, organisationId);
    const lookup = async () => {
      if (!email) return null;
      const [row] = await em.query<{ id: string }[]>('SELECT id FROM members WHERE controller_id = $1 AND email = $2::citext FOR UPDATE', [controllerId, email]);
      return row ? em.findOneOrFail(Member, { where: { id: row.id } }) : null;
    };
    let member = await lookup();
    if (!member) {
      const [inserted] = await em.query<{ id: string }[]>(
        `INSERT INTO members (controller_id, given_name, family_name, email, phone, region, locality, languages, preferred_language)
         VALUES ($9, $1, $2, $3, $4, $5, $6, $7::text[], $8)
         ON CONFLICT (controller_id, email) DO NOTHING RETURNING id`,
        [input.givenName, input.familyName, email, input.phone ?? null, input.region ?? null, input.locality ?? null, input.languages ?? [], input.preferredLanguage ?? 'es', controllerId],
      );
      if (inserted) {
        member = await em.findOneOrFail(Member, { where: { id: inserted.id } });
        await this.changes.publish(em, caller, { action: 'member.create', entity: 'member', entityId: member.id, organisationId, changes: diff(null, member, MEMBER_FIELDS, MEMBER_PERSONAL) });
        return { member, created: true };
      }
      member = await lookup(); // created concurrently by another request
      if (!member) throw conflict('concurrent-update', 'The member was changed by another request at the same time; try again.');
    }
    if (mode === 'complete') {
      const before = { ...member };
      member.phone ??= input.phone ?? null;
      member.region ??= input.region ?? null;
      member.locality ??= input.locality ?? null;
      if (member.languages.length === 0 && input.languages?.length) member.languages = input.languages;
      const changes = diff(before, member, MEMBER_FIELDS, MEMBER_PERSONAL);
      if (Object.keys(changes).length) {
        member = await em.save(Member, member);
        await this.changes.publish(em, caller, { action: 'member.update', entity: 'member', entityId: member.id, organisationId, changes });
      }
    }
    return { member, created: false };
  }

  /** Adds a membership; null when the person already has one in that organisation. */
  async addMembership(
    em: EntityManager,
    caller: Caller,
    memberId: string,
    organisationId: string,
    fields: { status: MembershipStatus; title?: string | null; joinedOn?: string | null; duesPaidUntil?: string | null; source: MembershipSource },
  ): Promise<Membership | null> {
    const joinedOn = fields.joinedOn ?? (fields.status === 'active' ? today() : null);
    const [row] = await em.query<{ id: string }[]>(
      `INSERT INTO memberships (member_id, organisation_id, status, title, joined_on, dues_paid_until, source)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (member_id, organisation_id) DO NOTHING RETURNING id`,
      [memberId, organisationId, fields.status, fields.title ?? null, joinedOn, fields.duesPaidUntil ?? null, fields.source],
    );
    if (!row) return null;
    const membership = await em.findOneOrFail(Membership, { where: { id: row.id } });
    await this.changes.publish(em, caller, {
      action: fields.source === 'form' ? 'membership.apply' : 'membership.create',
      entity: 'membership',
      entityId: membership.id,
      organisationId,
      changes: { memberId: { from: null, to: memberId }, ...diff(null, membership, MEMBERSHIP_FIELDS, MEMBERSHIP_PERSONAL) },
    });
    return membership;
  }

  async recordConsent(em: EntityManager, caller: Caller, memberId: string, organisationId: string | null, consent: ConsentDto, source: ConsentSource): Promise<void> {
    const row = await em.save(
      MemberConsent,
      em.create(MemberConsent, {
        memberId,
        organisationId,
        noticeVersion: consent.noticeVersion ?? DEFAULT_NOTICE_VERSION,
        dataProcessing: consent.dataProcessing,
        contactByEmail: consent.contactByEmail ?? false,
        contactBySms: consent.contactBySms ?? false,
        source,
      }),
    );
    await this.changes.publish(em, caller, {
      action: 'member.consent',
      entity: 'member_consent',
      entityId: row.id,
      organisationId,
      changes: {
        memberId: { from: null, to: memberId },
        noticeVersion: { from: null, to: row.noticeVersion },
        dataProcessing: { from: null, to: row.dataProcessing },
        contactByEmail: { from: null, to: row.contactByEmail },
        contactBySms: { from: null, to: row.contactBySms },
      },
    });
  }
}

function decodeDirectoryCursor(cursor: string | undefined): [string, string, string] | null {
  const key = decodeCursor<[string, string, string]>(cursor);
  if (!key) return null;
  if (key.length !== 3 || !key.every((v) => typeof v === 'string') || !UUID_PATTERN.test(key[2])) {
    throw badRequest('invalid-cursor', 'The cursor is not one this API issued.', [{ field: 'cursor', message: 'cursor is not valid' }]);
  }
  return key;
}
