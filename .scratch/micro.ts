import { Client } from 'pg';
(async () => {
  const c = new Client({ connectionString: process.env.URL, options: '-c jit=off' }); await c.connect();
  const orgIds = (await c.query<{ id: string }>('SELECT id FROM organisations')).rows.map((r) => r.id);
  const cases: Record<string, [string, unknown[]]> = {
    walk: [`SELECT w.family_name, w.given_name, w.member_id FROM member_search_words w WHERE w.word = 'quispe' ORDER BY 1,2,3 LIMIT 51`, []],
    walkProbeText: [`SELECT w.family_name, w.given_name, w.member_id FROM member_search_words w WHERE w.word = 'quispe' AND EXISTS (SELECT 1 FROM memberships ms WHERE ms.member_id = w.member_id AND ms.organisation_id::text = ANY($1::uuid[]::text[]) OFFSET 0) ORDER BY 1,2,3 LIMIT 51`, [orgIds]],
    walkProbeAny: [`SELECT w.family_name, w.given_name, w.member_id FROM member_search_words w WHERE w.word = 'quispe' AND EXISTS (SELECT 1 FROM memberships ms WHERE ms.member_id = w.member_id AND ms.organisation_id = ANY($1::uuid[]) OFFSET 0) ORDER BY 1,2,3 LIMIT 51`, [orgIds]],
    walkProbeNone: [`SELECT w.family_name, w.given_name, w.member_id FROM member_search_words w WHERE w.word = 'quispe' AND EXISTS (SELECT 1 FROM memberships ms WHERE ms.member_id = w.member_id OFFSET 0) ORDER BY 1,2,3 LIMIT 51`, []],
    arrayOnly: [`SELECT cardinality($1::uuid[])`, [orgIds]],
    arrayText: [`SELECT cardinality($1::uuid[]::text[])`, [orgIds]],
    select1: ['SELECT 1', []],
  };
  for (let r = 0; r < 2; r++) for (const [k, [sql, v]] of Object.entries(cases)) {
    for (let i = 0; i < 20; i++) await c.query(sql, v);
    const t = performance.now(); for (let i = 0; i < 200; i++) await c.query(sql, v);
    console.log(k.padEnd(16), ((performance.now() - t) / 200).toFixed(3), 'ms');
  }
  await c.end();
})();
