import type { VNode } from 'preact';

import type { OwnSignupView } from '../../events/events.views';
import { CANCELLABLE } from '../../events/signup-workflow';
import { FormBasics, Layout } from '../layout';
import type { PageContext } from '../page-context';
import { CheckInCode } from './check-in-code';

export interface MySignupsProps {
  page: PageContext;
  signups: OwnSignupView[];
  /** The next page's `?cursor=`, when there is one. */
  nextCursor: string | null;
  /** The login holds no member record: signups made as a guest live behind their e-mailed links. */
  noMember: boolean;
  /** Just cancelled: the event's title. */
  cancelled?: string;
  formError?: string;
}

/** A signup the person can still cancel: a live one, of an event that has not been called off or ended. */
export const cancellable = (s: OwnSignupView) => CANCELLABLE.includes(s.status) && s.event.status === 'published';

/** "My signups": the signups of every member record of the login, newest first, each live one with its cancel button. */
export function MySignupsPage({ page, signups, nextCursor, noMember, cancelled, formError }: MySignupsProps): VNode {
  const { t } = page;
  const title = t.t('account.signupsTitle');
  return (
    <Layout page={page} title={title}>
      <h1>{title}</h1>
      {cancelled && (
        <div class="alert ok" role="status">
          <p>{t.t('account.signupCancelled', { title: cancelled })}</p>
        </div>
      )}
      {formError && (
        <div class="alert error" role="alert">
          <p>{formError}</p>
        </div>
      )}
      {signups.length === 0 ? (
        <p>{noMember ? t.t('account.signupsNoMember') : t.t('account.signupsEmpty')}</p>
      ) : (
        <ul class="plain">
          {signups.map((s) => {
            const starts = new Date(s.event.startsAt);
            const titleId = `signup-${s.id}`;
            return (
              <li key={s.id} data-signup={s.id}>
                <h2 id={titleId}>
                  <a href={t.href(`/e/${s.event.id}`)}>{s.event.title}</a>
                </h2>
                <p>
                  {t.date(starts, s.event.timezone)} · {t.timeRange(starts, new Date(s.event.endsAt), s.event.timezone)}
                  {s.shiftName && (
                    <>
                      <br />
                      {t.t('account.shift', { name: s.shiftName })}
                    </>
                  )}
                </p>
                <p>
                  <span class="badge" data-status={s.status}>
                    {t.t('manage.status', { status: s.status })}
                  </span>
                  {s.event.status === 'cancelled' && <> · {t.t('event.cancelled')}</>}
                </p>
                {s.status === 'going' && s.event.status === 'published' && s.checkIn && <CheckInCode page={page} checkIn={s.checkIn} id={`code-${s.id}`} />}
                {cancellable(s) && (
                  <form method="post" action={`/account/signups/${s.id}/cancel`}>
                    <FormBasics page={page} />
                    <button type="submit" class="secondary" aria-describedby={titleId}>
                      {t.t('account.cancelSignup')}
                    </button>
                  </form>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {nextCursor && (
        <p>
          <a href={t.href(`/account/signups?cursor=${encodeURIComponent(nextCursor)}`)}>{t.t('account.more')}</a>
        </p>
      )}
    </Layout>
  );
}
