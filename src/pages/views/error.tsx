import type { VNode } from 'preact';

import { Layout } from '../layout';
import type { PageContext } from '../page-context';

export function ErrorPage({ page, status, seconds, refused }: { page: PageContext; status: number; seconds: number; refused: boolean }): VNode {
  const { t } = page;
  const title = t.t('error.title', { status: String(status) });
  return (
    <Layout page={page} title={title}>
      <h1>{title}</h1>
      <p>{refused ? t.t('error.csrf') : t.t('error.body', { status: String(status), seconds })}</p>
      {refused && <p>{t.t('error.formExpired')}</p>}
    </Layout>
  );
}
