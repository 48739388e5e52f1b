import type { VNode } from 'preact';

import { FRAGMENT_SCRIPT } from '../assets';
import { Layout } from '../layout';
import type { PageContext } from '../page-context';

/**
 * Where links mailed before the pages existed land (`…#token=…`): the
 * fragment never reaches us, so a small script moves it into the path;
 * without JavaScript, the page says how to open the link.
 */
export function FragmentLinkPage({ page, title }: { page: PageContext; title: string }): VNode {
  const { t } = page;
  return (
    <Layout page={page} title={title} head={<script src={FRAGMENT_SCRIPT.url} defer />}>
      <h1>{title}</h1>
      <p>{t.t('common.openFromMail')}</p>
      <p class="muted">{t.t('common.fragmentHelp')}</p>
    </Layout>
  );
}
