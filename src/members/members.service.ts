import { Injectable } from '@nestjs/common';

import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import { today } from '../common/dates';
import { decodeCursorAs, encodeCursor, type Page } from '../common/pagination';
import { badRequest, conflict, forbidden } from '../common/problem';
import { Transactions, type Tx } from '../database/transactions';
import { diff } from '../domain-events/changes';
import { DomainEvents } from '../domain-events/domain-events';
import type { Organisation } from '../organisations/organisation.entity';
import { OrganisationsService } from '../organisations/organisations.service';
import type { ConsentDto, CreateMemberDto, MemberQueryDto, UpdateMemberDto } from './dto/member.dto';
import type { ConsentSource } from './member-consent.entity';
import { MemberSearchRepository, type DirectoryScope } from './member-search.repository';
import { MemberAccess, type LoadedMember } from './member.access';
import type { Member } from './member.entity';
import { MembersRepository } from './members.repository';
import { consentView, directoryItem, memberView, type ConsentView, type DirectoryItem, type MemberView } from './members.views';
import type { Membership, MembershipSource, MembershipStatus } from './membership.entity';
import { MembershipsRepository } from './memberships.repository';

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

/**
 * Why an organisation takes no members here, or null when it does: an
 * external one has no members on this platform, a dissolved one takes no
 * new members. The module's one statement of that rule; each route words
 * its answer (400/409 for a named organisation, 404 on the public form).
 */
export function noMembersIn(org: Organisation): 'external' | 'dissolved' | null {
  if (org.external) return 'external';
  if (org.status !== 'active') return 'dissolved';
  return null;
}

/** 409 for a change to an erased record: nothing is added to a person who is gone. */
export function refuseErased(member: Member): void {
  if (member.erasedAt) throw conflict('member-erased', 'This person’s data was erased.');
}

@Injectable()
export class MembersService {
  constructor(
    private readonly transactions: Transactions,
    private readonly access: AccessService,
    private readonly memberAccess: MemberAccess,
    private readonly changes: DomainEvents,
    private readonly organisations: OrganisationsService,
    private readonly members: MembersRepository,
    private readonly memberships: MembershipsRepository,
    private readonly search: MemberSearchRepository,
  ) {}

  // ------------------------------------------------------------------ view

  /**
   * Response shaping (ACCESS.md rule 5): e-mail and phone only for the
   * person, a platform admin, or a caller with member.read in one of the
   * organisations whose membership they see.
   */
  async view(caller: Caller, a: LoadedMember, tx: Tx = this.transactions.auto): Promise<MemberView> {
    const consents = await this.consentsFor(a, tx, 1);
    return memberView(a.member, a.memberships, consents[0] ?? null, await a.may('contact'));
  }

  /** Consents the caller may see, newest first: those given to organisations in their scope. */
  async consentsFor(a: LoadedMember, tx: Tx = this.transactions.auto, limit?: number): Promise<ConsentView[]> {
    return (await this.members.consents(tx, a.member.id, a.scope, limit)).map(consentView);
  }

  async get(caller: Caller, id: string): Promise<MemberView> {
    return this.view(caller, await this.memberAccess.load(this.transactions.auto, caller, id));
  }

  // ------------------------------------------------------------- directory

  /**
   * The directory: keyset-paginated on (familyName, givenName, id), always
   * filtered in SQL by the caller's member.read scope. With `q`, each word
   * must match a word of the names or e-mail (typo-tolerant, see
   * member-search.repository.ts); results stay in directory order rather
   * than by relevance, so paging stays exact.
   */
  async directory(caller: Caller, query: MemberQueryDto): Promise<Page<DirectoryItem>> {
    const db = this.transactions.auto;
    const scope = await this.directoryScope(caller, query, !!query.q);
    if (!scope) return { items: [], nextCursor: null };
    const words = query.q ? await this.search.expandSearch(db, query.q) : [];
    const rows = await this.search.directoryPage(db, {
      commonWords: words.length > 1 ? await this.search.commonWords(db) : undefined,
      scope,
      status: query.status,
      region: query.region,
      after: decodeCursorAs<[string, string, string]>(query.cursor, 'string', 'string', 'uuid'),
      rows: query.limit + 1,
      words,
    });
    const page = rows.slice(0, query.limit);
    // Every listed member has a membership in the caller's member.read scope (or the caller sees everything): contact data may be shown.
    const items = page.map((r) => directoryItem(r, r.memberships, scope.shown === 'all' || r.memberships.length > 0));
    const last = page[page.length - 1];
    return { items, nextCursor: rows.length > query.limit ? encodeCursor([last.family_name, last.given_name, last.id]) : null };
  }

  /**
   * Whose members the caller's directory lists (member.read, narrowed to
   * `query.organisation` and its descendants when given) and which
   * memberships it shows; null when nobody's. A caller whose member.read
   * roles all sit on top-level organisations reads whole data controllers:
   * no list of organisations is needed, only the controllers. Otherwise the
   * controllers are looked up only for a search (`searching`): the words
   * are walked per controller, the directory alone needs none.
   */
  private async directoryScope(caller: Caller, query: MemberQueryDto, searching: boolean): Promise<DirectoryScope | null> {
    const db = this.transactions.auto;
    const whole = this.access.wholeControllers(caller, 'member.read');
    const readScope = whole ? null : await this.memberAccess.readScope(caller);
    const shown = whole || readScope?.all ? 'all' : readScope!.ids;
    if (query.organisation) {
      const org = await this.organisations.get(query.organisation);
      if (!(await this.access.canOnOrganisation(caller, 'member.read', org.id))) throw forbidden('You may not read this organisation’s members.');
      const listed = await this.access.descendants([org.id]);
      return { controllers: searching ? await this.access.controllersOf([org.id]) : null, listed, broad: await this.search.isBroadScope(db, { organisations: listed }), shown };
    }
    if (whole) return { controllers: whole, listed: 'members', broad: await this.search.isBroadScope(db, { controllers: whole }), shown };
    if (readScope!.all) return { controllers: searching ? await this.access.controllersOf(null) : null, listed: 'everyone', broad: true, shown };
    const listed = readScope!.ids;
    if (listed.length === 0) return null;
    return { controllers: searching ? await this.access.scopeControllers(caller, 'member.read') : null, listed, broad: await this.search.isBroadScope(db, { organisations: listed }), shown };
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
    return this.transactions.run(async (tx) => {
      const controllers = new Set<string>();
      for (const [i, m] of dto.memberships.entries()) {
        const org = await this.organisationFor(tx, m.organisationId, `memberships[${i}].organisationId`);
        if (!(await this.access.canOnOrganisation(caller, 'member.manage', org.id))) throw forbidden('You may only add members to organisations where you manage members.');
        controllers.add(await this.controllerOf(tx, org.id));
      }
      if (controllers.size > 1) {
        throw badRequest('several-controllers', 'A member record belongs to one data controller (a top-level organisation and its sub-organisations): create one record per controller.', [
          { field: 'memberships', message: 'organisations of different top-level organisations' },
        ]);
      }
      const { member } = await this.findOrCreatePerson(tx, caller, dto, 'complete', dto.memberships[0].organisationId);
      for (const m of dto.memberships) {
        const added = await this.addMembership(tx, caller, member.id, m.organisationId, { status: m.status ?? 'active', title: m.title, joinedOn: m.joinedOn, source: 'manual' });
        if (!added) throw conflict('already-member', 'This person is already a member of that organisation.');
        if (dto.consent) await this.recordConsent(tx, caller, member.id, m.organisationId, dto.consent, 'manual');
      }
      return this.view(caller, await this.memberAccess.load(tx, caller, member.id), tx);
    });
  }

  async update(caller: Caller, id: string, dto: UpdateMemberDto): Promise<MemberView> {
    return this.transactions.run(async (tx) => {
      const a = await this.memberAccess.load(tx, caller, id, true);
      await this.memberAccess.require(a, 'manage', 'You may not edit this member.');
      refuseErased(a.member);
      const before = { ...a.member };
      const changes: Partial<Member> = {};
      for (const field of MEMBER_FIELDS) {
        const value = (dto as Record<string, unknown>)[field];
        if (value !== undefined) (changes as Record<string, unknown>)[field] = value;
      }
      if (changes.email !== undefined && (changes.email ?? '').toLowerCase() !== (before.email ?? '').toLowerCase()) {
        changes.emailVerifiedAt = null;
        // Within this record's controller only: other controllers' records are none of the caller's business.
        if (changes.email && (await this.members.emailTaken(tx, a.member.controllerId, changes.email, id))) {
          throw conflict('email-taken', 'Another member record of your organisation already uses this e-mail address.');
        }
      }
      Object.assign(a.member, changes);
      const after = await this.members.save(tx, a.member);
      const diffs = diff(before, after, MEMBER_FIELDS, MEMBER_PERSONAL);
      if (Object.keys(diffs).length) {
        await this.changes.publish(tx, caller, { action: 'member.update', entity: 'member', entityId: id, organisationId: a.memberships[0]?.organisationId ?? a.member.controllerId, changes: diffs });
      }
      return this.view(caller, a, tx);
    });
  }

  // ------------------------------------------------ shared with memberships

  /** An organisation that can have members: it exists, is on the platform, and is not dissolved. */
  async organisationFor(tx: Tx, idOrSlug: string, field = 'organisationId'): Promise<Organisation> {
    const org = await this.organisations.requireInternal(tx, idOrSlug, {
      unknown: () => badRequest('unknown-organisation', 'The organisation does not exist.', [{ field, message: 'no such organisation' }]),
      external: () => badRequest('external-organisation', 'An external organisation has no members here.', [{ field, message: 'organisation is external' }]),
    });
    if (noMembersIn(org) === 'dissolved') throw conflict('organisation-dissolved', 'A dissolved organisation takes no new members.');
    return org;
  }

  /** The data controller of an organisation: its top-level ancestor (itself at the top). */
  controllerOf(tx: Tx, organisationId: string): Promise<string> {
    return this.members.controllerOf(tx, organisationId);
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
  async findOrCreatePerson(tx: Tx, caller: Caller, input: PersonInput, mode: 'complete' | 'keep', organisationId: string): Promise<{ member: Member; created: boolean }> {
    const email = input.email?.trim() || null;
    const controllerId = await this.controllerOf(tx, organisationId);
    const lookup = () => (email ? this.members.lockByEmail(tx, controllerId, email) : Promise.resolve(null));
    let member = await lookup();
    if (!member) {
      const inserted = await this.members.insert(tx, controllerId, {
        givenName: input.givenName,
        familyName: input.familyName,
        email,
        phone: input.phone ?? null,
        region: input.region ?? null,
        locality: input.locality ?? null,
        languages: input.languages ?? [],
        preferredLanguage: input.preferredLanguage ?? 'es',
      });
      if (inserted) {
        await this.changes.publish(tx, caller, { action: 'member.create', entity: 'member', entityId: inserted.id, organisationId, changes: diff(null, inserted, MEMBER_FIELDS, MEMBER_PERSONAL) });
        return { member: inserted, created: true };
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
        member = await this.members.save(tx, member);
        await this.changes.publish(tx, caller, { action: 'member.update', entity: 'member', entityId: member.id, organisationId, changes });
      }
    }
    return { member, created: false };
  }

  /** Adds a membership; null when the person already has one in that organisation. */
  async addMembership(
    tx: Tx,
    caller: Caller,
    memberId: string,
    organisationId: string,
    fields: { status: MembershipStatus; title?: string | null; joinedOn?: string | null; duesPaidUntil?: string | null; source: MembershipSource },
  ): Promise<Membership | null> {
    const membership = await this.memberships.insert(tx, memberId, organisationId, {
      status: fields.status,
      title: fields.title ?? null,
      joinedOn: fields.joinedOn ?? (fields.status === 'active' ? today() : null),
      duesPaidUntil: fields.duesPaidUntil ?? null,
      source: fields.source,
    });
    if (!membership) return null;
    await this.changes.publish(tx, caller, {
      action: fields.source === 'form' ? 'membership.apply' : 'membership.create',
      entity: 'membership',
      entityId: membership.id,
      organisationId,
      changes: { memberId: { from: null, to: memberId }, ...diff(null, membership, MEMBERSHIP_FIELDS, MEMBERSHIP_PERSONAL) },
    });
    return membership;
  }

  /**
   * A number answered BAJA / STOP on a text channel (issue 24): on every
   * member record holding it, in every controller, each organisation's
   * latest consent that still allows the channel is followed by one that
   * does not (the history stays append-only), audited as the person's own
   * change under that organisation (or the record's controller, for a
   * consent given to the platform). Inside the opt-out's transaction.
   */
  async withdrawTextConsent(tx: Tx, caller: Caller, phone: string, channel: 'sms' | 'whatsapp'): Promise<number> {
    const field = channel === 'sms' ? 'contactBySms' : 'contactByWhatsapp';
    const latest = await this.members.textConsentsToWithdraw(tx, phone, channel === 'sms' ? 'contact_by_sms' : 'contact_by_whatsapp');
    for (const c of latest) {
      const row = await this.members.insertConsent(tx, {
        memberId: c.memberId,
        organisationId: c.organisationId,
        noticeVersion: c.noticeVersion,
        dataProcessing: c.dataProcessing,
        contactByEmail: c.contactByEmail,
        contactBySms: c.contactBySms,
        contactByWhatsapp: c.contactByWhatsapp,
        [field]: false,
        source: 'self',
      });
      await this.changes.publish(tx, caller, {
        action: 'member.consent',
        entity: 'member_consent',
        entityId: row.id,
        organisationId: c.organisationId ?? c.controllerId,
        changes: { memberId: { from: null, to: c.memberId }, [field]: { from: true, to: false }, by: { from: null, to: `a ${channel === 'sms' ? 'SMS' : 'WhatsApp'} opt-out reply` } },
      });
    }
    return latest.length;
  }

  async recordConsent(tx: Tx, caller: Caller, memberId: string, organisationId: string | null, consent: ConsentDto, source: ConsentSource): Promise<void> {
    const row = await this.members.insertConsent(tx, {
      memberId,
      organisationId,
      noticeVersion: consent.noticeVersion ?? DEFAULT_NOTICE_VERSION,
      dataProcessing: consent.dataProcessing,
      contactByEmail: consent.contactByEmail ?? false,
      contactBySms: consent.contactBySms ?? false,
      contactByWhatsapp: consent.contactByWhatsapp ?? false,
      source,
    });
    await this.changes.publish(tx, caller, {
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
        contactByWhatsapp: { from: null, to: row.contactByWhatsapp },
      },
    });
  }
}
