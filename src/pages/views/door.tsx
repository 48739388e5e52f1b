import type { VNode } from 'preact';

import { DOOR_SCRIPT, DOOR_STYLESHEET, DOOR_WORKER, QR_DECODER } from '../assets';
import { CATALOGUES, DEFAULT_LOCALE, type Translator } from '../i18n';
import { Layout, scriptJson } from '../layout';
import type { PageContext } from '../page-context';

/**
 * The door page's messages, for its script: each `door.*` message in the
 * reader's language with its placeholders left as `{name}` for the script
 * to fill (they are plain arguments, no plural or select).
 */
export function doorMessages(t: Translator): Record<string, string> {
  const placeholders = new Proxy({}, { get: (_target, key) => (typeof key === 'string' ? `{${key}}` : undefined) });
  const keys = [...CATALOGUES.get(DEFAULT_LOCALE)!.keys()].filter((k) => k.startsWith('door.'));
  return Object.fromEntries(keys.map((k) => [k.slice('door.'.length), t.t(k, placeholders)]));
}

/**
 * The door page (issue 21): a shell that is the same for every reader of
 * the event's door — organisers and hosts logged in, volunteers with a door
 * link in the fragment, which never reaches us — so that the service worker
 * can keep it for offline use. Everything about the event comes from the
 * manifest the script loads (static/door.js). Mobile first: the result and
 * the code field at the top, under the thumb.
 */
export function DoorPage({ page, eventId }: { page: PageContext; eventId: string }): VNode {
  const { t } = page;
  const title = t.t('door.title');
  const login = t.href(`/account/login?next=${encodeURIComponent(t.href(`/checkin/${eventId}`))}`);
  return (
    <Layout page={page} title={title} head={[<link rel="stylesheet" href={DOOR_STYLESHEET.url} />, <script src={DOOR_SCRIPT.url} defer />]}>
      <div id="door" data-event={eventId} data-lang={t.locale} data-decoder={QR_DECODER.url} data-worker={DOOR_WORKER.url} data-manifest="none">
        <h1>{title}</h1>
        <p id="door-event" class="door-event" />
        <noscript>
          <p class="alert error">{t.t('door.noScript')}</p>
        </noscript>
        <div id="door-access" class="alert warn" hidden>
          <p>{t.t('door.needAccess')}</p>
          <p>
            <a href={login}>{t.t('common.login')}</a>
          </p>
        </div>
        <p id="door-loading" class="muted" hidden>
          {t.t('door.loading')}
        </p>
        <p id="door-stop" class="alert error" role="alert" hidden />
        <div id="door-app" hidden>
          <p id="door-net" class="door-net" />
          <div id="door-result" class="door-result" role="status" aria-live="polite" aria-atomic="true" />

          <form id="door-code-form" class="card" autocomplete="off" aria-labelledby="door-code-title">
            <h2 id="door-code-title">{t.t('door.codeTitle')}</h2>
            <div class="field">
              <label for="door-code">{t.t('door.codeLabel')}</label>
              <p class="hint" id="door-code-hint">
                {t.t('door.codeHint')}
              </p>
              <input id="door-code" name="code" type="text" autocapitalize="characters" spellcheck={false} maxLength={60} aria-describedby="door-code-hint" required />
            </div>
            <p class="actions">
              <button type="submit">{t.t('door.checkIn')}</button>
              <button type="button" id="door-scan" class="secondary">
                {t.t('door.scan')}
              </button>
            </p>
            <div id="door-scanner" class="door-scanner" hidden>
              <p id="door-scan-help">{t.t('door.scanning')}</p>
              <video id="door-video" muted playsInline aria-describedby="door-scan-help" />
              <button type="button" id="door-scan-stop" class="secondary">
                {t.t('door.stopScan')}
              </button>
            </div>
          </form>

          <section aria-labelledby="door-counts-title">
            <h2 id="door-counts-title">{t.t('door.countsTitle')}</h2>
            <table class="door-counts">
              <thead>
                <tr>
                  <th scope="col">{t.t('door.countsPool')}</th>
                  <th scope="col">{t.t('door.countsAttended')}</th>
                  <th scope="col">{t.t('door.countsGoing')}</th>
                </tr>
              </thead>
              <tbody id="door-counts" />
            </table>
          </section>

          <section aria-labelledby="door-find-title">
            <h2 id="door-find-title">{t.t('door.findTitle')}</h2>
            <div class="field">
              <label for="door-find">{t.t('door.findLabel')}</label>
              <p class="hint" id="door-find-hint">
                {t.t('door.findHint')}
              </p>
              <input id="door-find" type="search" autocomplete="off" maxLength={100} aria-describedby="door-find-hint" aria-controls="door-matches" />
            </div>
            <ul id="door-matches" class="plain door-matches" />
          </section>

          <form id="door-walkin" class="card" autocomplete="off" aria-labelledby="door-walkin-title">
            <h2 id="door-walkin-title">{t.t('door.walkInTitle')}</h2>
            <p class="hint">{t.t('door.walkInHelp')}</p>
            <div class="field">
              <label for="door-walkin-name">{t.t('door.walkInName')}</label>
              <input id="door-walkin-name" name="name" type="text" maxLength={200} autocomplete="off" required />
            </div>
            <div class="field" id="door-walkin-shift-field" hidden>
              <label for="door-walkin-shift">{t.t('door.walkInShift')}</label>
              <select id="door-walkin-shift" name="shiftId">
                <option value="">{t.t('door.noShift')}</option>
              </select>
            </div>
            <button type="submit">{t.t('door.walkIn')}</button>
          </form>

          <section id="door-attention" aria-labelledby="door-attention-title" hidden>
            <h2 id="door-attention-title">{t.t('door.attentionTitle')}</h2>
            <p class="hint">{t.t('door.attentionHelp')}</p>
            <ul id="door-attention-list" class="plain" />
          </section>
        </div>
        <script type="application/json" id="door-messages" dangerouslySetInnerHTML={{ __html: scriptJson(doorMessages(t)) }} />
      </div>
    </Layout>
  );
}
