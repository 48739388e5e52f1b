import { Inject, Injectable } from '@nestjs/common';
import ical, { escape, ICalEventStatus } from 'ical-generator';

import { AccessService } from '../../access/access.service';
import type { Caller } from '../../access/caller';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import type { CalendarQueryDto } from '../dto/event.dto';
import { EventsRepository } from '../events.repository';
import { EventsService } from '../events.service';
import { vtimezone, zonedDateTime } from './time-zones';

/** Past events kept in a feed (calendar apps keep what they already have anyway). */
const FEED_PAST_DAYS = 90;
const FEED_MAX_EVENTS = 1000;

/** What a calendar entry shows of an event. `address` etc. are already blanked when the reader may not see them. */
interface CalendarEntry {
  id: string;
  title: string;
  description: string | null;
  status: string;
  startsAt: Date;
  endsAt: Date;
  timezone: string;
  venue: string | null;
  address: string | null;
  locality: string | null;
  region: string | null;
  country: string;
  lat: number | null;
  lng: number | null;
  onlineUrl: string | null;
  revision: number;
  updatedAt: Date;
  createdAt: Date;
  /** In a feed, an event listed because the feed's organisation or coalition promotes it (issue 22): who, and the ref its link carries. */
  promotedBy?: string | null;
  promotionRef?: string | null;
}

/**
 * iCalendar (RFC 5545) feeds. Each event carries its own time zone: local
 * DTSTART/DTEND with TZID, and a VTIMEZONE built from the runtime's tz
 * database for the years the feed covers. DTSTAMP and friends stay in UTC.
 * A cancelled event stays in the feed as STATUS:CANCELLED, with its
 * SEQUENCE bumped, so calendar apps strike it out instead of keeping it.
 */
@Injectable()
export class CalendarService {
  constructor(
    private readonly repo: EventsRepository,
    private readonly access: AccessService,
    private readonly events: EventsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** One event, as the caller sees it (anonymous callers: public, published events; address per addressVisibility). */
  async eventFeed(caller: Caller, id: string): Promise<string> {
    const view = await this.events.get(caller, id);
    return this.render(`${view.title}`, [{ ...view, revision: view.revision }]);
  }

  /**
   * Published public events (cancelled ones included, as cancelled) of an
   * organisation (and its sub-organisations), a coalition or a campaign —
   * with those the organisation or coalition promotes, marked "Difundido
   * por" and linked with its ref (issue 22).
   */
  async publicFeed(q: CalendarQueryDto): Promise<string> {
    let name = 'Convoca';
    let organisationIds: string[] | undefined;
    let coalitionId: string | null | undefined;
    if (q.organisation) {
      const org = await this.repo.findByIdOrSlug('organisations', q.organisation);
      organisationIds = org ? await this.access.descendants([org.id]) : [];
      if (org) name = org.name;
    }
    if (q.coalition) {
      const c = await this.repo.findByIdOrSlug('coalitions', q.coalition);
      coalitionId = c?.id ?? null;
      if (c) name = c.name;
    }
    if (q.campaign) {
      const title = await this.repo.openCampaignTitle(q.campaign);
      if (title) name = title;
    }
    const rows = await this.repo.feed({ pastDays: FEED_PAST_DAYS, max: FEED_MAX_EVENTS, organisationIds, coalitionId, campaignId: q.campaign });
    return this.render(
      name,
      rows.map((r) => {
        // A public feed has no attendees: an attendees-only location stays out.
        const shown = r.address_visibility === 'public';
        return {
          ...r,
          startsAt: r.starts_at,
          endsAt: r.ends_at,
          address: shown ? r.address : null,
          lat: shown ? r.lat : null,
          lng: shown ? r.lng : null,
          onlineUrl: shown ? r.online_url : null,
          updatedAt: r.updated_at,
          createdAt: r.created_at,
          promotedBy: r.promoted_by,
          promotionRef: r.promotion_ref,
        };
      }),
    );
  }

  private render(name: string, entries: CalendarEntry[]): string {
    const years = entries.flatMap((e) => [e.startsAt.getUTCFullYear(), e.endsAt.getUTCFullYear()]);
    const fromYear = Math.min(...years, new Date().getUTCFullYear());
    const toYear = Math.max(...years, new Date().getUTCFullYear());
    const calendar = ical({
      // ical-generator writes NAME / X-WR-CALNAME unescaped: escape commas and semicolons here.
      name: escape(name, false),
      prodId: { company: 'Convoca', product: 'Convoca', language: 'ES' },
      // No calendar-wide zone (so DTSTAMP stays UTC); each event names its own,
      // and this generator adds one VTIMEZONE per zone used.
      timezone: { name: null, generator: (tz) => vtimezone(tz, fromYear, toYear) },
    });
    for (const e of entries) {
      // A promoted event links with the promoter's ref, so that signups from the feed count as its referrals.
      const url = `${this.config.publicUrl}/e/${e.id}${e.promotionRef ? `?ref=${e.promotionRef}` : ''}`;
      const place = [e.venue, e.address, e.locality, e.region, e.country].filter((x): x is string => !!x).join(', ');
      // The feed has no reader's language: the mark is in Spanish, the platform's, and English.
      const promoted = e.promotedBy ? `Difundido por ${e.promotedBy} · Promoted by ${e.promotedBy}` : '';
      calendar.createEvent({
        id: `${e.id}@convoca`,
        sequence: e.revision + (e.status === 'cancelled' ? 1 : 0),
        summary: e.title,
        description: [promoted, e.description ?? '', e.onlineUrl ? `Online: ${e.onlineUrl}` : '', url].filter(Boolean).join('\n\n'),
        start: zonedDateTime(e.startsAt, e.timezone),
        end: zonedDateTime(e.endsAt, e.timezone),
        timezone: e.timezone,
        stamp: e.updatedAt,
        created: e.createdAt,
        lastModified: e.updatedAt,
        url,
        status: e.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
        location: place ? (e.lat !== null && e.lng !== null ? { title: place, geo: { lat: e.lat, lon: e.lng } } : place) : null,
      });
    }
    // RFC 5545 ends every content line with CRLF, the last one too (ical-generator omits that one).
    const text = calendar.toString();
    return text.endsWith('\r\n') ? text : `${text}\r\n`;
  }
}
