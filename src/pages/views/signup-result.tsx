import type { VNode } from 'preact';

import type { CheckInCodeView, EventView } from '../../events/events.views';
import { FormBasics, Layout } from '../layout';
import type { PageContext } from '../page-context';
import { CheckInCode } from './check-in-code';

/** After the form: going or waitlisted, and (for a guest) the link to manage the signup, also in the e-mail. */
export function SignupResultPage({ page, event, status, manageToken }: { page: PageContext; event: EventView; status: 'going' | 'waitlisted'; manageToken?: string }): VNode {
  const { t } = page;
  const title = status === 'going' ? t.t('signup.goingTitle') : t.t('signup.waitlistedTitle');
  return (
    <Layout page={page} title={title}>
      <h1>{title}</h1>
      <div class={status === 'going' ? 'alert ok' : 'alert warn'} role="status" data-status={status}>
        <p>{t.t(status === 'going' ? 'signup.going' : 'signup.waitlisted')}</p>
      </div>
      <p>
        <a href={t.href(`/e/${event.id}`)}>{event.title}</a>
        <br />
        {t.date(new Date(event.startsAt), event.timezone)}
      </p>
      <p class="actions">{manageToken ? <a href={t.href(`/signups/manage/${manageToken}`)}>{t.t('signup.manageLink')}</a> : <a href={t.href('/account/signups')}>{t.t('signup.manageMine')}</a>}</p>
    </Layout>
  );
}

export interface ManagePageProps {
  page: PageContext;
  token: string;
  event: EventView;
  status: string;
  /** The check-in code, while the signup may still come to the door (null once cancelled). */
  checkIn?: CheckInCodeView | null;
  justCancelled?: boolean;
}

/** A guest's signup, opened from the e-mailed link: looking never changes anything; cancelling is a button. */
export function ManagePage({ page, token, event, status, checkIn, justCancelled }: ManagePageProps): VNode {
  const { t } = page;
  const live = status === 'going' || status === 'waitlisted';
  return (
    <Layout page={page} title={t.t('manage.title')}>
      <h1>{t.t('manage.title')}</h1>
      {justCancelled && (
        <div class="alert ok" role="status">
          {t.t('manage.cancelled')}
        </div>
      )}
      <p>
        <a href={t.href(`/e/${event.id}`)}>{event.title}</a>
        <br />
        {t.date(new Date(event.startsAt), event.timezone)} · {t.timeRange(new Date(event.startsAt), new Date(event.endsAt), event.timezone)}
      </p>
      <p>
        <span class="badge" data-status={status}>
          {t.t('manage.status', { status })}
        </span>
      </p>
      {status === 'going' && checkIn && <CheckInCode page={page} checkIn={checkIn} id="checkin" />}
      {status === 'waitlisted' && <p class="muted">{t.t('checkin.codeLater')}</p>}
      {live && (
        <form class="card" method="post" action={`/signups/manage/${token}/cancel`}>
          <FormBasics page={page} />
          <p>{t.t('manage.cancelHelp')}</p>
          <button type="submit" class="secondary">
            {t.t('manage.cancel')}
          </button>
        </form>
      )}
    </Layout>
  );
}
