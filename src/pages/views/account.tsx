import type { VNode } from 'preact';

import { PASSWORD_MIN_LENGTH } from '../../auth/passwords';
import { ErrorSummary, Field, FormBasics, Layout } from '../layout';
import type { PageContext } from '../page-context';

/** A form that came back: what was typed (never a password) and the errors, by field; `form` is one for the whole form. */
export interface AccountFormState {
  values: Record<string, string>;
  errors: Record<string, string>;
  formError?: string;
  /** The e-mailed link can no longer be used (unknown, expired, used, or no longer matching): no form, only what to do next. */
  dead?: boolean;
}

const EMPTY: AccountFormState = { values: {}, errors: {} };

/** An error about the whole form (wrong credentials, a used link): read out as soon as the page shows. */
function FormAlert({ message }: { message?: string }): VNode | null {
  if (!message) return null;
  return (
    <div class="alert error" role="alert">
      <p>{message}</p>
    </div>
  );
}

export function LoginPage({ page, next, form = EMPTY }: { page: PageContext; next?: string; form?: AccountFormState }): VNode {
  const { t } = page;
  const title = t.t('account.loginTitle');
  return (
    <Layout page={page} title={title}>
      <h1>{title}</h1>
      <FormAlert message={form.formError} />
      <form class="card" method="post" action="/account/login" novalidate>
        <ErrorSummary page={page} errors={form.errors} />
        <FormBasics page={page} />
        {next && <input type="hidden" name="next" value={next} />}
        <Field page={page} name="email" type="email" label={t.t('account.email')} value={form.values.email} error={form.errors.email} required autocomplete="username" maxLength={254} />
        <Field page={page} name="password" type="password" label={t.t('account.password')} error={form.errors.password} required autocomplete="current-password" maxLength={256} />
        <button type="submit">{t.t('account.loginSubmit')}</button>
      </form>
      <p>
        <a href={t.href('/account/forgot-password')}>{t.t('account.forgotLink')}</a>
      </p>
    </Layout>
  );
}

export function ForgotPasswordPage({ page, form = EMPTY, sent }: { page: PageContext; form?: AccountFormState; sent?: boolean }): VNode {
  const { t } = page;
  const title = sent ? t.t('account.forgotSentTitle') : t.t('account.forgotTitle');
  return (
    <Layout page={page} title={title}>
      <h1>{title}</h1>
      {sent ? (
        <div class="alert ok" role="status">
          <p>{t.t('account.forgotSent')}</p>
        </div>
      ) : (
        <>
          <p>{t.t('account.forgotHelp')}</p>
          <form class="card" method="post" action="/account/forgot-password" novalidate>
            <ErrorSummary page={page} errors={form.errors} />
            <FormBasics page={page} />
            <Field page={page} name="email" type="email" label={t.t('account.email')} value={form.values.email} error={form.errors.email} required autocomplete="email" maxLength={254} />
            <button type="submit">{t.t('account.forgotSubmit')}</button>
          </form>
        </>
      )}
      <p>
        <a href={t.href('/account/login')}>{t.t('account.backToLogin')}</a>
      </p>
    </Layout>
  );
}

export type SetPasswordKind = 'invitation' | 'reset';

/**
 * Following an e-mailed link: choose a password. Showing the page never uses
 * the link up (mail scanners open links); the button does.
 */
export function SetPasswordPage({ page, kind, token, form = EMPTY }: { page: PageContext; kind: SetPasswordKind; token: string; form?: AccountFormState }): VNode {
  const { t } = page;
  const invitation = kind === 'invitation';
  const title = invitation ? t.t('account.inviteTitle') : t.t('account.resetTitle');
  const action = invitation ? `/account/accept-invitation/${token}` : `/account/reset-password/${token}`;
  return (
    <Layout page={page} title={title}>
      <h1>{title}</h1>
      <FormAlert message={form.formError} />
      {form.dead ? (
        <p>{invitation ? t.t('account.newInvitation') : <a href={t.href('/account/forgot-password')}>{t.t('account.newResetLink')}</a>}</p>
      ) : (
        <SetPasswordForm page={page} invitation={invitation} action={action} form={form} />
      )}
    </Layout>
  );
}

function SetPasswordForm({ page, invitation, action, form }: { page: PageContext; invitation: boolean; action: string; form: AccountFormState }): VNode {
  const { t } = page;
  return (
    <>
      <p>{invitation ? t.t('account.inviteHelp') : t.t('account.resetHelp')}</p>
      {invitation && <p class="muted">{t.t('account.inviteExisting')}</p>}
      <form class="card" method="post" action={action} novalidate>
        <ErrorSummary page={page} errors={form.errors} />
        <FormBasics page={page} />
        <Field
          page={page}
          name="password"
          type="password"
          label={invitation ? t.t('account.password') : t.t('account.newPassword')}
          hint={t.t('account.passwordHint', { min: PASSWORD_MIN_LENGTH })}
          error={form.errors.password}
          required
          autocomplete="new-password"
          maxLength={256}
        />
        <button type="submit">{invitation ? t.t('account.inviteSubmit') : t.t('account.resetSubmit')}</button>
      </form>
      {!invitation && (
        <p>
          <a href={t.href('/account/login')}>{t.t('account.backToLogin')}</a>
        </p>
      )}
    </>
  );
}

/** An address confirmation link (membership application): a button confirms; then the result. */
export function ConfirmEmailPage({ page, token, done, formError }: { page: PageContext; token: string; done?: boolean; formError?: string }): VNode {
  const { t } = page;
  const title = t.t('account.confirmEmailTitle');
  return (
    <Layout page={page} title={title}>
      <h1>{title}</h1>
      <FormAlert message={formError} />
      {done ? (
        <div class="alert ok" role="status">
          <p>{t.t('account.confirmEmailDone')}</p>
        </div>
      ) : (
        !formError && (
          <form class="card" method="post" action={`/account/confirm-email/${token}`}>
            <FormBasics page={page} />
            <p>{t.t('account.confirmEmailHelp')}</p>
            <button type="submit">{t.t('account.confirmEmailSubmit')}</button>
          </form>
        )
      )}
    </Layout>
  );
}

/** "Link my memberships" (asked for while logged in, followed while logged in to the same login). */
export function LinkMembershipsPage({ page, token, linked, formError }: { page: PageContext; token: string; linked?: number; formError?: string }): VNode {
  const { t } = page;
  const title = t.t('account.linkTitle');
  return (
    <Layout page={page} title={title}>
      <h1>{title}</h1>
      <FormAlert message={formError} />
      {linked !== undefined ? (
        <div class="alert ok" role="status">
          <p>{t.t('account.linkDone', { count: linked })}</p>
        </div>
      ) : (
        !formError && (
          <form class="card" method="post" action={`/account/link-memberships/${token}`}>
            <FormBasics page={page} />
            <p>{t.t('account.linkHelp')}</p>
            <button type="submit">{t.t('account.linkSubmit')}</button>
          </form>
        )
      )}
      <p>
        <a href={t.href('/account/signups')}>{t.t('common.mySignups')}</a>
      </p>
    </Layout>
  );
}
