import type { VNode } from 'preact';

import type { Organisation } from '../../organisations/organisation.entity';
import { ConsentFields, ErrorSummary, Field, FormBasics, Layout } from '../layout';
import type { PageContext } from '../page-context';
import { pageHref } from './lists';

/** The privacy notice the membership form shows; its version is stored with each applicant's consent. */
export const JOIN_NOTICE_VERSION = '2026-12';

export interface JoinFormState {
  values: Record<string, string>;
  errors: Record<string, string>;
}

/** The membership application form: the same fields and consent as `POST /organisations/{id}/applications`. */
export function JoinPage({ page, org, form }: { page: PageContext; org: Pick<Organisation, 'slug' | 'name'>; form?: JoinFormState }): VNode {
  const { t } = page;
  const values = form?.values ?? {};
  const errors = form?.errors ?? {};
  const title = t.t('join.title', { name: org.name });
  return (
    <Layout page={page} title={title}>
      <p>
        <a href={pageHref(page, `/o/${org.slug}`)}>{org.name}</a>
      </p>
      <h1>{title}</h1>
      <p>{t.t('join.intro', { name: org.name })}</p>
      <form class="card" method="post" action={`/o/${org.slug}/join`} aria-labelledby="join-h" novalidate>
        <h2 id="join-h">{t.t('join.heading')}</h2>
        <ErrorSummary page={page} errors={errors} />
        {errors.form && <p class="error">{errors.form}</p>}
        <FormBasics page={page} />
        <Field page={page} name="givenName" label={t.t('join.givenName')} value={values.givenName} error={errors.givenName} required autocomplete="given-name" maxLength={100} />
        <Field page={page} name="familyName" label={t.t('join.familyName')} value={values.familyName} error={errors.familyName} required autocomplete="family-name" maxLength={100} />
        <Field page={page} name="email" type="email" label={t.t('join.email')} value={values.email} error={errors.email} required autocomplete="email" maxLength={254} />
        <Field page={page} name="phone" type="tel" label={t.t('join.phone')} value={values.phone} error={errors.phone} hint={t.t('join.phoneHint')} autocomplete="tel" maxLength={20} />
        <Field page={page} name="region" label={t.t('join.region')} value={values.region} error={errors.region} autocomplete="address-level1" maxLength={100} />
        <Field page={page} name="locality" label={t.t('join.locality')} value={values.locality} error={errors.locality} autocomplete="address-level2" maxLength={100} />
        <ConsentFields
          page={page}
          noticeLink={t.t('join.noticeLink', { version: JOIN_NOTICE_VERSION })}
          notice={t.t('join.notice', { name: org.name })}
          noticeVersion={JOIN_NOTICE_VERSION}
          consentLabel={t.t('join.consent', { name: org.name, version: JOIN_NOTICE_VERSION })}
          contactLabel={t.t('join.contactByEmail', { name: org.name })}
          values={values}
          error={errors.consent}
        />
        <button type="submit">{t.t('join.submit')}</button>
      </form>
    </Layout>
  );
}

/** After the form: the same answer whether the address was new, known, or already a member's. */
export function JoinReceivedPage({ page, org }: { page: PageContext; org: Pick<Organisation, 'slug' | 'name'> }): VNode {
  const { t } = page;
  const title = t.t('join.receivedTitle');
  return (
    <Layout page={page} title={title}>
      <h1>{title}</h1>
      <div class="alert ok" role="status" data-status="received">
        <p>{t.t('join.received', { name: org.name })}</p>
      </div>
      <p>
        <a href={pageHref(page, `/o/${org.slug}`)}>{t.t('join.back', { name: org.name })}</a>
      </p>
    </Layout>
  );
}
