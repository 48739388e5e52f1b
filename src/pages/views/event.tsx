import type { VNode } from 'preact';

import type { EventView, ShiftView } from '../../events/events.views';
import type { PromoterRef } from '../../events/promotions.views';
import { dateTimeFormat } from '../i18n';
import { ConsentFields, ErrorSummary, Field, FormBasics, Layout, scriptJson, shareTags } from '../layout';
import type { PageContext } from '../page-context';

/** The privacy notice the signup form shows; its version is stored with each guest's consent. */
export const SIGNUP_NOTICE_VERSION = '2026-12';

export interface SignupFormState {
  values: Record<string, string>;
  errors: Record<string, string>;
}

export interface EventPageProps {
  page: PageContext;
  event: EventView;
  shifts: ShiftView[];
  /** The page's own address (absolute), for Open Graph and JSON-LD. */
  url: string;
  /** The public base address (absolute), for the calendar file and the organiser's page. */
  base: string;
  form?: SignupFormState;
  /** The page was reached through a promoter's link whose ref names a live promotion of this event (issue 22). */
  referral?: SignupReferral | null;
  /** The link's `utm_*` values, carried by the form as they came (cut to their longest). */
  utm?: Record<string, string>;
}

/** A promoter's link, as the page shows it: who promotes, and the ref the form carries. */
export interface SignupReferral {
  ref: string;
  promoter: PromoterRef;
  /** The promoter is an organisation that takes members: the form offers to join its list too. */
  offersJoin: boolean;
  /** The version of the promoter's privacy notice (its join form's) the box names. */
  noticeVersion: string;
}

/** What the form carries of the link it was reached by: the ref (only one that names a live promotion) and the utm values. */
function AttributionFields({ referral, utm }: { referral?: SignupReferral | null; utm?: Record<string, string> }): VNode {
  return (
    <>
      {referral && <input type="hidden" name="ref" value={referral.ref} />}
      {Object.entries(utm ?? {}).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
    </>
  );
}

/** The promoter's page: an organisation's or a coalition's. */
const promoterPath = (p: PromoterRef) => (p.kind === 'organisation' ? `/o/${p.slug}` : `/c/${p.slug}`);

const hostNames = (e: EventView) => [e.hostOrganisation?.name, ...e.coHosts.map((c) => c.name), e.coalition?.name].filter((n): n is string => !!n);

/** Where the event is, as far as this reader may know. */
function placeLine(e: EventView): string {
  return [e.venue, e.locationHidden ? null : e.address, e.locality, e.region].filter((p): p is string => !!p).join(', ');
}

/** A link out to OpenStreetMap (no embedded map: nothing loads from another host). The exact point only when the address is shown. */
export function mapLink(e: EventView): string | null {
  if (!e.locationHidden && e.lat !== null && e.lng !== null) {
    return `https://www.openstreetmap.org/?mlat=${e.lat}&mlon=${e.lng}#map=17/${e.lat}/${e.lng}`;
  }
  const query = [e.locationHidden ? null : e.address, e.locality, e.region, e.country].filter((p): p is string => !!p).join(', ');
  return e.locality || (!e.locationHidden && e.address) ? `https://www.openstreetmap.org/search?query=${encodeURIComponent(query)}` : null;
}

const googleDate = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/** A Google Calendar "add event" link: a link the reader follows, nothing loaded. */
export function googleCalendarLink(e: EventView, url: string): string {
  const params = new URLSearchParams({ action: 'TEMPLATE', text: e.title, dates: `${googleDate(new Date(e.startsAt))}/${googleDate(new Date(e.endsAt))}`, details: url, location: placeLine(e) });
  return `https://calendar.google.com/calendar/render?${params.toString()}`;
}

/** The start with its offset in the event's time zone (`2026-12-12T18:00:00-05:00`), as schema.org wants. */
export function isoWithOffset(at: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    dateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const local = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  const offset = Math.round((local - Math.floor(at.getTime() / 1000) * 1000) / 60000);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${sign}${hh}:${mm}`;
}

const SCHEMA_STATUS: Record<string, string> = {
  published: 'https://schema.org/EventScheduled',
  completed: 'https://schema.org/EventScheduled',
  cancelled: 'https://schema.org/EventCancelled',
};

/** schema.org `Event`: what a search engine or a messaging app reads off the page. */
export function eventJsonLd(e: EventView, url: string, base: string): Record<string, unknown> {
  const online = !!e.onlineUrl && !e.venue && !e.address;
  const place = {
    '@type': 'Place',
    name: e.venue ?? e.locality ?? e.region ?? e.country,
    address: {
      '@type': 'PostalAddress',
      streetAddress: e.locationHidden ? undefined : (e.address ?? undefined),
      addressLocality: e.locality ?? undefined,
      addressRegion: e.region ?? undefined,
      addressCountry: e.country,
    },
    ...(!e.locationHidden && e.lat !== null && e.lng !== null ? { geo: { '@type': 'GeoCoordinates', latitude: e.lat, longitude: e.lng } } : {}),
  };
  const organizers = [e.hostOrganisation, ...e.coHosts].filter((o): o is NonNullable<typeof o> => !!o).map((o) => ({ '@type': 'Organization', name: o.name, url: `${base}/o/${o.slug}` }));
  if (e.coalition) organizers.push({ '@type': 'Organization', name: e.coalition.name, url: `${base}/c/${e.coalition.slug}` });
  return {
    '@context': 'https://schema.org',
    '@type': 'Event',
    name: e.title,
    url,
    description: e.description ?? undefined,
    startDate: isoWithOffset(new Date(e.startsAt), e.timezone),
    endDate: isoWithOffset(new Date(e.endsAt), e.timezone),
    eventStatus: SCHEMA_STATUS[e.status] ?? 'https://schema.org/EventScheduled',
    eventAttendanceMode: online ? 'https://schema.org/OnlineEventAttendanceMode' : 'https://schema.org/OfflineEventAttendanceMode',
    location: online ? { '@type': 'VirtualLocation', url } : place,
    organizer: organizers.length === 1 ? organizers[0] : organizers,
    isAccessibleForFree: true,
  };
}

/** JSON inside `<script>`: `<` escaped, so no text in it can close the element. */
function SignupForm({
  page,
  event,
  shifts,
  form,
  referral,
  utm,
}: {
  page: PageContext;
  event: EventView;
  shifts: ShiftView[];
  form?: SignupFormState;
  referral?: SignupReferral | null;
  utm?: Record<string, string>;
}): VNode {
  const { t } = page;
  const values = form?.values ?? {};
  const errors = form?.errors ?? {};
  const hosts = t.list(hostNames(event));
  const mine = event.viewer.signups.filter((s) => s.status === 'going' || s.status === 'waitlisted' || s.status === 'attended');
  if (mine.length && !shifts.length) {
    return (
      <section class="card" aria-labelledby="signup-h">
        <h2 id="signup-h">{t.t('signup.heading')}</h2>
        <p>{t.t('signup.already', { status: mine[0].status })}</p>
        <a href={t.href('/account/signups')}>{t.t('signup.manageMine')}</a>
      </section>
    );
  }
  const shiftChoice = shifts.length > 0 && (
    <fieldset>
      <legend>{t.t('signup.shift')}</legend>
      <div class="check">
        <input type="radio" id="shift-none" name="shiftId" value="" checked={!values.shiftId} />
        <label for="shift-none">{t.t('signup.noShift')}</label>
      </div>
      {shifts.map((s) => (
        <div class="check" key={s.id}>
          <input type="radio" id={`shift-${s.id}`} name="shiftId" value={s.id} checked={values.shiftId === s.id} />
          <label for={`shift-${s.id}`}>
            {s.name} · {t.timeRange(new Date(s.startsAt), new Date(s.endsAt), event.timezone)} · {s.spotsLeft === null ? t.t('event.unlimited') : t.t('event.spotsLeft', { count: s.spotsLeft })}
          </label>
        </div>
      ))}
      {errors.shiftId && <p class="error">{errors.shiftId}</p>}
    </fieldset>
  );
  if (page.user) {
    return (
      <form class="card" method="post" action={`/e/${event.id}${page.embed ? '?embed=1' : ''}`} target="_self" aria-labelledby="signup-h">
        <h2 id="signup-h">{t.t('signup.heading')}</h2>
        <ErrorSummary page={page} errors={errors} />
        {errors.form && <p class="error">{errors.form}</p>}
        <FormBasics page={page} />
        <AttributionFields referral={referral} utm={utm} />
        {shiftChoice}
        <button type="submit">{t.t('signup.memberSubmit', { name: page.user.email })}</button>
      </form>
    );
  }
  return (
    <form class="card" method="post" action={`/e/${event.id}${page.embed ? '?embed=1' : ''}`} target="_self" aria-labelledby="signup-h" novalidate>
      <h2 id="signup-h">{t.t('signup.heading')}</h2>
      <ErrorSummary page={page} errors={errors} />
      {errors.form && <p class="error">{errors.form}</p>}
      <FormBasics page={page} />
      <AttributionFields referral={referral} utm={utm} />
      <Field page={page} name="name" label={t.t('signup.name')} value={values.name} error={errors.name} required autocomplete="name" maxLength={200} />
      <Field page={page} name="email" type="email" label={t.t('signup.email')} value={values.email} error={errors.email} required autocomplete="email" maxLength={254} />
      <Field page={page} name="phone" type="tel" label={t.t('signup.phone')} value={values.phone} error={errors.phone} hint={t.t('signup.phoneHint')} autocomplete="tel" maxLength={24} />
      {/* Texts to that number, each channel its own unticked box (issue 24). */}
      <div class="check">
        <input type="checkbox" id="f-contactByWhatsapp" name="contactByWhatsapp" value="yes" checked={values.contactByWhatsapp === 'yes'} />
        <label for="f-contactByWhatsapp">{t.t('signup.contactByWhatsapp')}</label>
      </div>
      <div class="check">
        <input type="checkbox" id="f-contactBySms" name="contactBySms" value="yes" checked={values.contactBySms === 'yes'} />
        <label for="f-contactBySms">{t.t('signup.contactBySms')}</label>
      </div>
      {shiftChoice}
      <ConsentFields
        page={page}
        noticeLink={t.t('signup.noticeLink', { version: SIGNUP_NOTICE_VERSION })}
        notice={t.t('signup.notice')}
        noticeVersion={SIGNUP_NOTICE_VERSION}
        consentLabel={t.t('signup.consent', { hosts })}
        contactLabel={t.t('signup.contactByEmail')}
        values={values}
        error={errors.consent}
      />
      {referral?.offersJoin && (
        // A box of its own, unticked: joining the promoter's list is a choice apart from the signup (issue 22).
        <div class="check">
          <input type="checkbox" id="f-joinPromoter" name="joinPromoter" value="yes" checked={values.joinPromoter === 'yes'} aria-describedby="f-joinPromoter-hint" />
          <label for="f-joinPromoter">{t.t('signup.joinPromoter', { name: referral.promoter.name })}</label>
          <p class="hint" id="f-joinPromoter-hint">
            {t.t('signup.joinPromoterHint', { name: referral.promoter.name, version: referral.noticeVersion })}
          </p>
          <input type="hidden" name="joinNoticeVersion" value={referral.noticeVersion} />
        </div>
      )}
      <button type="submit">{t.t('signup.submit')}</button>
      <p class="muted">
        <a href={t.href(`/account/login?next=${encodeURIComponent(`/e/${event.id}`)}`)}>{t.t('signup.loginHint')}</a>
      </p>
    </form>
  );
}

export function EventPage({ page, event: e, shifts, url, base, form, referral, utm }: EventPageProps): VNode {
  const { t } = page;
  const starts = new Date(e.startsAt);
  const ends = new Date(e.endsAt);
  const place = placeLine(e);
  const map = mapLink(e);
  const description = e.description ?? t.t('event.kind', { kind: e.kind });
  const head = [
    ...shareTags({ title: e.title, description, url, summary: `${t.date(starts, e.timezone)} · ${place || t.t('event.online')}` }),
    <meta key="ol" property="og:locale" content={t.locale === 'es' ? 'es_PE' : 'en_GB'} />,
    <script key="ld" type="application/ld+json" dangerouslySetInnerHTML={{ __html: scriptJson(eventJsonLd(e, url, base)) }} />,
  ];
  const open = e.signupsOpen;
  return (
    <Layout page={page} title={e.title} head={head}>
      <article>
        <p class="kind">{t.t('event.kind', { kind: e.kind })}</p>
        <h1>{e.title}</h1>
        {e.status === 'cancelled' && (
          <div class="alert error" role="status">
            <p>{t.t('event.cancelled')}</p>
            {e.cancelReason && <p>{t.t('event.cancelReason', { reason: e.cancelReason })}</p>}
          </div>
        )}
        {e.status === 'completed' && <div class="alert">{t.t('event.completed')}</div>}
        <dl class="facts">
          {(e.hostOrganisation || e.coalition) && (
            <>
              <dt>{t.t('event.hostedBy')}</dt>
              <dd>
                {e.hostOrganisation && <a href={t.href(`/o/${e.hostOrganisation.slug}`)}>{e.hostOrganisation.name}</a>}
                {e.coalition && <a href={t.href(`/c/${e.coalition.slug}`)}>{e.coalition.name}</a>}
                {e.coHosts.length > 0 && (
                  <>
                    {' '}
                    {t.t('event.coHosts')}{' '}
                    {e.coHosts.map((c, i) => (
                      <span key={c.id}>
                        {i > 0 && ', '}
                        <a href={t.href(`/o/${c.slug}`)}>{c.name}</a>
                      </span>
                    ))}
                  </>
                )}
              </dd>
            </>
          )}
          {referral && (
            <>
              <dt>{t.t('event.promotedBy')}</dt>
              <dd>
                <a href={t.href(promoterPath(referral.promoter))}>{referral.promoter.name}</a>
              </dd>
            </>
          )}
          <dt>{t.t('event.when')}</dt>
          <dd>
            <time dateTime={isoWithOffset(starts, e.timezone)}>{t.date(starts, e.timezone)}</time>
            <br />
            {t.timeRange(starts, ends, e.timezone)}
          </dd>
          {(place || e.onlineUrl || e.locationHidden) && (
            <>
              <dt>{t.t('event.where')}</dt>
              <dd>
                {place && <span>{place}</span>}
                {e.locationHidden && <p class="muted">{t.t('event.addressHidden')}</p>}
                {map && (
                  <p>
                    <a href={map} rel="noopener noreferrer">
                      {t.t('event.map')}
                    </a>
                  </p>
                )}
                {e.onlineUrl && !e.locationHidden && (
                  <p>
                    <a href={e.onlineUrl} rel="noopener noreferrer">
                      {t.t('event.onlineLink')}
                    </a>
                  </p>
                )}
              </dd>
            </>
          )}
          <dt>{t.t('event.places')}</dt>
          <dd>
            {e.spotsLeft === null ? t.t('event.unlimited') : t.t('event.spotsLeft', { count: e.spotsLeft })}
            {!open && e.status === 'published' && <p>{t.t('event.closed')}</p>}
          </dd>
        </dl>
        {e.description && (
          <>
            <h2>{t.t('event.about')}</h2>
            {e.description.split(/\n{2,}/).map((para, i) => (
              <p key={i}>{para}</p>
            ))}
          </>
        )}
        {e.demands.length > 0 && (
          <>
            <h2>{t.t('event.demands')}</h2>
            <ul>
              {e.demands.map((d) => (
                <li key={d.id}>{d.title}</li>
              ))}
            </ul>
          </>
        )}
        {shifts.length > 0 && (
          <>
            <h2>{t.t('event.shifts')}</h2>
            <ul class="plain">
              {shifts.map((s) => (
                <li key={s.id}>
                  <strong>{s.name}</strong> · {t.timeRange(new Date(s.startsAt), new Date(s.endsAt), e.timezone)}
                  <br />
                  <span class="badge">{s.spotsLeft === null ? t.t('event.unlimited') : t.t('event.spotsLeft', { count: s.spotsLeft })}</span>
                </li>
              ))}
            </ul>
          </>
        )}
        <h2>{t.t('event.addToCalendar')}</h2>
        <p class="actions">
          <a href={`/api/v1/events/${e.id}/calendar.ics`}>{t.t('event.ics')}</a>
          <a href={googleCalendarLink(e, url)} rel="noopener noreferrer">
            {t.t('event.google')}
          </a>
        </p>
      </article>
      {open && <SignupForm page={page} event={e} shifts={shifts} form={form} referral={referral} utm={utm} />}
    </Layout>
  );
}
