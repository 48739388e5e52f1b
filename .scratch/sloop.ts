import 'reflect-metadata';
import { Client } from 'pg';
import { directorySql, expandSearch, isBroadScope } from '../src/members/member-search';
import { loop } from '../bench/lib/load';
const url = process.env.URL!;
const queries = ['m4242', 'Quispe', 'Rosa Mamani'];
(async () => {
  const pool = await Promise.all(Array.from({ length: 10 }, async () => { const c = new Client({ connectionString: url, options: '-c jit=off' }); await c.connect(); return c; }));
  const orgIds = (await pool[0].query<{ id: string }>('SELECT id FROM organisations')).rows.map((r) => r.id);
  const membershipsSql = 'SELECT id, member_id, organisation_id, status, title FROM memberships WHERE member_id = ANY($1::uuid[]) AND organisation_id = ANY($2::uuid[]) ORDER BY created_at, id';
  const variants: Record<string, (w: number, i: number) => Promise<void>> = {
    current: async (w, i) => {
      const c = pool[w];
      const db = { query: async (text: string, values: unknown[]) => (await c.query(text, values)).rows as unknown[] } as never;
      const broad = await isBroadScope(db, orgIds);
      const words = await expandSearch(db, queries[(w + i) % queries.length]);
      const sql = directorySql({ organisationIds: orgIds, broad, after: null, rows: 51, words, membershipsOf: null });
      const rows = (await c.query<{ id: string }>(sql.text, sql.values)).rows;
      await c.query(membershipsSql, [rows.slice(0, 50).map((r) => r.id), orgIds]);
    },
    cachedBroad: async (w, i) => {
      const c = pool[w];
      const db = { query: async (text: string, values: unknown[]) => (await c.query(text, values)).rows as unknown[] } as never;
      const words = await expandSearch(db, queries[(w + i) % queries.length]);
      const sql = directorySql({ organisationIds: orgIds, broad: true, after: null, rows: 51, words, membershipsOf: null });
      const rows = (await c.query<{ id: string }>(sql.text, sql.values)).rows;
      await c.query(membershipsSql, [rows.slice(0, 50).map((r) => r.id), orgIds]);
    },
    cachedBroad2: async (w, i) => {
      const c = pool[w];
      const db = { query: async (text: string, values: unknown[]) => (await c.query(text, values)).rows as unknown[] } as never;
      const words = await expandSearch(db, queries[(w + i) % queries.length]);
      const sql = directorySql({ organisationIds: orgIds, broad: true, after: null, rows: 51, words, membershipsOf: null });
      const rows = (await c.query<{ id: string }>(sql.text, sql.values)).rows;
      await c.query('SELECT id, member_id, organisation_id, status, title FROM memberships WHERE member_id = ANY($1::uuid[]) AND organisation_id::text = ANY($2::uuid[]::text[]) ORDER BY created_at, id', [rows.slice(0, 50).map((r) => r.id), orgIds]);
    },
    newFlow: async (w, i) => {
      const c = pool[w];
      const db = { query: async (text: string, values: unknown[]) => (await c.query(text, values)).rows as unknown[] } as never;
      const broad = await isBroadScope(db, orgIds);
      const words = await expandSearch(db, queries[(w + i) % queries.length]);
      const sql = directorySql({ organisationIds: orgIds, broad, after: null, rows: 51, words, membershipsOf: orgIds });
      await c.query(sql.text, sql.values);
    },
    pageOnly: async (w, i) => {
      const c = pool[w];
      const db = { query: async (text: string, values: unknown[]) => (await c.query(text, values)).rows as unknown[] } as never;
      const words = await expandSearch(db, queries[(w + i) % queries.length]);
      const sql = directorySql({ organisationIds: orgIds, broad: true, after: null, rows: 51, words, membershipsOf: null });
      await c.query<{ id: string }>(sql.text, sql.values);
    },
    explainOnly: async (w) => {
      const c = pool[w];
      const db = { query: async (text: string, values: unknown[]) => (await c.query(text, values)).rows as unknown[] } as never;
      await isBroadScope(db, orgIds);
    },
    expandOnly: async (w, i) => {
      const c = pool[w];
      const db = { query: async (text: string, values: unknown[]) => (await c.query(text, values)).rows as unknown[] } as never;
      await expandSearch(db, queries[(w + i) % queries.length]);
    },
    select1: async (w) => { await pool[w].query('SELECT 1'); },
  };
  for (const name of (process.env.V ?? Object.keys(variants).join(',')).split(',')) {
    await loop(10, 1, variants[name]);
    const r = await loop(10, 4, variants[name]);
    console.log(name.padEnd(12), 'per s', r.reqPerSec.toFixed(0), 'p95', r.p95.toFixed(1), 'mean', r.mean.toFixed(1));
  }
  await Promise.all(pool.map((c) => c.end()));
})();
