import 'reflect-metadata';
import { Client } from 'pg';
import { directorySql, expandSearch, isBroadScope } from '../src/members/member-search';
const url = 'postgres://postgres:password@localhost:55432/b1m';
(async () => {
  const c = new Client({ connectionString: process.env.URL ?? url }); await c.connect();
  await c.query(`SET jit = off`);
  const db = { query: async (text: string, values: unknown[]) => (await c.query(text, values)).rows as unknown[] } as never;
  const orgIds = (await c.query<{ id: string }>('SELECT id FROM organisations')).rows.map((r) => r.id);
  const broad = await isBroadScope(db, orgIds);
  for (const q of (process.env.Q ?? 'm4242,Quispe,Rosa Mamani').split(',')) {
    let t = performance.now();
    const words = await expandSearch(db, q);
    const te = performance.now() - t;
    const sql = directorySql({ organisationIds: process.env.NOSCOPE ? null : process.env.ONEORG ? orgIds.slice(0,1) : orgIds, broad, after: null, rows: 51, words });
    const plan = (await c.query(`EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, SUMMARY ON) ${sql.text}`, sql.values)).rows.map((r) => r['QUERY PLAN']);
    t = performance.now();
    for (let i = 0; i < 50; i++) await c.query(sql.text, sql.values);
    console.log(q, 'expansions', words.map((w) => w.length), 'expand ms', te.toFixed(2), 'page ms avg', ((performance.now() - t) / 50).toFixed(2));
    if (process.env.PLAN) console.log(plan.join('\n'));
  }
  await c.end();
})();
