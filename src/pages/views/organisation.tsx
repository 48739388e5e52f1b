import type { VNode } from 'preact';

import type { Page as ListPage } from '../../common/pagination';
import type { EventKind } from '../../events/event.entity';
import type { EventListItem } from '../../events/events.views';
import type { Organisation } from '../../organisations/organisation.entity';
import { ErrorSummary, Layout, shareTags } from '../layout';
import type { PageContext } from '../page-context';
import { ChoiceField, EventList, NumberField, outOfFrame, pageHref } from './lists';

/** The kinds a reader may filter by, in the order offered: every kind (a kind missing here does not compile). */
const KIND_CHOICES: Record<EventKind, true> = { march: true, rally: true, assembly: true, strike: true, canvass: true, meeting: true, training: true, vigil: true, online_call: true };
const EVENT_KINDS = Object.keys(KIND_CHOICES) as EventKind[];

/** The filters as the reader typed them (strings), for the form and the links. */
export interface OrganisationFilters {
  region?: string;
  kind?: string;
  lat?: string;
  lng?: string;
  radiusKm?: string;
}

export interface OrganisationPageProps {
  page: PageContext;
  org: Organisation;
  parent: Pick<Organisation, 'slug' | 'name'> | null;
  children: Pick<Organisation, 'id' | 'slug' | 'name'>[];
  /** Null when the filters were refused (errors). */
  events: ListPage<EventListItem> | null;
  regions: string[];
  filters: OrganisationFilters;
  /** The query the next page keeps (the filters as the list took them). */
  listQuery: Record<string, string | undefined>;
  errors: Record<string, string>;
  acceptsMembers: boolean;
  /** The page's own absolute address (canonical, Open Graph). */
  url: string;
}

function Filters({ page, org, regions, filters, errors }: Pick<OrganisationPageProps, 'page' | 'org' | 'regions' | 'filters' | 'errors'>): VNode {
  const { t } = page;
  const regionChoices = filters.region && !regions.includes(filters.region) ? [...regions, filters.region].sort() : regions;
  const nearError = errors.near ?? errors.radiusKm;
  const described = ['near-hint', nearError ? 'near-error' : null].filter(Boolean).join(' ');
  return (
    <form method="get" action={`/o/${org.slug}`} role="search" aria-labelledby="filters-h">
      <h3 id="filters-h" class="kind">
        {t.t('organisation.filters')}
      </h3>
      {t.explicit && <input type="hidden" name="lang" value={t.locale} />}
      {page.embed && <input type="hidden" name="embed" value="1" />}
      <div class="filters">
        <ChoiceField
          page={page}
          name="region"
          label={t.t('organisation.region')}
          value={filters.region}
          error={errors.region}
          options={[['', t.t('organisation.anyRegion')], ...regionChoices.map((r): [string, string] => [r, r])]}
        />
        <ChoiceField
          page={page}
          name="kind"
          label={t.t('organisation.eventKind')}
          value={filters.kind}
          error={errors.kind}
          options={[['', t.t('organisation.anyKind')], ...EVENT_KINDS.map((k): [string, string] => [k, t.t('event.kind', { kind: k })])]}
        />
      </div>
      <fieldset>
        <legend>{t.t('organisation.near')}</legend>
        <p class="hint" id="near-hint">
          {t.t('organisation.nearHint')}
        </p>
        {nearError && (
          <p class="error" id="near-error">
            {nearError}
          </p>
        )}
        <div class="filters">
          <NumberField name="lat" label={t.t('organisation.lat')} value={filters.lat} min={-90} max={90} describedBy={described} invalid={!!errors.near} />
          <NumberField name="lng" label={t.t('organisation.lng')} value={filters.lng} min={-180} max={180} describedBy={described} invalid={!!errors.near} />
          <NumberField name="radiusKm" label={t.t('organisation.radiusKm')} value={filters.radiusKm} min={0} max={500} describedBy={described} invalid={!!errors.radiusKm} />
        </div>
      </fieldset>
      <p class="actions">
        <button type="submit">{t.t('organisation.apply')}</button>
        <a href={pageHref(page, `/o/${org.slug}`)}>{t.t('organisation.clear')}</a>
      </p>
    </form>
  );
}

/** An organisation's public page: who it is, how to join, and its upcoming events and its sub-organisations'. */
export function OrganisationPage(props: OrganisationPageProps): VNode {
  const { page, org, parent, children, events, errors, acceptsMembers, listQuery, url } = props;
  const { t } = page;
  const filtered = Object.values(props.filters).some(Boolean);
  const head = shareTags({ title: org.name, description: org.description ?? org.name, url });
  return (
    <Layout page={page} title={org.name} head={head}>
      <p class="kind">{t.t('organisation.kind', { kind: org.kind })}</p>
      <h1>
        {org.name}
        {org.shortName && org.shortName !== org.name && <span class="muted"> ({org.shortName})</span>}
      </h1>
      {org.status !== 'active' && <div class="alert">{t.t('organisation.dissolved')}</div>}
      {parent && (
        <p>
          {t.t('organisation.partOf')}{' '}
          <a href={pageHref({ ...page, embed: false }, `/o/${parent.slug}`)} {...outOfFrame(page)}>
            {parent.name}
          </a>
        </p>
      )}
      {org.description?.split(/\n{2,}/).map((para, i) => (
        <p key={i}>{para}</p>
      ))}
      {(org.region || org.website || org.contactEmail) && (
        <dl class="facts">
          {org.region && (
            <>
              <dt>{t.t('organisation.region')}</dt>
              <dd>{org.region}</dd>
            </>
          )}
          {org.website && (
            <>
              <dt>{t.t('organisation.website')}</dt>
              <dd>
                <a href={org.website} rel="noopener noreferrer" target={page.embed ? '_blank' : undefined}>
                  {org.website.replace(/^https?:\/\//, '').replace(/\/$/, '')}
                </a>
              </dd>
            </>
          )}
          {org.contactEmail && (
            <>
              <dt>{t.t('organisation.contact')}</dt>
              <dd>
                <a href={`mailto:${org.contactEmail}`}>{org.contactEmail}</a>
              </dd>
            </>
          )}
        </dl>
      )}
      {acceptsMembers && (
        <p class="actions">
          <a class="button" href={pageHref({ ...page, embed: false }, `/o/${org.slug}/join`)} {...outOfFrame(page)}>
            {t.t('organisation.join')}
          </a>
        </p>
      )}
      <section aria-labelledby="events-h">
        <h2 id="events-h">{t.t('organisation.events')}</h2>
        <ErrorSummary page={page} errors={errors} />
        <Filters page={page} org={org} regions={props.regions} filters={props.filters} errors={errors} />
        {events && (events.items.length ? <EventList page={page} events={events.items} /> : <p>{t.t('organisation.noEvents', { filtered: filtered ? 'yes' : 'no' })}</p>)}
        {events?.nextCursor && (
          <p>
            <a href={pageHref(page, `/o/${org.slug}`, { ...listQuery, cursor: events.nextCursor })} rel="next">
              {t.t('organisation.more')}
            </a>
          </p>
        )}
      </section>
      {children.length > 0 && (
        <section aria-labelledby="children-h">
          <h2 id="children-h">{t.t('organisation.children')}</h2>
          <ul>
            {children.map((c) => (
              <li key={c.id}>
                <a href={pageHref({ ...page, embed: false }, `/o/${c.slug}`)} {...outOfFrame(page)}>
                  {c.name}
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
    </Layout>
  );
}
