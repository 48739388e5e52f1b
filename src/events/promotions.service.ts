import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';

import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import { badRequest, conflict, forbidden, notFound } from '../common/problem';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Transactions, type Tx } from '../database/transactions';
import { DomainEvents } from '../domain-events/domain-events';
import { protectReferrals, SUPPRESS_BELOW } from '../members/stats-suppression';
import { OrganisationsService } from '../organisations/organisations.service';
import type { CreatePromotionDto } from './dto/promotion.dto';
import type { CreateSignupDto } from './dto/signup.dto';
import { EventAccess } from './event.access';
import type { Event } from './event.entity';
import { EventsRepository } from './events.repository';
import { PromoterListJoinRequested } from './promotion-events';
import { mayPromote, promotionMayMove, type PromotionSide, type PromotionStatus } from './promotion-workflow';
import { PromotionsRepository, type Promoter, type PromoterScope, type PromotionRow, type ReferralRow } from './promotions.repository';
import type { PromoterRef, PromoterReferrals, PromotionStatsView, PromotionView } from './promotions.views';
import { SeatsService } from './seats.service';

/** The ref alphabet: lower case and digits without 0, 1, l and o (read aloud, typed from a poster). 32 characters: a byte's low 5 bits pick one evenly. */
const REF_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
const REF_LENGTH = 8;
/** A ref as links carry it (anything else is no ref of ours: it records nothing, and says nothing). */
const REF_PATTERN = /^[a-z0-9]{4,32}$/;

/** A new ref: 8 characters, 40 random bits. */
export function newRef(): string {
  return [...randomBytes(REF_LENGTH)].map((b) => REF_ALPHABET[b & 31]).join('');
}

/** A ref as given (a link, a form, an API body) in the form refs are stored; null when it cannot be one. */
export function normaliseRef(ref: string | null | undefined): string | null {
  const r = ref?.trim().toLowerCase();
  return r && REF_PATTERN.test(r) ? r : null;
}

/** The promoter of a promotion row. */
const promoterOf = (r: Pick<PromotionRow, 'promoter_kind' | 'organisation_id' | 'coalition_id' | 'promoter_slug' | 'promoter_name'>): PromoterRef => ({
  kind: r.promoter_kind,
  id: (r.organisation_id ?? r.coalition_id)!,
  slug: r.promoter_slug,
  name: r.promoter_name,
});

/**
 * Promotions (issue 22): an organisation's organisers, or a coalition's
 * coordinators, promote another host's published public event. The event
 * then appears in the promoter's lists (EventsRepository: its page, its
 * calendar feed, `GET /events?…&includePromoted=true`), and the signups made
 * through the promoter's link (`ref`) are counted as its referrals — by the
 * signup statement itself, for a live promotion of that event only. The
 * event's managers see every promoter and exact counts; a promoter sees its
 * own promotions and its referrals in aggregate, suppressed, never a person.
 */
@Injectable()
export class PromotionsService {
  constructor(
    private readonly repo: PromotionsRepository,
    private readonly events: EventsRepository,
    private readonly transactions: Transactions,
    private readonly access: AccessService,
    private readonly eventAccess: EventAccess,
    private readonly organisations: OrganisationsService,
    private readonly seats: SeatsService,
    private readonly changes: DomainEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private view(r: PromotionRow): PromotionView {
    return {
      id: r.id,
      eventId: r.event_id,
      promoter: promoterOf(r),
      ref: r.ref,
      url: `${this.config.publicUrl.replace(/\/$/, '')}/e/${r.event_id}?ref=${r.ref}`,
      status: r.status,
      createdBy: r.created_by,
      createdAt: r.created_at,
      endedAt: r.ended_at,
    };
  }

  /** The promoters the caller acts for: the organisations they organise (with their sub-organisations) and the coalitions they coordinate. */
  private async promoterScope(caller: Caller): Promise<PromoterScope> {
    const orgs = await this.access.organisationScope(caller, 'event.manage');
    const coalitions = this.access.coalitionScope(caller, 'event.manage');
    if (orgs.all || coalitions.all) return { all: true };
    return { all: false, organisationIds: orgs.ids, coalitionIds: coalitions.ids };
  }

  /** Whether the caller acts for the promoter of this promotion. */
  private async actsFor(caller: Caller, r: Pick<PromotionRow, 'organisation_id' | 'coalition_id'>): Promise<boolean> {
    if (r.organisation_id) return this.access.canOnOrganisation(caller, 'event.manage', r.organisation_id);
    return !!r.coalition_id && this.access.canOnCoalition(caller, 'event.manage', r.coalition_id);
  }

  /** Only a published, public event that has not ended is promoted. */
  private assertPromotable(event: Event): void {
    if (event.visibility !== 'public') throw conflict('not-public', 'Only public events can be promoted: members-only and private events stay with their hosts.');
    if (event.status === 'draft') throw conflict('event-not-published', 'This event is not published yet.');
    if (event.status !== 'published') throw conflict('event-closed', `This event is ${event.status}.`);
    if (event.endsAt.getTime() <= Date.now()) throw conflict('event-over', 'This event is over.');
  }

  /**
   * The promoter named in the request, once the caller may act for it and it
   * is not already a host of the event: an organisation that hosts or
   * co-hosts it — or whose sub-organisation does — lists it already, and a
   * coalition does its own events.
   */
  private async promoterFor(caller: Caller, event: Event, dto: CreatePromotionDto): Promise<Promoter> {
    const db = this.transactions.auto;
    if (!dto.organisationId === !dto.coalitionId) {
      throw badRequest('invalid-promoter', 'Give exactly one of organisationId and coalitionId.', [{ field: 'organisationId', message: 'exactly one of organisationId, coalitionId is required' }]);
    }
    if (dto.organisationId) {
      const org = await this.organisations.requireInternal(db, dto.organisationId, {
        unknown: () => badRequest('unknown-organisation', 'The promoting organisation does not exist.', [{ field: 'organisationId', message: 'unknown organisation' }]),
        external: () => badRequest('external-organisation', 'An external organisation promotes nothing here.', [{ field: 'organisationId', message: 'external organisation' }]),
      });
      if (!(await this.access.canOnOrganisation(caller, 'event.manage', org.id))) throw forbidden('You may only promote events on behalf of organisations you organise.');
      if (org.status !== 'active') throw conflict('organisation-dissolved', 'A dissolved organisation promotes nothing.');
      const own = await this.access.descendants([org.id]);
      const hosts = [event.hostOrganisationId, ...(await this.events.coHostIds(db, event.id))];
      if (hosts.some((h) => h && own.includes(h))) throw conflict('own-event', 'This organisation (or one of its sub-organisations) hosts this event: it lists it already.');
      return { organisationId: org.id };
    }
    const coalitionId = dto.coalitionId!;
    const status = await this.repo.coalitionStatus(db, coalitionId);
    if (!status) throw badRequest('unknown-coalition', 'The promoting coalition does not exist.', [{ field: 'coalitionId', message: 'unknown coalition' }]);
    if (!this.access.canOnCoalition(caller, 'event.manage', coalitionId)) throw forbidden('Only the coalition’s coordinators promote events on its behalf.');
    if (status === 'dissolved') throw conflict('coalition-dissolved', 'A dissolved coalition promotes nothing.');
    if (event.coalitionId === coalitionId) throw conflict('own-event', 'This coalition hosts this event: it lists it already.');
    return { coalitionId };
  }

  /**
   * Promotes an event on behalf of an organisation or a coalition. Idempotent:
   * a live promotion by the same promoter is answered as it is. After an end
   * the promoter may promote again (a new ref); after the host's refusal it
   * may not.
   */
  async promote(caller: Caller, eventId: string, dto: CreatePromotionDto): Promise<PromotionView> {
    const { event } = await this.eventAccess.read(this.transactions.auto, caller, eventId);
    const promoter = await this.promoterFor(caller, event, dto);
    this.assertPromotable(event);
    return this.transactions.run(async (tx) => {
      // Under the event's lock: a change of visibility (which ends every promotion) cannot slip in between.
      this.assertPromotable(await this.seats.lockEvent(tx, eventId));
      for (let attempt = 0; attempt < 5; attempt++) {
        const latest = await this.repo.latest(tx, eventId, promoter);
        if (latest?.status === 'active') return this.view(latest);
        if (!mayPromote(latest?.status ?? null)) throw conflict('promotion-refused', 'The event’s hosts refused this promoter’s promotion of it.');
        const id = await this.repo.create(tx, { eventId, promoter, ref: newRef(), createdBy: caller.user?.id ?? null });
        if (!id) continue; // the ref was taken (or the promoter's live promotion appeared): look again
        await this.changes.publish(tx, caller, {
          action: 'event_promotion.create',
          entity: 'event_promotion',
          entityId: id,
          organisationId: promoter.organisationId ?? null,
          coalitionId: promoter.coalitionId ?? null,
          changes: { eventId: { from: null, to: eventId }, status: { from: null, to: 'active' } },
        });
        return this.view((await this.repo.find(tx, eventId, id))!);
      }
      throw new Error('No free promotion ref after 5 tries');
    });
  }

  /** The event's promotions: every one for its managers, a promoter's own for its organisers or coordinators (none: an empty list). */
  async list(caller: Caller, eventId: string): Promise<PromotionView[]> {
    const db = this.transactions.auto;
    const { rights } = await this.eventAccess.read(db, caller, eventId);
    const scope: PromoterScope = rights.manage ? { all: true } : await this.promoterScope(caller);
    return (await this.repo.list(db, eventId, scope)).map((r) => this.view(r));
  }

  /**
   * Ends or refuses a promotion. The event's managers may end or refuse one
   * (and refuse one that ended); the promoter may end its own. A promotion the
   * caller may not see is 404, whatever it is; one already in that status is
   * answered as it is.
   */
  async setStatus(caller: Caller, eventId: string, promotionId: string, to: Exclude<PromotionStatus, 'active'>): Promise<PromotionView> {
    const { event, rights } = await this.eventAccess.read(this.transactions.auto, caller, eventId);
    const seen = await this.repo.find(this.transactions.auto, eventId, promotionId);
    if (!seen || !(rights.manage || (await this.actsFor(caller, seen)))) throw notFound('promotion');
    const side: PromotionSide = rights.manage ? 'host' : 'promoter';
    return this.transactions.run(async (tx) => {
      const row = (await this.repo.find(tx, eventId, promotionId, true))!;
      if (row.status === to) return this.view(row);
      if (!promotionMayMove(side, row.status, to)) {
        if (side === 'promoter' && to === 'refused') throw forbidden('Only the event’s managers may refuse a promotion; you may end your own.');
        throw conflict('invalid-transition', `A promotion that is ${row.status} cannot become ${to}.`);
      }
      await this.repo.setStatus(tx, row.id, to, caller.user?.id ?? null);
      // Recorded in the scope of the side that acted: the host's for the managers, the promoter's for the promoter.
      await this.changes.publish(tx, caller, {
        action: to === 'refused' ? 'event_promotion.refuse' : 'event_promotion.end',
        entity: 'event_promotion',
        entityId: row.id,
        organisationId: side === 'host' ? event.hostOrganisationId : row.organisation_id,
        coalitionId: side === 'host' ? event.coalitionId : row.coalition_id,
        changes: { status: { from: row.status, to } },
      });
      return this.view((await this.repo.find(tx, eventId, row.id))!);
    });
  }

  /** DELETE: ends a live promotion (either side); one that has already stopped is left as it is. */
  async end(caller: Caller, eventId: string, promotionId: string): Promise<void> {
    const { rights } = await this.eventAccess.read(this.transactions.auto, caller, eventId);
    const seen = await this.repo.find(this.transactions.auto, eventId, promotionId);
    if (!seen || !(rights.manage || (await this.actsFor(caller, seen)))) throw notFound('promotion');
    if (seen.status === 'active') await this.setStatus(caller, eventId, promotionId, 'ended');
  }

  /**
   * Referrals per promoter. The event's managers: every promoter, exact
   * counts. A promoter: its own referrals only, suppressed as the coalition
   * statistics are (protectReferrals: under 5 as "<5", and nothing that
   * would let one be worked out), and never the people.
   */
  async stats(caller: Caller, eventId: string): Promise<PromotionStatsView> {
    const db = this.transactions.auto;
    const { rights } = await this.eventAccess.read(db, caller, eventId);
    const exact = rights.manage;
    const rows = await this.repo.referrals(db, eventId, exact ? { all: true } : await this.promoterScope(caller));
    const promoters = rows.map((r: ReferralRow): PromoterReferrals => {
      const promoter: PromoterRef = { kind: r.promoter_kind, id: r.promoter_id, slug: r.promoter_slug, name: r.promoter_name };
      const counts = { going: r.going, waitlisted: r.waitlisted, attended: r.attended, noShow: r.no_show };
      return { promoter, ...(exact ? { signups: r.going + r.waitlisted + r.attended + r.no_show, ...counts } : protectReferrals(counts)) };
    });
    return { eventId, exact, suppressionThreshold: SUPPRESS_BELOW, promoters };
  }

  // ---------------------------------------------------------------- for the signup form and the signup

  /** The live promotion of this event behind a ref, as the event page shows it; null for anything else (never an error: refs are not to be probed). */
  async promoterForRef(eventId: string, ref: string | null | undefined): Promise<{ promotionId: string; ref: string; promoter: PromoterRef; acceptsMembers: boolean } | null> {
    const r = normaliseRef(ref);
    const row = r ? await this.repo.liveByRef(this.transactions.auto, eventId, r) : null;
    return row ? { promotionId: row.id, ref: row.ref, promoter: promoterOf(row), acceptsMembers: row.accepts_members } : null;
  }

  /**
   * The "also join the promoter's list" box of a signup (`joinPromoter`), as
   * the change the signup announces (PromoterListJoinRequested), or null when
   * it asks nothing or comes to nothing. It needs the guest's own details:
   * a member's one-button signup carries none (400, whatever the ref). A ref
   * that is no live promotion of this event by an organisation that takes
   * members is silently nothing, as for the attribution itself: the answer
   * never tells a good ref from a bad one.
   */
  async joinRequest(
    tx: Tx,
    eventId: string,
    dto: Pick<CreateSignupDto, 'joinPromoter' | 'joinNoticeVersion' | 'ref' | 'consent' | 'locale'>,
    person: { kind: 'guest'; name: string; email: string; phone: string | null } | { kind: 'member' },
  ): Promise<PromoterListJoinRequested | null> {
    if (!dto.joinPromoter) return null;
    if (person.kind !== 'guest') {
      throw badRequest('validation-failed', 'Joining the promoter’s list takes the details you give it: sign up as a guest (name, e-mail, consent), or use its membership form.', [
        { field: 'joinPromoter', message: 'joinPromoter needs a guest signup' },
      ]);
    }
    if (dto.ref === undefined) throw badRequest('validation-failed', 'joinPromoter goes with the ref of the promoter’s link.', [{ field: 'ref', message: 'ref is required with joinPromoter' }]);
    const r = normaliseRef(dto.ref);
    const row = r ? await this.repo.liveByRef(tx, eventId, r) : null;
    if (!row?.organisation_id || !row.accepts_members) return null;
    return new PromoterListJoinRequested(
      row.id,
      row.organisation_id,
      { name: person.name, email: person.email, phone: person.phone, locale: dto.locale ?? 'es' },
      dto.joinNoticeVersion ?? dto.consent?.noticeVersion ?? null,
    );
  }

  /** The event stopped being public (inside its update's transaction, under its lock): every live promotion of it ends, recorded under the host. */
  async endForEvent(tx: Tx, caller: Caller, event: Pick<Event, 'id' | 'hostOrganisationId' | 'coalitionId'>): Promise<void> {
    for (const r of await this.repo.endLive(tx, event.id)) {
      await this.changes.publish(tx, caller, {
        action: 'event_promotion.end',
        entity: 'event_promotion',
        entityId: r.id,
        organisationId: event.hostOrganisationId,
        coalitionId: event.coalitionId,
        changes: { status: { from: 'active', to: 'ended' }, reason: { from: null, to: 'event-not-public' } },
      });
    }
  }
}
