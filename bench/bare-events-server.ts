/**
 * The baseline of the public event list: a bare `node:http` + `pg` server
 * running the SQL the API itself ran (captured by the harness from
 * pg_stat_activity and passed in BARE_SQL), shaping the answer with the API's
 * own row mapping, with a pool as large as the API's. No framework, no
 * validation, no access checks, no security headers: the floor the API is
 * measured against. The harness checks that both answer the same body.
 *
 *   DATABASE_URL, PORT, BARE_SQL (JSON: { text, params: ('status'|'from')[] })
 */
import { createServer } from 'node:http';
import { Pool } from 'pg';

import { toPage } from '../src/common/pagination';
import { summaryFromRow, summaryKey, type SummaryRow } from '../src/events/events.views';

const { text, params } = JSON.parse(process.env.BARE_SQL ?? '') as { text: string; params: ('status' | 'from')[] };
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET' || url.pathname !== '/api/v1/events') {
    res.writeHead(404).end();
    return;
  }
  const limit = Number(url.searchParams.get('limit') ?? 20);
  const now = new Date();
  pool
    .query<SummaryRow>(
      text,
      params.map((p) => (p === 'status' ? 'published' : now)),
    )
    .then(
      ({ rows }) => {
        const body = JSON.stringify(toPage(rows, limit, summaryKey, summaryFromRow));
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
      },
      (err: Error) => res.writeHead(500).end(err.message),
    );
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
