import type { ComponentChildren, InputHTMLAttributes, VNode } from 'preact';

import { STYLESHEET } from './assets';
import type { PageContext } from './page-context';

export interface LayoutProps {
  page: PageContext;
  title: string;
  /** Extra `<head>` content: Open Graph tags, JSON-LD, a script. */
  head?: VNode | VNode[];
  children: ComponentChildren;
}

/** JSON inside a `<script>` data block (JSON-LD, a script's messages): never `</script>` or an HTML comment opener, whatever a value says. */
export const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

/** The other language's switch: the same page, its query kept (filters, `embed`), with `?lang=`. */
function LanguageSwitch({ page }: { page: PageContext }) {
  const other = page.t.locale === 'es' ? 'en' : 'es';
  const url = new URL(page.url, 'http://page.invalid');
  url.searchParams.set('lang', other);
  return (
    <a href={`${url.pathname}${url.search}`} hreflang={other} lang={other}>
      {page.t.t('common.switchTo')}
    </a>
  );
}

/** One layout for every page: mobile first, one stylesheet, no script unless a page asks for one. */
export function Layout({ page, title, head, children }: LayoutProps): VNode {
  const { t } = page;
  return (
    <html lang={t.locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${t.t('common.site')}`}</title>
        <link rel="stylesheet" href={STYLESHEET.url} />
        {/* In another site's frame, links open a tab of their own (the page's forms say target="_self"). */}
        {page.embed && <base target="_blank" />}
        {head}
      </head>
      <body class={page.embed ? 'embed' : undefined}>
        {!page.embed && (
          <header class="site">
            <a class="skip" href="#main">
              {t.t('common.skip')}
            </a>
            <nav aria-label={t.t('common.account')}>
              <span class="brand">{t.t('common.site')}</span>
              <span class="nav-right">
                {page.user ? (
                  <>
                    <a href={t.href('/account/signups')}>{t.t('common.mySignups')}</a>
                    <form method="post" action="/account/logout" class="inline">
                      <FormBasics page={page} />
                      <button type="submit" class="link">
                        {t.t('common.logout')}
                      </button>
                    </form>
                  </>
                ) : (
                  <a href={t.href('/account/login')}>{t.t('common.login')}</a>
                )}
                <LanguageSwitch page={page} />
              </span>
            </nav>
          </header>
        )}
        <main id="main">{children}</main>
        {!page.embed && (
          <footer class="site">
            <p>{t.t('common.footer')}</p>
          </footer>
        )}
      </body>
    </html>
  );
}

/** The hidden fields every form carries: the anti-forgery token and the language. */
export function FormBasics({ page }: { page: PageContext }): VNode {
  return (
    <>
      <input type="hidden" name="_csrf" value={page.csrf} />
      {page.t.explicit && <input type="hidden" name="lang" value={page.t.locale} />}
    </>
  );
}

export interface FieldProps {
  page: PageContext;
  name: string;
  label: string;
  type?: 'text' | 'email' | 'tel' | 'password' | 'search' | 'number';
  value?: string;
  error?: string;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  inputmode?: string;
  maxLength?: number;
}

/** A labelled input with its hint and its error right below it, tied together for screen readers. */
export function Field({ page, name, label, type = 'text', value, error, hint, required, autocomplete, inputmode, maxLength }: FieldProps): VNode {
  const id = `f-${name}`;
  // preact types each input type's attributes separately; this one input serves several text-like types.
  const inputAttributes = {
    id,
    name,
    type,
    value: value ?? '',
    required,
    autocomplete,
    inputMode: inputmode,
    maxLength,
    'aria-invalid': error ? 'true' : undefined,
    'aria-describedby': [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined,
  } as unknown as InputHTMLAttributes<HTMLInputElement>;
  return (
    <div class={error ? 'field invalid' : 'field'}>
      <label for={id}>
        {label}
        {!required && <span class="optional"> ({page.t.t('common.optional')})</span>}
      </label>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="error" id={`${id}-error`}>
          {error}
        </p>
      )}
      <input {...inputAttributes} />
    </div>
  );
}

/** The summary at the top of a form that came back with errors. */
export function ErrorSummary({ page, errors }: { page: PageContext; errors: Record<string, string> }): VNode | null {
  const count = Object.keys(errors).length;
  if (!count) return null;
  return (
    <div class="alert error" role="alert">
      {page.t.t('field.errorsAbove', { count })}
    </div>
  );
}

export interface ConsentFieldsProps {
  page: PageContext;
  /** The privacy notice: its link text (with its version), its text, and its version, kept with the consent. */
  noticeLink: string;
  notice: string;
  noticeVersion: string;
  consentLabel: string;
  contactLabel: string;
  values: Record<string, string>;
  error?: string;
}

/**
 * The end of every public form that takes personal data: the honeypot field
 * (hidden from people; whatever fills it is a bot), the privacy notice and
 * its version, the required consent with its error, and the optional e-mail
 * contact.
 */
export function ConsentFields({ page, noticeLink, notice, noticeVersion, consentLabel, contactLabel, values, error }: ConsentFieldsProps): VNode {
  return (
    <>
      <div class="hp" aria-hidden="true">
        <label for="f-website">{page.t.t('common.honeypot')}</label>
        <input id="f-website" name="website" type="text" tabIndex={-1} autocomplete="off" value="" />
      </div>
      <details class="notice">
        <summary>{noticeLink}</summary>
        <p>{notice}</p>
      </details>
      <input type="hidden" name="noticeVersion" value={noticeVersion} />
      {error && (
        <p class="error" id="f-consent-error">
          {error}
        </p>
      )}
      <div class="check">
        <input
          type="checkbox"
          id="f-consent"
          name="consent"
          value="yes"
          checked={values.consent === 'yes'}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'f-consent-error' : undefined}
        />
        <label for="f-consent">{consentLabel}</label>
      </div>
      <div class="check">
        <input type="checkbox" id="f-contact" name="contactByEmail" value="yes" checked={values.contactByEmail === 'yes'} />
        <label for="f-contact">{contactLabel}</label>
      </div>
    </>
  );
}

/** What a link preview (WhatsApp, Facebook, a search engine) reads off a public page: description, Open Graph, canonical address. */
export function shareTags({ title, description, url, summary }: { title: string; description: string; url: string; summary?: string }): VNode[] {
  return [
    <meta key="d" name="description" content={description.slice(0, 300)} />,
    <meta key="ot" property="og:type" content="website" />,
    <meta key="oti" property="og:title" content={title} />,
    ...(summary ? [<meta key="od" property="og:description" content={summary} />] : []),
    <meta key="ou" property="og:url" content={url} />,
    <link key="c" rel="canonical" href={url} />,
  ];
}
