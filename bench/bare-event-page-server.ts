/**
 * The baseline of the public event page (`GET /e/{id}`, anonymous): a bare
 * `node:http` + `pg` server that reads an event with the SQL the API runs for
 * that page and renders the same HTML with the app's own view components.
 *
 * The same statements, in the same order, as the API's route
 * (EventPagesController.show → EventsService.get and .shiftsOf): the event with
 * the reader's rights (EventsRepository.readWithRights), its host, coalition,
 * campaign and co-hosts (refs), its demand ids (demandIds), its shifts
 * (shifts; EventsService.shiftsOf). They are
 * the repository's own methods, given this server's pool as their
 * connection (TypeORM is loaded for the entities' metadata only: the rows are
 * hydrated as the API hydrates them; it queries nothing). The view is
 * assembled by `eventView` and rendered by `EventPage` and `pageHtml`, with
 * the page headers of `pageHeaders` (content type, CSP, referrer policy,
 * Cache-Control, Vary, X-Frame-Options) and the anonymous form token made as
 * PageGuard makes it.
 *
 * What it leaves out: Nest and Fastify (routing, guards, the route policy, the
 * parameter decorators), the cookie session lookup (an anonymous reader has no
 * cookie: the API runs no query for it either), the well-formed-input check,
 * the API-wide security headers (helmet's, set once per answer) and the
 * request id, `?embed=1` framing and promoters' `?ref=` links (the harness
 * asks for neither), and an event with demands (the bench seeds none: such
 * an event answers 500 here).
 *
 *   DATABASE_URL, PORT, PUBLIC_BASE (the API's public address, as its pages write it), JWT_SECRET (the API's)
 */
import 'reflect-metadata';

import { createServer } from 'node:http';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';

import { UUID_PATTERN } from '../src/common/dto-fields';
import { dataSourceOptions } from '../src/database/database-options';
import type { Tx } from '../src/database/transactions';
import { EventsRepository } from '../src/events/events.repository';
import { eventView, shiftView } from '../src/events/events.views';
import { chooseLocale, Translator } from '../src/pages/i18n';
import { formTokenAt, formTokenKey, type PageContext } from '../src/pages/page-context';
import { pageHeaders, pageHtml } from '../src/pages/page-response';
import { EventPage } from '../src/pages/views/event';

const url = process.env.DATABASE_URL ?? '';
const base = (process.env.PUBLIC_BASE ?? '').replace(/\/$/, '');
const key = formTokenKey(process.env.JWT_SECRET ?? '');
const pool = new Pool({ connectionString: url, max: 10 });
const anonymous = { kind: 'anonymous' } as const;
const headers = pageHeaders({ cache: 'public' });

async function main(): Promise<void> {
  // Metadata only (the entities' columns and their value conversions): one idle connection, never queried below.
  const metadata = new DataSource(dataSourceOptions(url, { dbPoolSize: 1, dbStatementTimeoutMs: 60_000 }));
  await metadata.initialize();
  const repo = new EventsRepository(metadata);
  // The repositories' unit of work, as this server's pool: each statement on its own, as `Transactions.auto`.
  const tx = { connection: metadata, query: async (text: string, values?: unknown[]) => (await pool.query<Record<string, unknown>>(text, values)).rows } as unknown as Tx;

  const page = async (id: string, query: URLSearchParams, acceptLanguage: string | undefined, path: string): Promise<string | null> => {
    const found = await repo.readWithRights(tx, anonymous, id);
    if (!found?.see || found.event.status === 'draft') return null;
    const refs = await repo.refs(tx, found.event);
    if ((await repo.demandIds(tx, id)).length) throw new Error('an event with demands: not handled by this baseline');
    const event = eventView(found.event, found, { refs, mine: [], demands: [], reach: null });
    const shifts = (await repo.shifts(tx, id)).map(shiftView);
    const { locale, explicit } = chooseLocale(query.get('lang') ?? undefined, acceptLanguage);
    const reader: PageContext = {
      caller: { user: null, requestId: '', ip: '' },
      user: null,
      t: new Translator(locale, explicit),
      csrf: formTokenAt(key, 'anonymous', Date.now()),
      embed: false,
      url: path,
    };
    return pageHtml(EventPage({ page: reader, event, shifts, url: `${base}/e/${event.id}`, base, referral: null, utm: {} }));
  };

  const server = createServer((req, res) => {
    const target = new URL(req.url ?? '/', 'http://localhost');
    const id = /^\/e\/([^/]+)$/.exec(target.pathname)?.[1];
    if (req.method !== 'GET' || !id || !UUID_PATTERN.test(id)) {
      res.writeHead(404).end();
      return;
    }
    page(id, target.searchParams, req.headers['accept-language'], req.url ?? '/').then(
      (html) => {
        if (html === null) res.writeHead(404).end();
        else res.writeHead(200, { ...headers, 'content-length': Buffer.byteLength(html) }).end(html);
      },
      (err: Error) => res.writeHead(500).end(err.message),
    );
  });
  server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
  process.on('SIGTERM', () => server.close(() => void Promise.all([pool.end(), metadata.destroy()]).then(() => process.exit(0))));
}

void main();
