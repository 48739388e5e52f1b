import { parse as parseCsv } from 'csv-parse/sync';
import request from 'supertest';

import { MemberImportService } from '../src/members/member-import.service';
import { bootTestApp, type TestApp } from './support/app';
import { buildWorld, makeMember, makeOrganisation, unique, type World } from './support/world';

/** A streamed response body (the CSV export), collected as text. */
const asText: Parameters<request.Test['parse']>[0] = (res, done) => {
  let text = '';
  res.on('data', (c: Buffer) => (text += c.toString()));
  res.on('end', () => done(null, text));
};

/** 2 MiB: small enough to test the 413, large enough for the 12 000-row file below. */
const MAX_BYTES = 2 * 1024 * 1024;

describe('CSV member import and export', () => {
  let t: TestApp;
  let w: World;
  beforeAll(async () => {
    t = await bootTestApp({ env: { IMPORT_MAX_BYTES: String(MAX_BYTES) } });
    w = await buildWorld(t);
  });
  afterAll(async () => {
    await t.app.get(MemberImportService).idle();
    await t.close();
  });

  const upload = (org: string, content: string | Buffer, auth = w.users.adminA.auth) =>
    request(t.http).post(`/api/v1/organisations/${org}/imports`).set(auth).attach('file', Buffer.from(content), 'members.csv');
  const finished = async (id: string) => {
    await t.app.get(MemberImportService).idle();
    const res = await request(t.http).get(`/api/v1/imports/${id}`).set(w.users.adminA.auth);
    expect(res.status).toBe(200);
    return res.body;
  };
  const stored = async () => (await t.db.query('SELECT (SELECT count(*) FROM imports)::int AS imports, (SELECT count(*) FROM import_chunks)::int AS chunks'))[0];

  it('imports good rows and reports each bad one by line, with exact counts', async () => {
    const org = await makeOrganisation(t, { kind: 'chapter', parentId: w.A.id });
    const inOrg = await makeMember(t, [org], { givenName: 'Yola', familyName: 'Existente', phone: null });
    const elsewhere = await makeMember(t, [w.B], { givenName: 'Beto', familyName: 'DeOtraOrg', phone: '+51900000001' });
    const tag = unique('x');
    const file = [
      'given_name,family_name,email,phone,region,status,joined_on,title',
      `Ana,Quispe,ana.${tag}@example.org,+51 911 111 111,Cusco,,2026-01-05,delegada`, // 2 created
      `Luis,,luis.${tag}@example.org,,,,,`, // 3 no family name
      `Rosa,Mamani,not-an-email,,,,,`, // 4 bad e-mail
      `Juan,Pérez,ANA.${tag}@EXAMPLE.ORG,,,,,`, // 5 duplicate of line 2
      `Eva,Flores,eva.${tag}@example.org,,,,,,surprise`, // 6 value in an unnamed column
      `Yolanda,Cambiada,${inOrg.email!.toUpperCase()},+51922222222,,,,tesorera`, // 7 updated (already a member here)
      `Bea,Otra,${elsewhere.email},,,applied,,`, // 8 created: a new record, B's record of the address is another controller's
      `Sin,Correo,,,Puno,,,`, // 9 created, no e-mail
      `"Comma, Name","O'Neil ""Q""",quoted.${tag}@example.org,,,,,`, // 10 created, quoted fields
      ',,,,,,,', // an empty record: skipped, not counted
      `Mia,Soto,mia.${tag}@example.org,95544,,,,`, // 12 phone not a number of any country
      `Leo,Rojas,leo.${tag}@example.org,,,emperor,2026-13-01,`, // 13 two problems
    ].join('\n');
    const res = await upload(org.id, file);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: expect.any(String), state: 'queued', rowsTotal: 11 });
    const done = await finished(res.body.id);
    expect(done).toMatchObject({ state: 'completed', counts: { total: 11, read: 11, created: 4, updated: 1, failed: 6 }, errorsTruncated: false, failure: null, attempts: 1 });
    expect(done.errors).toEqual([
      { line: 3, field: 'family_name', message: 'family_name is required' },
      { line: 4, field: 'email', message: 'email is not a valid e-mail address' },
      { line: 5, field: 'email', message: 'duplicate of line 2 (the same e-mail)' },
      { line: 6, message: 'has a value in column 9, which has no header (an unknown column)' },
      { line: 12, field: 'phone', message: expect.stringContaining('phone must be a valid phone number') },
      { line: 13, field: 'status', message: 'status must be one of applied, active, suspended, lapsed, resigned, expelled' },
      { line: 13, field: 'joined_on', message: 'joined_on must be a date YYYY-MM-DD' },
    ]);
    // Errors never quote the values.
    expect(JSON.stringify(done)).not.toMatch(/not-an-email|95544|emperor/);

    const rows = await t.db.query(
      `SELECT m.given_name, m.family_name, m.email, m.phone, m.region, ms.status, ms.joined_on::text, ms.title, ms.source
         FROM memberships ms JOIN members m ON m.id = ms.member_id WHERE ms.organisation_id = $1 ORDER BY m.family_name`,
      [org.id],
    );
    expect(rows).toEqual([
      { given_name: 'Sin', family_name: 'Correo', email: null, phone: null, region: 'Puno', status: 'active', joined_on: null, title: null, source: 'import' },
      // Known here: the person's data is only completed (phone), the membership refreshed (title).
      { given_name: 'Yola', family_name: 'Existente', email: inOrg.email, phone: '+51922222222', region: null, status: 'active', joined_on: '2026-01-15', title: 'tesorera', source: 'manual' },
      { given_name: 'Comma, Name', family_name: 'O\'Neil "Q"', email: `quoted.${tag}@example.org`, phone: null, region: null, status: 'active', joined_on: null, title: null, source: 'import' },
      // Known in B only: a new record of A's data controller, with what the file says and nothing of B's.
      { given_name: 'Bea', family_name: 'Otra', email: elsewhere.email, phone: null, region: null, status: 'applied', joined_on: null, title: null, source: 'import' },
      {
        given_name: 'Ana',
        family_name: 'Quispe',
        email: `ana.${tag}@example.org`,
        phone: '+51911111111',
        region: 'Cusco',
        status: 'active',
        joined_on: '2026-01-05',
        title: 'delegada',
        source: 'import',
      },
    ]);
    // B's record is untouched and still B's alone.
    const fromB = await request(t.http).get(`/api/v1/members/${elsewhere.id}`).set(w.users.adminB.auth);
    expect(fromB.body.memberships.map((m: { organisationId: string }) => m.organisationId)).toEqual([w.B.id]);
    expect(fromB.body).toMatchObject({ givenName: 'Beto', familyName: 'DeOtraOrg', phone: '+51900000001' });
    // The uploaded file is not kept once the import has completed.
    expect(await t.db.query('SELECT count(*)::int AS n FROM import_chunks WHERE import_id = $1', [res.body.id])).toEqual([{ n: 0 }]);
    const actions = (await t.db.query('SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id', [res.body.id])).map((r: { action: string }) => r.action);
    expect(actions).toEqual(['import.create', 'import.batch', 'import.complete']);
  });

  it('reads semicolon files with Spanish headers', async () => {
    const org = await makeOrganisation(t, { kind: 'chapter', parentId: w.A.id });
    const res = await upload(org.slug, `\uFEFFNombres;Apellidos;Correo electrónico;Teléfono;Región;Idiomas\nRosa;Huamán;${unique('rh')}@example.org;+51 944 555 666;Cusco;es, qu\n`);
    expect(res.status).toBe(202);
    expect(await finished(res.body.id)).toMatchObject({ state: 'completed', counts: { read: 1, created: 1, failed: 0 } });
    const [m] = await t.db.query('SELECT m.given_name, m.family_name, m.phone, m.region, m.languages FROM members m JOIN memberships ms ON ms.member_id = m.id WHERE ms.organisation_id = $1', [
      org.id,
    ]);
    expect(m).toEqual({ given_name: 'Rosa', family_name: 'Huamán', phone: '+51944555666', region: 'Cusco', languages: ['es', 'qu'] });
  });

  it('refuses a bad upload whole, with a clear 4xx, and keeps nothing of it', async () => {
    const before = await stored();
    const cases: [string | Buffer, number, string, RegExp][] = [
      ['given_name,family_name,email,shoe_size\nAna,Quispe,a@example.org,38\n', 400, 'invalid-header', /Unknown column "shoe_size" \(column 4\)/],
      ['given_name,email\nAna,a@example.org\n', 400, 'invalid-header', /no family_name column/],
      ['given_name,family_name,email,email\nAna,Q,a@x.org,b@x.org\n', 400, 'invalid-header', /repeats email/],
      ['given_name,family_name\nAna,"Quispe\nLuis,Mamani\n', 400, 'invalid-csv', /line \d+.*quoted field is never closed/],
      ['given_name,family_name\n', 400, 'empty-file', /no rows/],
      ['', 400, 'empty-file', /empty/],
      [`given_name,family_name\n${'Ana,Quispe\n'.repeat(MAX_BYTES / 11 + 10)}`, 413, 'payload-too-large', /IMPORT_MAX_BYTES/],
    ];
    for (const [content, status, code, detail] of cases) {
      const res = await upload(w.A.id, content);
      expect([res.status, res.body.code]).toEqual([status, code]);
      expect(res.body.detail).toMatch(detail);
    }
    const json = await request(t.http).post(`/api/v1/organisations/${w.A.id}/imports`).set(w.users.adminA.auth).send({ file: 'given_name,family_name' });
    expect([json.status, json.body.code]).toEqual([415, 'unsupported-media-type']);
    const noFile = await request(t.http).post(`/api/v1/organisations/${w.A.id}/imports`).set(w.users.adminA.auth).field('note', 'no file here');
    expect([noFile.status, noFile.body.code]).toEqual([400, 'no-file']);
    const external = await makeOrganisation(t, { external: true });
    expect((await upload(external.id, 'given_name,family_name\nA,B\n', w.users.platform.auth)).status).toBe(400);
    expect(await stored()).toEqual(before);
  });

  it('leaves no partial batch when a batch fails half-way, and a retry completes it without duplicates', async () => {
    const org = await makeOrganisation(t, { kind: 'chapter', parentId: w.A.id });
    const tag = unique('bulk');
    const lines = ['given_name,family_name,email,region'];
    for (let i = 1; i <= 12_000; i++) lines.push(`Persona,${i === 7000 ? 'Explota' : `Apellido${i}`},${tag}.${i}@example.org,Lima`);
    // A real seam: the database refuses one row of the second batch, as a constraint only checked on insert would.
    await t.db.query(`CREATE FUNCTION test_refuse_explota() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.family_name = 'Explota' THEN RAISE EXCEPTION 'test trigger refuses this row'; END IF; RETURN NEW; END $$`);
    await t.db.query('CREATE TRIGGER tr_test_refuse_explota BEFORE INSERT ON members FOR EACH ROW EXECUTE FUNCTION test_refuse_explota()');
    const ours = async () =>
      (
        await t.db.query(
          `SELECT count(*)::int AS people, count(DISTINCT lower(m.email))::int AS emails, (SELECT count(*)::int FROM memberships WHERE organisation_id = $2) AS memberships
             FROM members m WHERE m.email LIKE $1`,
          [`${tag}.%`, org.id],
        )
      )[0];

    const res = await upload(org.id, lines.join('\n'));
    expect(res.status).toBe(202);
    const failed = await finished(res.body.id);
    // Batch 1 (lines 2–5001) is in; batch 2 (lines 5002–10001, with line 7001) rolled back whole; batch 3 never ran.
    expect(failed).toMatchObject({ state: 'failed', counts: { total: 12_000, read: 5000, created: 5000, updated: 0, failed: 0 } });
    expect(failed.failure).toMatch(/test trigger refuses this row.*retry/);
    expect(await ours()).toEqual({ people: 5000, emails: 5000, memberships: 5000 });
    expect(await t.db.query('SELECT count(*)::int AS n FROM members WHERE email IN ($1, $2)', [`${tag}.5000@example.org`, `${tag}.5001@example.org`])).toEqual([{ n: 1 }]);

    // While a runner is alive (recent heartbeat) nobody else may take the import over; once it is presumed dead, they may.
    await t.db.query(`UPDATE imports SET state = 'running', run_token = gen_random_uuid(), heartbeat_at = now() WHERE id = $1`, [res.body.id]);
    expect((await request(t.http).post(`/api/v1/imports/${res.body.id}/retry`).set(w.users.adminA.auth)).body.code).toBe('import-in-progress');
    await t.db.query(`UPDATE imports SET heartbeat_at = now() - interval '1 hour' WHERE id = $1`, [res.body.id]);

    await t.db.query('DROP TRIGGER tr_test_refuse_explota ON members');
    const retry = await request(t.http).post(`/api/v1/imports/${res.body.id}/retry`).set(w.users.adminA.auth);
    expect(retry.status).toBe(202);
    const done = await finished(res.body.id);
    expect(done).toMatchObject({ state: 'completed', counts: { total: 12_000, read: 12_000, created: 12_000, updated: 0, failed: 0 }, failure: null, attempts: 2 });
    expect(await ours()).toEqual({ people: 12_000, emails: 12_000, memberships: 12_000 });
    expect((await request(t.http).post(`/api/v1/imports/${res.body.id}/retry`).set(w.users.adminA.auth)).body.code).toBe('import-completed');
    const actions = (await t.db.query('SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id', [res.body.id])).map((r: { action: string }) => r.action);
    expect(actions).toEqual(['import.create', 'import.batch', 'import.fail', 'import.retry', 'import.batch', 'import.batch', 'import.complete']);

    // The same file again: every row matches an existing membership, nothing new.
    const again = await upload(org.id, lines.join('\n').replace('Explota', 'Apellido7000'));
    expect(await finished(again.body.id)).toMatchObject({ state: 'completed', counts: { read: 12_000, created: 0, updated: 12_000, failed: 0 } });
    expect(await ours()).toEqual({ people: 12_000, emails: 12_000, memberships: 12_000 });

    // Exported again across several keyset batches: every membership once, in directory order.
    const exported = await request(t.http).get(`/api/v1/organisations/${org.id}/members.csv`).set(w.users.adminA.auth).buffer(true).parse(asText);
    const emails = (exported.body as string)
      .trim()
      .split('\r\n')
      .slice(1)
      .map((l) => l.split(',')[2]);
    expect(emails).toHaveLength(12_000);
    expect(new Set(emails).size).toBe(12_000);
    const ordered = (
      await t.db.query('SELECT m.email FROM members m JOIN memberships ms ON ms.member_id = m.id WHERE ms.organisation_id = $1 ORDER BY m.family_name, m.given_name, m.id', [org.id])
    ).map((r: { email: string }) => r.email);
    expect(emails).toEqual(ordered);
  });

  it('exports the list as CSV, streamed, in the import format, guarded against spreadsheet formulas', async () => {
    const org = await makeOrganisation(t, { kind: 'chapter', parentId: w.A.id });
    const sub = await makeOrganisation(t, { kind: 'chapter', parentId: org.id });
    const a = await makeMember(t, [{ organisation: org, title: 'vocal' }], { givenName: '=HYPERLINK("http://evil")', familyName: 'Apaza', phone: '+51911000111', languages: ['es', 'qu'] });
    const b = await makeMember(t, [org, sub], { givenName: 'Berta', familyName: 'Zapata, Ruiz' });
    const res = await request(t.http).get(`/api/v1/organisations/${org.id}/members.csv`).set(w.users.adminA.auth).buffer(true).parse(asText);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(new RegExp(`attachment; filename="members-${org.slug}-\\d{4}-\\d{2}-\\d{2}\\.csv"`));
    const body = res.body as string;
    const [header, ...rest] = body.split('\r\n');
    expect(header).toBe('given_name,family_name,email,phone,region,locality,languages,preferred_language,status,title,joined_on,dues_paid_until,organisation,member_id,ended_on');
    expect(rest.pop()).toBe(''); // the last line ends with CRLF too
    expect(rest[0]).toBe(`"'=HYPERLINK(""http://evil"")",Apaza,${a.email},'+51911000111,,,es qu,es,active,vocal,2026-01-15,,${org.slug},${a.id},`);
    expect(rest.slice(1).sort()).toEqual(
      [`Berta,"Zapata, Ruiz",${b.email},,,,,es,active,,2026-01-15,,${org.slug},${b.id},`, `Berta,"Zapata, Ruiz",${b.email},,,,,es,active,,2026-01-15,,${sub.slug},${b.id},`].sort(),
    );
    const audit = await t.db.query("SELECT actor_user_id FROM audit_log WHERE action = 'member.export_list' AND entity_id = $1", [org.id]);
    expect(audit).toEqual([{ actor_user_id: w.users.adminA.id }]);

    // Round trip: the export imports as it is into another organisation, the formula guard undone.
    const copy = await makeOrganisation(t, { kind: 'chapter', parentId: w.A.id });
    const imported = await upload(copy.id, body.replace(a.email!, `copy.${a.email}`));
    const done = await finished(imported.body.id);
    expect(done).toMatchObject({ state: 'completed', counts: { read: 3, created: 2, updated: 0, failed: 1 } });
    expect(done.errors).toEqual([{ line: 4, field: 'email', message: 'duplicate of line 3 (the same e-mail)' }]);
    const [copied] = await t.db.query('SELECT given_name, email, phone, languages FROM members WHERE email = $1', [`copy.${a.email}`]);
    expect(copied).toEqual({ given_name: '=HYPERLINK("http://evil")', email: `copy.${a.email}`, phone: '+51911000111', languages: ['es', 'qu'] });
  });

  it('guards e-mail and phone cells too: an anonymous membership application cannot plant a formula in the export, and the export still imports as it is', async () => {
    const org = await makeOrganisation(t, { kind: 'chapter', parentId: w.A.id });
    // A valid e-mail address, and a formula to a spreadsheet.
    const email = `=cmd|'/Ccalc.exe'!A0@${unique('evil')}.example`;
    const applied = await request(t.http)
      .post(`/api/v1/organisations/${org.id}/applications`)
      .send({ givenName: 'Rosa', familyName: 'Quispe', email, phone: '+51987650000', consent: { dataProcessing: true } });
    expect(applied.status).toBe(202);
    const other = await makeMember(t, [org], { givenName: 'Berta', familyName: 'Zapata', email: `-2+3.${unique('minus')}@example.org`, phone: null });

    const res = await request(t.http).get(`/api/v1/organisations/${org.id}/members.csv`).set(w.users.adminA.auth).buffer(true).parse(asText);
    expect(res.status).toBe(200);
    const body = res.body as string;
    const rows = parseCsv<Record<string, string>>(body, { columns: true });
    const rosa = rows.find((r) => r.family_name === 'Quispe')!;
    expect({ email: rosa.email, phone: rosa.phone }).toEqual({ email: `'${email}`, phone: "'+51987650000" });
    expect(rows.find((r) => r.family_name === 'Zapata')!.email).toBe(`'${other.email}`);
    // No cell of the file is one a spreadsheet would read as a formula.
    const cells: string[][] = parseCsv(body);
    expect(cells.flat().filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);

    // Round trip: imported as it is into another organisation, the same two people are found by their e-mails (the guard undone).
    const copy = await makeOrganisation(t, { kind: 'chapter', parentId: w.A.id });
    const people = async () => (await t.db.query('SELECT count(*)::int AS n FROM members'))[0].n;
    const before = await people();
    const done = await finished((await upload(copy.id, body)).body.id);
    expect(done).toMatchObject({ state: 'completed', counts: { read: 2, created: 2, updated: 0, failed: 0 } }); // two new memberships…
    expect(await people()).toBe(before); // …of the two people already known, not of two new ones
    const inCopy = await t.db.query('SELECT m.email, m.phone FROM members m JOIN memberships ms ON ms.member_id = m.id WHERE ms.organisation_id = $1 ORDER BY m.family_name', [copy.id]);
    expect(inCopy).toEqual([
      { email, phone: '+51987650000' },
      { email: other.email, phone: null },
    ]);
  });
});
