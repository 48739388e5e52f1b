import type { VNode } from 'preact';

import type { Coalition } from '../../coalitions/coalition.entity';
import type { PartnerView } from '../../coalitions/coalition.views';
import type { Page as ListPage } from '../../common/pagination';
import type { DemandDetailView } from '../../demands/demand.views';
import type { EventListItem } from '../../events/events.views';
import { Layout, shareTags } from '../layout';
import type { PageContext } from '../page-context';
import { EventList, pageHref } from './lists';

export interface CoalitionPageProps {
  page: PageContext;
  coalition: Coalition;
  /** Its active partners. */
  partners: PartnerView[];
  /** Its adopted demands, in order, with their endorsers. */
  platform: DemandDetailView[];
  events: ListPage<EventListItem>;
  url: string;
}

/** A coalition's public page: who is in it, what it demands (and who backs each demand), and what it calls. */
export function CoalitionPage({ page, coalition: c, partners, platform, events, url }: CoalitionPageProps): VNode {
  const { t } = page;
  const list = new Intl.ListFormat(t.locale, { type: 'conjunction' });
  const head = shareTags({ title: c.name, description: c.description ?? c.name, url });
  return (
    <Layout page={page} title={c.name} head={head}>
      <p class="kind">{t.t('coalition.label')}</p>
      <h1>{c.name}</h1>
      {c.status !== 'active' && <div class="alert">{t.t('coalition.status', { status: c.status })}</div>}
      {c.description?.split(/\n{2,}/).map((para, i) => (
        <p key={i}>{para}</p>
      ))}
      {c.foundedOn && (
        <p class="muted">{t.t('coalition.foundedOn', { date: new Intl.DateTimeFormat(t.locale, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${c.foundedOn}T00:00:00Z`)) })}</p>
      )}
      <section aria-labelledby="partners-h">
        <h2 id="partners-h">{t.t('coalition.partners')}</h2>
        {partners.length ? (
          <ul class="partners">
            {partners.map((p) => (
              <li key={p.organisationId}>
                <a href={pageHref(page, `/o/${p.organisation.slug}`)}>{p.organisation.name}</a>
                {p.role !== 'member' && <span class="muted"> · {t.t('coalition.role', { role: p.role })}</span>}
              </li>
            ))}
          </ul>
        ) : (
          <p>{t.t('coalition.noPartners')}</p>
        )}
      </section>
      <section aria-labelledby="platform-h">
        <h2 id="platform-h">{t.t('coalition.platform')}</h2>
        {platform.length ? (
          <ol class="platform">
            {platform.map((d) => (
              <li key={d.id} id={`demand-${d.code}`}>
                <strong>{d.title}</strong>
                {d.body && d.body.split(/\n{2,}/).map((para, i) => <p key={i}>{para}</p>)}
                <p class="muted">
                  {d.endorsements.length
                    ? t.t('coalition.endorsedBy', { names: list.format(d.endorsements.map((e) => e.organisation.name)), count: d.endorsements.length })
                    : t.t('coalition.noEndorsers')}
                </p>
              </li>
            ))}
          </ol>
        ) : (
          <p>{t.t('coalition.noPlatform')}</p>
        )}
      </section>
      <section aria-labelledby="events-h">
        <h2 id="events-h">{t.t('coalition.events')}</h2>
        {events.items.length ? <EventList page={page} events={events.items} /> : <p>{t.t('coalition.noEvents')}</p>}
        {events.nextCursor && (
          <p>
            <a href={pageHref(page, `/c/${c.slug}`, { cursor: events.nextCursor })} rel="next">
              {t.t('coalition.more')}
            </a>
          </p>
        )}
      </section>
    </Layout>
  );
}
