import { Client } from 'pg';
(async () => {
  const c = new Client({ connectionString: process.env.URL, options: '-c jit=off' }); await c.connect();
  const orgIds = (await c.query<{ id: string }>('SELECT id FROM organisations')).rows.map((r) => r.id);
  const q = (lead: string, other: string) => `SELECT w.family_name, w.given_name, w.member_id FROM member_search_words w WHERE w.word = '${lead}' AND w.words && '{${other}}'::text[] AND EXISTS (SELECT 1 FROM memberships ms WHERE ms.member_id = w.member_id AND ms.organisation_id::text = ANY($1::uuid[]::text[]) OFFSET 0) ORDER BY 1,2,3 LIMIT 51`;
  const cases: Record<string, [string, unknown[]]> = { leadMamani: [q('mamani', 'rosa'), [orgIds]], leadRosa: [q('rosa', 'mamani'), [orgIds]] };
  for (let r = 0; r < 2; r++) for (const [k, [sql, v]] of Object.entries(cases)) {
    for (let i = 0; i < 20; i++) await c.query(sql, v);
    const t = performance.now(); for (let i = 0; i < 200; i++) await c.query(sql, v);
    console.log(k.padEnd(16), ((performance.now() - t) / 200).toFixed(3), 'ms');
  }
  const s = await c.query(`SELECT array_length(most_common_vals::text::text[],1) n, (most_common_freqs)[1:3] f FROM pg_stats WHERE tablename = 'member_search_words' AND attname = 'word'`);
  console.log(s.rows);
  await c.end();
})();
