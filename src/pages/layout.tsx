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
