import request from 'supertest';

import { MemberImportService } from '../src/members/member-import.service';
import type { Member } from '../src/members/member.entity';
import { bootTestApp, type TestApp } from './support/app';
import { buildWorld, linkMember, login, makeMember, makeUser, PASSWORD, unique, type World } from './support/world';

/**
 * Every column of every table that can hold text: where a person's data
 * could hide. Returns "table.column" for each column containing a needle
 * (case-insensitive; bytea compared as UTF-8 bytes).
 */
async function holders(t: TestApp, needles: string[]): Promise<string[]> {
  const columns = await t.db.query<{ table_name: string; column_name: string; data_type: string }[]>(
    `SELECT c.table_name, c.column_name, c.data_type
       FROM information_schema.columns c JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name
      WHERE c.table_schema = 'public' AND tb.table_type = 'BASE TABLE'
        AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'bytea') OR c.udt_name = 'citext')`,
  );
  expect(columns.length).toBeGreaterThan(20);
  const hits: string[] = [];
  for (const { table_name, column_name, data_type } of columns) {
    const col = `"${column_name}"`;
    const test = data_type === 'bytea' ? `position(convert_to(n, 'UTF8') IN ${col}) > 0` : `strpos(lower(${col}::text), lower(n)) > 0`;
    const [row] = await t.db.query<{ hit: boolean }[]>(`SELECT EXISTS (SELECT 1 FROM "${table_name}", unnest($1::text[]) n WHERE ${test}) AS hit`, [needles]);
    if (row.hit) hits.push(`${table_name}.${column_name}`);
  }
  return hits.sort();
}

describe('erasure', () => {
  let t: TestApp;
  let w: World;
  beforeAll(async () => {
    t = await bootTestApp();
    w = await buildWorld(t);
  });
  afterAll(async () => {
    await t.app.get(MemberImportService).idle();
    await t.close();
  });

  const statsOf = async (orgId: string) => (await request(t.http).get(`/api/v1/organisations/${orgId}/stats`).set(w.users.platform.auth)).body;

  /**
   * A person known everywhere data can go inside one data controller (party P
   * and its current A): two organisations, a form, an import, a login, a
   * failed login, edits.
   */
  async function thoroughlyKnownPerson() {
    const tag = unique('z').replace(/\W/g, '');
    const person = {
      givenName: `Zephyrina${tag}`,
      familyName: `Quillacollo${tag}`,
      email: `zq.${tag}@example.org`,
      phone: `+519${String(Date.now()).slice(-8)}`,
      locality: `Yanahuara${tag}`,
    };
    const applied = await request(t.http)
      .post(`/api/v1/organisations/${w.A.id}/applications`)
      .send({
        givenName: person.givenName,
        familyName: person.familyName,
        email: person.email,
        phone: person.phone,
        region: 'Arequipa',
        locality: person.locality,
        consent: { dataProcessing: true, contactBySms: true },
      });
    expect(applied.status).toBe(202);
    const [{ id }] = await t.db.query('SELECT id FROM members WHERE email = $1::citext', [person.email]);
    const [membershipA] = await t.db.query('SELECT id FROM memberships WHERE member_id = $1', [id]);
    expect(
      (
        await request(t.http)
          .patch(`/api/v1/memberships/${membershipA.id}`)
          .set(w.users.adminA.auth)
          .send({ status: 'active', title: `enlace de ${person.familyName}` })
      ).status,
    ).toBe(200);
    expect(
      (
        await request(t.http)
          .patch(`/api/v1/members/${id}`)
          .set(w.users.adminA.auth)
          .send({ languages: ['es', 'qu'] })
      ).status,
    ).toBe(200);
    const inP = await request(t.http)
      .post('/api/v1/members')
      .set(w.users.adminP.auth)
      .send({
        givenName: person.givenName,
        familyName: person.familyName,
        email: person.email.toUpperCase(),
        memberships: [{ organisationId: w.P.id, title: person.givenName }],
        consent: { dataProcessing: true },
      });
    expect(inP.status).toBe(201);
    expect(inP.body.id).toBe(id); // the same record: P and A are one data controller
    // An import into P naming the person (its file is discarded once completed) …
    const csv = `given_name,family_name,email,phone,locality\n${person.givenName},${person.familyName},${person.email},${person.phone},${person.locality}\n`;
    const imported = await request(t.http).post(`/api/v1/organisations/${w.P.id}/imports`).set(w.users.adminP.auth).attach('file', Buffer.from(csv), 'p.csv');
    expect(imported.status).toBe(202);
    await t.app.get(MemberImportService).idle();
    // … and a failed import whose stored file still names them.
    const [failed] = await t.db.query(
      `INSERT INTO imports (organisation_id, state, filename, bytes, rows_total, failure) VALUES ($1, 'failed', 'old.csv', $2, 1, 'A batch could not be saved') RETURNING id`,
      [w.P.id, csv.length],
    );
    await t.db.query('INSERT INTO import_chunks (import_id, seq, data) VALUES ($1, 0, $2)', [failed.id, Buffer.from(csv)]);
    // A login for the person, and a failed login that left a counter keyed by the e-mail.
    const user = await makeUser(t, [], { email: person.email });
    await linkMember(t, user, { id } as Member);
    expect((await request(t.http).post('/api/v1/auth/login').send({ email: person.email, password: 'not the password at all' })).status).toBe(401);
    return { id: id as string, person, user, failedImport: failed.id as string };
  }

  it('removes the person’s name, e-mail and phone from every table, keeps the counts, and audits it without values', async () => {
    const { id, person, user, failedImport } = await thoroughlyKnownPerson();
    const needles = [person.givenName, person.familyName, person.email, person.phone, person.phone.slice(1), person.locality];
    // The search can find them: it is looking in the right places.
    expect(await holders(t, needles)).toEqual(
      expect.arrayContaining([
        'import_chunks.data',
        'member_search_terms.word',
        'member_search_words.family_name',
        'member_search_words.given_name',
        'member_search_words.word',
        'members.email',
        'members.family_name',
        'members.given_name',
        'members.locality',
        'members.phone',
        'memberships.title',
        'rate_limits.key',
        'users.email',
      ]),
    );
    const before = { A: await statsOf(w.A.id), P: await statsOf(w.P.id) };

    // A's admin does not manage the membership in P; B's admin does not even see the record.
    expect((await request(t.http).post(`/api/v1/members/${id}/erase`).set(w.users.adminA.auth)).status).toBe(403);
    expect((await request(t.http).post(`/api/v1/members/${id}/erase`).set(w.users.adminB.auth)).status).toBe(404);
    const res = await request(t.http).post(`/api/v1/members/${id}/erase`).set(w.users.platform.auth);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, erasedAt: expect.any(String), membershipsEnded: 2 });

    expect(await holders(t, needles)).toEqual([]);

    // Counted still, now as resigned.
    const after = { A: await statsOf(w.A.id), P: await statsOf(w.P.id) };
    for (const org of ['A', 'P'] as const) {
      expect(after[org].total).toBe(before[org].total);
      expect(after[org].byStatus.resigned).toBe(before[org].byStatus.resigned + 1);
      expect(after[org].byStatus.active).toBe(before[org].byStatus.active - 1);
    }
    const seen = await request(t.http).get(`/api/v1/members/${id}`).set(w.users.adminA.auth);
    expect(seen.body).toMatchObject({ givenName: 'Erased', familyName: 'Erased', email: null, phone: null, locality: null, languages: [], erasedAt: expect.any(String) });
    expect(seen.body.memberships).toEqual([expect.objectContaining({ organisationId: w.A.id, status: 'resigned', title: null, endedOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) })]);

    // The audit log shows who erased whom, with ids only.
    const [entry] = await t.db.query("SELECT actor_user_id, organisation_id, changes FROM audit_log WHERE action = 'member.erase' AND entity_id = $1", [id]);
    expect(entry.actor_user_id).toBe(w.users.platform.id);
    expect(Object.keys(entry.changes).sort()).toEqual(['erasedAt', 'memberships', 'userId']);
    expect(entry.changes.userId).toEqual({ from: user.id, to: null });
    expect(entry.changes.memberships.to).toHaveLength(2);
    const ended = await t.db.query("SELECT organisation_id, changes FROM audit_log WHERE action = 'membership.erase' ORDER BY organisation_id");
    expect(ended.map((e: { organisation_id: string }) => e.organisation_id).sort()).toEqual([w.A.id, w.P.id].sort());
    expect(ended.every((e: { changes: { status: { to: string } } }) => e.changes.status.to === 'resigned')).toBe(true);
    // Earlier diffs of this person never held the values (masked on write).
    const history = await t.db.query("SELECT changes FROM audit_log WHERE entity = 'member' AND entity_id = $1 AND action IN ('member.create', 'member.update')", [id]);
    expect(history.length).toBeGreaterThan(0);
    expect(JSON.stringify(history)).toContain('[personal data]');

    // The login is closed: its token and its password stop working.
    expect((await request(t.http).get('/api/v1/auth/me').set(user.auth)).status).toBe(401);
    expect((await request(t.http).post('/api/v1/auth/login').send({ email: person.email, password: PASSWORD })).status).toBe(401);
    // The failed import can no longer be retried from a file that named the person.
    expect((await request(t.http).post(`/api/v1/imports/${failedImport}/retry`).set(w.users.adminP.auth)).body.code).toBe('import-file-gone');
    expect((await request(t.http).post(`/api/v1/members/${id}/erase`).set(w.users.platform.auth)).body.code).toBe('already-erased');
    expect((await request(t.http).patch(`/api/v1/members/${id}`).set(w.users.adminA.auth).send({ givenName: 'Back' })).body.code).toBe('member-erased');
    // A new application with the same e-mail is a new, unrelated person.
    expect(
      (
        await request(t.http)
          .post(`/api/v1/organisations/${w.A.id}/applications`)
          .send({ givenName: 'Z', familyName: 'Q', email: person.email, consent: { dataProcessing: true } })
      ).status,
    ).toBe(202);
    expect((await t.db.query('SELECT id FROM members WHERE email = $1::citext', [person.email]))[0].id).not.toBe(id);
  });

  it('discards only the failed-import files of the erased record’s data controller (all of them when the person erases themselves)', async () => {
    // A failed import whose stored file is still kept, into `org`.
    const failedImportInto = async (orgId: string) => {
      const csv = `given_name,family_name\nKeep${unique('k').replace(/\W/g, '')},Stored\n`;
      const [row] = await t.db.query(
        `INSERT INTO imports (organisation_id, state, filename, bytes, rows_total, failure) VALUES ($1, 'failed', 'kept.csv', $2, 1, 'A batch could not be saved') RETURNING id`,
        [orgId, csv.length],
      );
      await t.db.query('INSERT INTO import_chunks (import_id, seq, data) VALUES ($1, 0, $2)', [row.id, Buffer.from(csv)]);
      return row.id as string;
    };
    const stored = async (importId: string) => {
      const [row] = await t.db.query('SELECT failure, EXISTS (SELECT 1 FROM import_chunks c WHERE c.import_id = i.id) AS kept FROM imports i WHERE id = $1', [importId]);
      return row as { failure: string; kept: boolean };
    };

    // P's admin erases a record of P's controller (P and its current A): B's failed import is another controller's.
    const inB = await failedImportInto(w.B.id);
    const inA = await failedImportInto(w.A.id);
    const person = await makeMember(t, [w.P]);
    expect((await request(t.http).post(`/api/v1/members/${person.id}/erase`).set(w.users.adminP.auth)).status).toBe(200);
    expect(await stored(inB)).toEqual({ failure: 'A batch could not be saved', kept: true });
    expect(await stored(inA)).toEqual({ failure: expect.stringContaining('discarded by an erasure'), kept: false });
    // B's admin can still retry B's import: its file is there.
    expect((await request(t.http).post(`/api/v1/imports/${inB}/retry`).set(w.users.adminB.auth)).status).toBe(202);
    await t.app.get(MemberImportService).idle();

    // The person erasing themselves: their data may be in any controller's file, so every failed file goes.
    const elsewhere = await failedImportInto(w.B.id);
    const me = await makeMember(t, [w.A]);
    const user = await makeUser(t, [], { email: me.email! });
    await linkMember(t, user, me);
    expect((await request(t.http).post('/api/v1/me/erase').set(user.auth).send({ password: PASSWORD })).status).toBe(200);
    expect((await stored(elsewhere)).kept).toBe(false);
  });

  it('lets the person erase themselves with their password: every record linked to the login, in every data controller', async () => {
    const me = await makeMember(t, [w.A], { givenName: 'Selma', familyName: unique('Self'), phone: '+51900111222' });
    const meInB = await makeMember(t, [w.B], { givenName: 'Selma', familyName: me.familyName, email: me.email, phone: '+51900111222' });
    const user = await makeUser(t, [], { email: me.email! });
    await linkMember(t, user, me);
    await linkMember(t, user, meInB);
    expect((await request(t.http).post('/api/v1/me/erase').set(user.auth).send({ password: 'wrong password!' })).status).toBe(401);
    expect((await request(t.http).post('/api/v1/me/erase').set(user.auth).send({})).status).toBe(400);
    const res = await request(t.http).post('/api/v1/me/erase').set(user.auth).send({ password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: me.id, membershipsEnded: 2 });
    expect(await holders(t, [me.familyName, me.email!, '+51900111222'])).toEqual([]);
    expect((await request(t.http).get('/api/v1/me/export').set(user.auth)).status).toBe(401);
    const [entry] = await t.db.query("SELECT actor_user_id FROM audit_log WHERE action = 'member.erase' AND entity_id = $1", [me.id]);
    expect(entry.actor_user_id).toBe(user.id);
  });

  it('erases a record without touching what its login holds elsewhere, and lets one organisation erase a record only it holds', async () => {
    // A staff login linked to a record of A and one of B: A's erasure unlinks A's record and says nothing of the rest.
    const staff = await makeMember(t, [w.A]);
    const staffInB = await makeMember(t, [w.B], { email: staff.email });
    const user = await makeUser(t, [{ role: 'organiser', organisation: w.A }], { email: staff.email! });
    await linkMember(t, user, staff);
    await linkMember(t, user, staffInB);
    const erased = await request(t.http).post(`/api/v1/members/${staff.id}/erase`).set(w.users.adminA.auth);
    expect(erased.status).toBe(200);
    expect((await t.db.query('SELECT erased_at FROM members WHERE id = $1', [staff.id]))[0].erased_at).not.toBeNull();
    expect((await t.db.query('SELECT email, erased_at FROM members WHERE id = $1', [staffInB.id]))[0]).toEqual({ email: staff.email, erased_at: null });
    const { token } = await login(t, staff.email!);
    expect((await request(t.http).get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`)).body.members).toEqual([{ id: staffInB.id, controllerId: w.B.id }]);
    // The person may not close a login that holds roles themselves: staff accounts are closed by giving the roles up first.
    const refused = await request(t.http).post('/api/v1/me/erase').set('Authorization', `Bearer ${token}`).send({ password: PASSWORD });
    expect([refused.status, refused.body.code]).toEqual([409, 'staff-login']);
    expect((await t.db.query('SELECT erased_at FROM members WHERE id = $1', [staffInB.id]))[0].erased_at).toBeNull();

    const onlyA = await makeMember(t, [w.A, { organisation: w.P, status: 'applied' }]);
    // A's admin does not manage P (A's parent): P's admin does, and manages A too.
    expect((await request(t.http).post(`/api/v1/members/${onlyA.id}/erase`).set(w.users.adminA.auth)).status).toBe(403);
    expect((await request(t.http).post(`/api/v1/members/${onlyA.id}/erase`).set(w.users.adminB.auth)).status).toBe(404);
    expect((await request(t.http).post(`/api/v1/members/${onlyA.id}/erase`).set(w.users.adminP.auth)).status).toBe(200);
  });
});
