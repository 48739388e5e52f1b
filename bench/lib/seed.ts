import type { Client } from 'pg';

import { FAMILY, GIVEN, REGIONS } from './synthetic';

/** A SQL array literal of `values` (fixed synthetic names, quoted). */
export const sqlArray = (values: string[]) => `ARRAY[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',')}]`;

/** Deterministic ids: the same data set, ids included, on every run. */
export const orgId = (n: number): string => `md5('bench-org-${n}')::uuid`;

export interface SeedSizes {
  organisations: number;
  members: number;
}

/**
 * Seeds organisations (one root party, every other organisation its child, so
 * the root's org_admin sees every member) and members, each with one
 * membership, in a few set-based statements. Secondary indexes are dropped
 * for the bulk insert and rebuilt after (what an operator loading a dump does),
 * the search words are built in one pass, then statistics are refreshed.
 * Every member record is the root party's (its data controller).
 */
export async function seedMembers(db: Client, sizes: SeedSizes): Promise<{ rootId: string }> {
  await db.query(`SET maintenance_work_mem = '256MB'`);
  await db.query(`INSERT INTO organisations (id, slug, name, kind, parent_id)
                  VALUES (${orgId(1)}, 'bench-root', 'Bench root party', 'party', NULL)`);
  await db.query(
    `INSERT INTO organisations (id, slug, name, kind, parent_id)
     SELECT md5('bench-org-' || g)::uuid, 'bench-' || g, 'Bench chapter ' || g, 'chapter', ${orgId(1)}
       FROM generate_series(2, $1::int) g`,
    [sizes.organisations],
  );
  const { rows: indexes } = await db.query<{ indexname: string; indexdef: string }>(
    `SELECT indexname, indexdef FROM pg_indexes i
      WHERE schemaname = 'public' AND tablename IN ('members', 'memberships', 'member_search_words', 'member_search_terms')
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
  );
  for (const ix of indexes) await db.query(`DROP INDEX "${ix.indexname}"`);
  // The search words are rebuilt in one pass after the load (as the migration does), not by the triggers.
  await db.query('ALTER TABLE members DISABLE TRIGGER USER');
  await db.query(
    `INSERT INTO members (id, controller_id, given_name, family_name, email, phone, region, locality, created_at, updated_at)
     SELECT md5('bench-member-' || g)::uuid, ${orgId(1)},
            (${sqlArray(GIVEN)})[1 + g % ${GIVEN.length}],
            (${sqlArray(FAMILY)})[1 + (g / 7) % ${FAMILY.length}] || ' ' || (${sqlArray(FAMILY)})[1 + (g / 91) % ${FAMILY.length}],
            'm' || g || '@members.bench.example',
            '+519' || lpad(g::text, 8, '0'),
            (${sqlArray(REGIONS)})[1 + (g / 3) % ${REGIONS.length}],
            'Distrito ' || (g % 200),
            now(), now()
       FROM generate_series(1, $1::int) g`,
    [sizes.members],
  );
  await db.query(
    `INSERT INTO memberships (member_id, organisation_id, status, source, joined_on)
     SELECT md5('bench-member-' || g)::uuid, md5('bench-org-' || (2 + g % ($2::int - 1)))::uuid,
            CASE WHEN g % 10 = 0 THEN 'applied' ELSE 'active' END, 'import', date '2020-01-01' + (g % 2000)
       FROM generate_series(1, $1::int) g`,
    [sizes.members, Math.max(2, sizes.organisations)],
  );
  await db.query('SELECT member_search_rebuild()');
  await db.query('ALTER TABLE members ENABLE TRIGGER USER');
  for (const ix of indexes) await db.query(ix.indexdef);
  // What autovacuum does soon after a bulk load: statistics, and the visibility map (index-only scans).
  await db.query('VACUUM (ANALYZE)');
  const { rows } = await db.query<{ id: string }>(`SELECT ${orgId(1)} AS id`);
  return { rootId: rows[0].id };
}
