import 'reflect-metadata';
import { Client } from 'pg';
import { hashPassword } from '../src/auth/passwords';
import { startApi } from '../bench/lib/api';
import { drive, loop, pinSelf } from '../bench/lib/load';
import { directorySql, expandSearch, isBroadScope } from '../src/members/member-search';
const url = process.env.URL!;
const PASSWORD = 'bench password long enough';
(async () => {
  pinSelf();
  const db = new Client({ connectionString: url }); await db.connect();
  const have = await db.query(`SELECT id FROM users WHERE email = 'admin@bench.example'`);
  if (!have.rows.length) {
    const [user] = (await db.query<{ id: string }>(`INSERT INTO users (email, password_hash) VALUES ('admin@bench.example', $1) RETURNING id`, [await hashPassword(PASSWORD)])).rows;
    await db.query(`INSERT INTO role_assignments (user_id, role, organisation_id) VALUES ($1, 'org_admin', md5('bench-org-1')::uuid)`, [user.id]);
  }
  const api = await startApi({ fromSource: false, pin: true, env: { DATABASE_URL: url, RUN_MIGRATIONS: 'false', CONVOCA_DATA_DIR: '/tmp/apisearch', DB_STATEMENT_TIMEOUT_MS: '60000', TRUST_PROXY: 'true' } });
  try {
    const res = await fetch(`${api.base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@bench.example', password: PASSWORD }) });
    const { accessToken } = (await res.json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${accessToken}` };
    const queries = ['m4242', 'Quispe', 'Rosa Mamani'];
    const paths = queries.map((q) => `/api/v1/members?q=${encodeURIComponent(q)}`);
    await drive({ url: api.origin, connections: 10, duration: 2, headers: auth, paths });
    const r = await drive({ url: api.origin, connections: 10, duration: Number(process.env.D ?? 8), headers: auth, paths });
    console.log('API   per s', r.reqPerSec.toFixed(0), 'p95', r.p95.toFixed(1), 'mean', r.mean.toFixed(1), 'non2xx', r.non2xx);
    const pool = await Promise.all(Array.from({ length: 10 }, async () => { const c = new Client({ connectionString: url }); await c.connect(); return c; }));
    const orgIds = (await db.query<{ id: string }>('SELECT id FROM organisations')).rows.map((x) => x.id);
    const membershipsSql = 'SELECT id, member_id, organisation_id, status, title FROM memberships WHERE member_id = ANY($1::uuid[]) AND organisation_id = ANY($2::uuid[]) ORDER BY created_at, id';
    const once = async (w: number, i: number) => {
      const c = pool[w];
      const q = { query: async (text: string, values: unknown[]) => (await c.query(text, values)).rows as unknown[] } as never;
      const broad = await isBroadScope(q, orgIds);
      const words = await expandSearch(q, queries[(w + i) % queries.length]);
      const sql = directorySql({ organisationIds: orgIds, broad, after: null, rows: 51, words });
      const rows = (await c.query<{ id: string }>(sql.text, sql.values)).rows;
      await c.query(membershipsSql, [rows.slice(0, 50).map((x) => x.id), orgIds]);
    };
    await loop(10, 2, once);
    const b = await loop(10, Number(process.env.D ?? 8), once);
    console.log('SQL   per s', b.reqPerSec.toFixed(0), 'p95', b.p95.toFixed(1), 'mean', b.mean.toFixed(1));
    await Promise.all(pool.map((c) => c.end()));
  } finally { await api.stop(); await db.end(); }
})();
