import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import request from 'supertest';

import { AccessService } from '../src/access/access.service';
import { MemberSearchRepository, MERGED_EXPANSIONS, type DirectoryFilter, type DirectoryScope } from '../src/members/member-search.repository';
import { TRANSITIONS } from '../src/members/membership-workflow';
import { MEMBERSHIP_STATUSES, type MembershipStatus } from '../src/members/membership.entity';
import { APPLICATION_LIMIT } from '../src/members/memberships.service';
import { bootTestApp, type TestApp } from './support/app';
import { attack, type PartnerAnswer, type Shown } from './support/disclosure';
import { auditEntriesFor, buildWorld, linkMember, makeCoalition, makeMember, makeOrganisation, makeUser, unique, type World } from './support/world';

describe('members and memberships', () => {
  let t: TestApp;
  let w: World;
  beforeAll(async () => {
    // Each test that applies speaks from its own address (X-Forwarded-For), so rate limits do not mix.
    t = await bootTestApp({ env: { TRUST_PROXY: 'true' } });
    w = await buildWorld(t);
  });
  afterAll(() => t.close());

  const api = (who: keyof World['users']) => {
    const auth = w.users[who].auth;
    return {
      get: (path: string) => request(t.http).get(`/api/v1${path}`).set(auth),
      post: (path: string, body: object = {}) => request(t.http).post(`/api/v1${path}`).set(auth).send(body),
      patch: (path: string, body: object) => request(t.http).patch(`/api/v1${path}`).set(auth).send(body),
    };
  };
  const apply = (org: string, body: object, ip = '198.51.100.1') => request(t.http).post(`/api/v1/organisations/${org}/applications`).set('x-forwarded-for', ip).send(body);
  const count = async (sql: string, params: unknown[] = []) => Number((await t.db.query(sql, params))[0].n);

  describe('one person, several organisations', () => {
    it('applying to a current and its party makes one record; applying to another party makes another, and neither admin learns of the other', async () => {
      const email = `${unique('maria')}@example.org`;
      const body = (emailAs: string, givenName: string) => ({
        givenName,
        familyName: 'Atencio',
        email: emailAs,
        phone: '+51 987 654 321',
        region: 'Cusco',
        consent: { dataProcessing: true, contactByEmail: true, noticeVersion: '2026-01' },
      });
      const first = await apply(w.A.id, body(email, 'María'), '198.51.100.10');
      const second = await apply(w.P.slug, body(email.toUpperCase(), 'Impostora'), '198.51.100.10');
      const third = await apply(w.B.slug, body(email, 'Beatriz'), '198.51.100.10');
      expect([first.status, second.status, third.status]).toEqual([202, 202, 202]);
      expect(second.body).toEqual(first.body); // the same answer for a known and an unknown e-mail
      expect(third.body).toEqual(first.body);

      // P and its current A are one data controller: one record there; B is another controller with a record of its own.
      const people = await t.db.query('SELECT id, given_name, controller_id FROM members WHERE email = $1::citext ORDER BY created_at', [email]);
      expect(people.map((p: { given_name: string; controller_id: string }) => [p.given_name, p.controller_id])).toEqual([
        ['María', w.P.id], // an anonymous form never rewrites a known record
        ['Beatriz', w.B.id],
      ]);
      const [inP, inB] = people.map((p: { id: string }) => p.id);
      const rows = await t.db.query('SELECT organisation_id, status, source FROM memberships WHERE member_id = $1 ORDER BY created_at', [inP]);
      expect(rows).toEqual([
        { organisation_id: w.A.id, status: 'applied', source: 'form' },
        { organisation_id: w.P.id, status: 'applied', source: 'form' },
      ]);
      expect(await count('SELECT count(*) AS n FROM member_consents WHERE member_id = $1', [inP])).toBe(2);

      for (const [who, id, mine, others] of [
        ['adminA', inP, w.A, [w.P.id, w.B.id, inB]],
        ['adminB', inB, w.B, [w.A.id, w.P.id, inP]],
      ] as const) {
        const seen = await api(who).get(`/members/${id}`);
        expect(seen.status).toBe(200);
        expect(seen.body.memberships.map((m: { organisationId: string }) => m.organisationId)).toEqual([mine.id]);
        expect(seen.body.consent).toMatchObject({ organisationId: mine.id, dataProcessing: true, contactByEmail: true, contactBySms: false, noticeVersion: '2026-01' });
        expect(seen.body).toMatchObject({ email, phone: '+51987654321' });
        const exported = await api(who).get(`/members/${id}/export`);
        expect(exported.status).toBe(200);
        expect(exported.body.scope).toBe('scoped');
        expect(exported.body.consents).toHaveLength(1);
        const listed = await api(who).get(`/members?q=atencio`);
        expect(listed.body.items.filter((i: { email: string }) => i.email === email).map((i: { id: string }) => i.id)).toEqual([id]);
        // Nothing of the other organisations or the other record anywhere in what this admin can read.
        for (const res of [seen, exported, listed]) for (const other of others) expect(JSON.stringify(res.body)).not.toContain(other);
      }
      // The other controller's record is a 404, like an id that does not exist.
      expect((await api('adminA').get(`/members/${inB}`)).status).toBe(404);
    });

    it('creating a member with an e-mail your controller holds adds the membership to that record; another controller’s record is never touched', async () => {
      const known = await makeMember(t, [w.P], { givenName: 'Lucía', phone: null });
      const res = await api('adminA').post('/members', {
        givenName: 'Lucia',
        familyName: 'Otra',
        email: known.email!.toUpperCase(),
        phone: '+51911222333',
        memberships: [{ organisationId: w.A.id, status: 'active', title: 'delegada' }],
      });
      expect(res.status).toBe(201);
      expect(res.body.id).toBe(known.id);
      expect(res.body.memberships).toHaveLength(1);
      expect(res.body.memberships[0]).toMatchObject({ organisationId: w.A.id, status: 'active', source: 'manual', title: 'delegada', joinedOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
      // The known record's data is completed where empty, never overwritten.
      expect(res.body).toMatchObject({ givenName: 'Lucía', familyName: known.familyName, phone: '+51911222333' });
      const fromP = await api('adminP').get(`/members/${known.id}`);
      expect(fromP.body.memberships.map((m: { organisationId: string }) => m.organisationId).sort()).toEqual([w.A.id, w.P.id].sort());
      const again = await api('adminA').post('/members', { givenName: 'L', familyName: 'O', email: known.email, memberships: [{ organisationId: w.A.id }] });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('already-member');
      // In B, the same address is a new record with B's data only.
      const inB = await api('adminB').post('/members', { givenName: 'Lu', familyName: 'Be', email: known.email, memberships: [{ organisationId: w.B.id }] });
      expect(inB.status).toBe(201);
      expect(inB.body.id).not.toBe(known.id);
      expect(inB.body).toMatchObject({ givenName: 'Lu', familyName: 'Be', phone: null });
      expect(await count('SELECT count(*) AS n FROM members WHERE email = $1::citext', [known.email])).toBe(2);
      expect((await t.db.query('SELECT phone, given_name FROM members WHERE id = $1', [known.id]))[0]).toEqual({ phone: '+51911222333', given_name: 'Lucía' });
    });

    it('lets the person read and correct their own record, with all memberships', async () => {
      const me = await makeMember(t, [w.A, w.P]);
      const user = await makeUser(t);
      await linkMember(t, user, me);
      const own = await request(t.http).get(`/api/v1/members/${me.id}`).set(user.auth);
      expect(own.status).toBe(200);
      expect(own.body.memberships).toHaveLength(2);
      const fixed = await request(t.http)
        .patch(`/api/v1/members/${me.id}`)
        .set(user.auth)
        .send({ locality: 'Wanchaq', languages: ['es', 'qu'] });
      expect(fixed.status).toBe(200);
      expect(fixed.body).toMatchObject({ locality: 'Wanchaq', languages: ['es', 'qu'] });
      const other = await makeMember(t, [w.A]);
      expect((await request(t.http).get(`/api/v1/members/${other.id}`).set(user.auth)).status).toBe(404);
      const mine = await request(t.http).get('/api/v1/me/export').set(user.auth);
      expect(mine.body.members).toHaveLength(1);
      expect(mine.body.members[0].scope).toBe('all');
      expect(mine.body.members[0].member.memberships).toHaveLength(2);
      expect(mine.body.user.email).toBe(user.email);
    });

    it('gives the derived member role: organisations where any linked record is active, across data controllers', async () => {
      const inP = await makeMember(t, [
        { organisation: w.A, status: 'active' },
        { organisation: w.P, status: 'suspended' },
      ]);
      const inB = await makeMember(t, [{ organisation: w.B, status: 'applied' }]);
      const user = await makeUser(t);
      await linkMember(t, user, inP);
      await linkMember(t, user, inB);
      const caller = { user: { id: user.id, email: user.email, isPlatformAdmin: false, memberIds: [inP.id, inB.id], sessionId: 'x', roles: [] }, requestId: 'test', ip: '127.0.0.1' };
      expect(await t.app.get(AccessService).memberOrganisationIds(caller)).toEqual([w.A.id]);
      await t.db.query(`UPDATE memberships SET status = 'active', joined_on = '2026-02-01' WHERE member_id = $1`, [inB.id]);
      const again = { ...caller, user: { ...caller.user } }; // a new request: the per-request cache starts empty
      expect((await t.app.get(AccessService).memberOrganisationIds(again)).sort()).toEqual([w.A.id, w.B.id].sort());
    });
  });

  describe('membership status workflow', () => {
    const pairs = MEMBERSHIP_STATUSES.flatMap((from) => MEMBERSHIP_STATUSES.filter((to) => to !== from).map((to) => [from, to] as [MembershipStatus, MembershipStatus]));

    it('allows exactly the transitions of the table, 409 otherwise, and audits each change', async () => {
      const outcome: string[] = [];
      for (const [from, to] of pairs) {
        const m = await makeMember(t, [{ organisation: w.A, status: from, joinedOn: from === 'applied' ? null : '2026-01-15' }]);
        const res = await api('adminA').patch(`/memberships/${m.membershipIds[0]}`, { status: to });
        expect(res.status).toBeLessThan(500);
        outcome.push(`${from}->${to}: ${res.status}`);
        if (res.status === 200) {
          const entries = await auditEntriesFor(t, m.membershipIds[0]);
          expect(entries.map((e) => e.action)).toEqual(['membership.status']);
          expect(entries[0].changes).toMatchObject({ status: { from, to } });
          if (to === 'active') expect(res.body).toMatchObject({ endedOn: null, joinedOn: expect.stringMatching(/^\d{4}-/) });
          if (['lapsed', 'resigned', 'expelled'].includes(to)) expect(res.body.endedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        } else {
          expect(res.body.code).toBe('invalid-transition');
          expect((await t.db.query('SELECT status FROM memberships WHERE id = $1', [m.membershipIds[0]]))[0].status).toBe(from);
        }
      }
      expect(outcome).toEqual(pairs.map(([from, to]) => `${from}->${to}: ${TRANSITIONS[from].includes(to) ? 200 : 409}`));
      // The table itself, as decided: resigned and expelled are final.
      expect(TRANSITIONS).toEqual({
        applied: ['active', 'resigned'],
        active: ['suspended', 'lapsed', 'resigned', 'expelled'],
        suspended: ['active', 'resigned', 'expelled'],
        lapsed: ['active', 'resigned'],
        resigned: [],
        expelled: [],
      });
    });

    it('lets an organiser see a membership but not change it, and validates the other fields', async () => {
      const m = await makeMember(t, [w.A]);
      const id = m.membershipIds[0];
      expect((await api('organiserA').patch(`/memberships/${id}`, { title: 'x' })).status).toBe(403);
      expect((await api('adminA').patch(`/memberships/${id}`, { title: 'tesorera', duesPaidUntil: '2026-12-31' })).body).toMatchObject({ title: 'tesorera', duesPaidUntil: '2026-12-31' });
      expect((await api('adminA').patch(`/memberships/${id}`, { endedOn: '2026-02-01' })).body.code).toBe('not-ended');
      expect((await api('adminA').patch(`/memberships/${id}`, { status: 'lapsed', endedOn: '2020-01-01' })).body.code).toBe('invalid-dates');
      expect((await api('adminA').patch(`/memberships/${id}`, { duesPaidUntil: '2026-02-30' })).status).toBe(400);
      expect((await api('adminA').patch(`/memberships/${id}`, { status: 'emperor' })).status).toBe(400);
      expect((await api('adminA').patch(`/memberships/${id}`, { memberId: w.B.id })).status).toBe(400);
      expect((await t.db.query('SELECT status, title FROM memberships WHERE id = $1', [id]))[0]).toEqual({ status: 'active', title: 'tesorera' });
    });
  });

  describe('directory and search', () => {
    it('finds "Atencio" when searching "Atencia", by name or e-mail, only inside the caller’s scope', async () => {
      const org = await makeOrganisation(t, { kind: 'chapter', parentId: w.A.id });
      const atencio = await makeMember(t, [org], { givenName: 'Rosa', familyName: 'Atencio', email: `${unique('rosa.atencio')}@example.org` });
      const elsewhere = await makeMember(t, [w.B], { givenName: 'Rosa', familyName: 'Atencio' });
      await makeMember(t, [org], { givenName: 'Pedro', familyName: 'Castillo' });
      const ids = async (who: keyof World['users'], q: string) => {
        const res = await api(who).get(`/members?organisation=${org.id}&q=${encodeURIComponent(q)}`);
        expect(res.status).toBe(200);
        return res.body.items.map((i: { id: string }) => i.id);
      };
      expect(await ids('adminA', 'Atencia')).toEqual([atencio.id]);
      expect(await ids('adminA', 'rosa atencia')).toEqual([atencio.id]);
      expect(await ids('adminA', 'ATENCIO')).toEqual([atencio.id]);
      expect(await ids('adminA', 'Zyxwvut')).toEqual([]);
      expect(await ids('organiserA', 'atencio')).toEqual([atencio.id]);
      const all = await api('adminA').get('/members?q=Atencia');
      expect(all.body.items.map((i: { id: string }) => i.id)).toContain(atencio.id);
      expect(all.body.items.map((i: { id: string }) => i.id)).not.toContain(elsewhere.id);
      expect((await api('adminB').get(`/members?organisation=${org.id}&q=atencio`)).status).toBe(403);
    });

    it('searches by words: accents and case ignored, e-mails by their start, renames followed, pages in name order', async () => {
      const org = await makeOrganisation(t, { kind: 'chapter', parentId: w.A.id });
      const tag = unique('n').replace(/\W/g, '');
      const nelida = await makeMember(t, [org], { givenName: 'Nélida', familyName: 'Huamán Ccori', email: `nh.${tag}@example.org` });
      for (let i = 0; i < 7; i++) await makeMember(t, [org], { givenName: ['Ana', 'Eva', 'Rosa'][i % 3], familyName: i % 2 ? 'Quispe Mamani' : 'Apaza Quispe' });
      const search = async (q: string, limit = 50) => {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const res: request.Response = await api('adminA').get(`/members?organisation=${org.id}&limit=${limit}&q=${encodeURIComponent(q)}${cursor ? `&cursor=${cursor}` : ''}`);
          expect(res.status).toBe(200);
          seen.push(...res.body.items.map((i: { id: string }) => i.id));
          cursor = res.body.nextCursor;
        } while (cursor);
        return seen;
      };
      expect(await search('huaman')).toEqual([nelida.id]);
      expect(await search('NELIDA HUAMÁN')).toEqual([nelida.id]);
      expect(await search('Huamam')).toEqual([nelida.id]);
      // A word with digits matches the start of a word: an e-mail address typed in part.
      expect(await search(tag.slice(0, -1))).toEqual([nelida.id]);
      const quispes = (
        await t.db.query(
          `SELECT m.id FROM members m JOIN memberships ms ON ms.member_id = m.id WHERE ms.organisation_id = $1 AND m.family_name LIKE '%Quispe%' ORDER BY m.family_name, m.given_name, m.id`,
          [org.id],
        )
      ).map((r: { id: string }) => r.id);
      expect(quispes).toHaveLength(7);
      expect(await search('quispe', 2)).toEqual(quispes);
      expect(await search('rosa quispe', 1)).toHaveLength(2);
      // Renamed: found by the new name only.
      expect((await api('adminA').patch(`/members/${nelida.id}`, { familyName: 'Zevallos' })).status).toBe(200);
      expect(await search('huaman')).toEqual([]);
      expect(await search('zevallos nelida')).toEqual([nelida.id]);
    });

    it('answers the same whichever query shape the scope and the words call for', async () => {
      // The directory statement takes one of four shapes (a narrow or broad scope, few or many expansions);
      // forcing each on the same data must give the same pages.
      const search = t.app.get(MemberSearchRepository);
      const org = await makeOrganisation(t, { kind: 'chapter', parentId: w.A.id });
      const tag = unique('v').replace(/\W/g, '');
      for (let i = 0; i < MERGED_EXPANSIONS + 8; i++) {
        await makeMember(t, [{ organisation: org, status: i % 4 ? 'active' : 'suspended' }], {
          givenName: ['Ana', 'Rosa', 'Eva'][i % 3],
          familyName: i % 2 ? 'Quispe Mamani' : 'Condori',
          email: `${tag}${String(i).padStart(2, '0')}@example.org`,
          region: i % 5 ? 'Puno' : 'Cusco',
        });
      }
      const [controller] = await t.db.query(`SELECT organisation_root($1) AS id`, [org.id]);
      // The chapter's members (a list of organisations), or every member of its data controller (a role on the top-level organisation).
      const scopes: Omit<DirectoryScope, 'broad'>[] = [
        { controllers: [controller.id], listed: [org.id], shown: [org.id] },
        { controllers: [controller.id], listed: 'members', shown: 'all' },
      ];
      const pageOf = async (scope: DirectoryScope, q: string, extra: Partial<DirectoryFilter> = {}) => {
        const out: string[] = [];
        let after: DirectoryFilter['after'] = null;
        for (;;) {
          const rows = await search.directoryPage(t.db.manager, { scope, after, rows: 4, words: q ? await search.expandSearch(t.db.manager, q) : [], ...extra });
          out.push(...rows.map((r) => r.id));
          if (rows.length < 4) return out;
          const last = rows[rows.length - 1];
          after = [last.family_name, last.given_name, last.id];
        }
      };
      expect((await search.expandSearch(t.db.manager, tag))[0].length).toBeGreaterThan(MERGED_EXPANSIONS);
      for (const [q, extra] of [
        ['', {}],
        ['quispe', {}],
        ['rosa mamani', {}],
        // Whichever word leads (the rarer by the statistics), the same page.
        ['rosa mamani', { commonWords: new Map([['rosa', 0.2]]) }],
        ['rosa mamani', { commonWords: new Map([['mamani', 0.2]]) }],
        ['condori', { status: 'suspended' }],
        ['quispe', { region: 'Cusco' }],
        [tag, {}],
        [`${tag} rosa`, { region: 'Puno' }],
      ] as [string, Partial<DirectoryFilter>][]) {
        for (const scope of scopes) {
          const narrow = await pageOf({ ...scope, broad: false }, q, extra);
          expect({ q, extra, listed: scope.listed, broad: await pageOf({ ...scope, broad: true }, q, extra) }).toEqual({ q, extra, listed: scope.listed, broad: narrow });
          expect(narrow.length).toBeGreaterThan(0);
        }
      }
    });

    it('pages by keyset without duplicates or gaps, also with ties and filters', async () => {
      const org = await makeOrganisation(t, { kind: 'chapter', parentId: w.A.id });
      const made: string[] = [];
      for (let i = 0; i < 23; i++) {
        // Many identical names: the id breaks the ties.
        made.push(
          (
            await makeMember(t, [{ organisation: org, status: i % 5 === 0 ? 'suspended' : 'active' }], {
              givenName: i % 3 ? 'Ana' : 'Eva',
              familyName: i % 2 ? 'Quispe' : 'Apaza',
              region: i % 4 ? 'Puno' : 'Cusco',
            })
          ).id,
        );
      }
      const walk = async (query: string) => {
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const res: request.Response = await api('adminA').get(`/members?organisation=${org.id}&limit=4${query}${cursor ? `&cursor=${cursor}` : ''}`);
          expect(res.status).toBe(200);
          expect(res.body.items.length).toBeLessThanOrEqual(4);
          seen.push(...res.body.items.map((i: { id: string }) => i.id));
          cursor = res.body.nextCursor;
          pages++;
        } while (cursor && pages < 50);
        return seen;
      };
      const expected = async (extra: string, params: unknown[]) =>
        (
          await t.db.query(
            `SELECT m.id FROM members m WHERE EXISTS (SELECT 1 FROM memberships ms WHERE ms.member_id = m.id AND ms.organisation_id = $1 ${extra}) ORDER BY m.family_name, m.given_name, m.id`,
            [org.id, ...params],
          )
        ).map((r: { id: string }) => r.id);
      const everyone = await walk('');
      expect(everyone).toHaveLength(23);
      expect(new Set(everyone).size).toBe(23);
      expect(everyone).toEqual(await expected('', []));
      expect(await walk('&status=suspended')).toEqual(await expected("AND ms.status = 'suspended'", []));
      const inCusco = await walk('&region=Cusco');
      expect(inCusco.length).toBeGreaterThan(0);
      expect(inCusco).toEqual((await expected('', [])).filter((id: string) => [0, 4, 8, 12, 16, 20].includes(made.indexOf(id))));
    });

    it('lists a whole data controller to its top-level admin: only records with a membership, never another controller’s', async () => {
      // adminP's role sits on a top-level organisation: the directory reads P's controller whole (no list of organisations).
      const tag = unique('wc').replace(/\W/g, '');
      const chapter = await makeOrganisation(t, { kind: 'chapter', parentId: w.P.id });
      const listedOne = await makeMember(t, [{ organisation: chapter }], { givenName: 'Wilber', familyName: `Ccori ${tag}` });
      // A record of P's controller without any membership (as a guest's signup leaves one), and one of B's controller.
      const [bare] = await t.db.query(`INSERT INTO members (controller_id, given_name, family_name) VALUES ($1, 'Wilber', $2) RETURNING id`, [w.P.id, `Ccori ${tag}`]);
      const elsewhere = await makeMember(t, [{ organisation: w.B }], { givenName: 'Wilber', familyName: `Ccori ${tag}` });
      const ids = async (who: keyof World['users'], q: string) => {
        const res = await api(who).get(`/members?q=${encodeURIComponent(q)}`);
        expect(res.status).toBe(200);
        return res.body.items.map((i: { id: string }) => i.id).sort();
      };
      for (const q of [tag, `wilber ${tag}`, `${tag.slice(0, -1)}`]) {
        expect({ q, ids: await ids('adminP', q) }).toEqual({ q, ids: [listedOne.id] });
        // A role lower in the tree (A, a current of P) does not reach P's other chapters.
        expect({ q, ids: await ids('adminA', q) }).toEqual({ q, ids: [] });
        expect({ q, ids: await ids('platform', q) }).toEqual({ q, ids: [listedOne.id, bare.id, elsewhere.id].sort() });
      }
      const page = await api('adminP').get(`/members?q=${tag}`);
      expect(page.body.items[0].memberships).toEqual([expect.objectContaining({ organisationId: chapter.id, status: 'active' })]);
    });

    it('shows contact data to organisers and admins, and a sub-organisation’s members to the parent’s admin', async () => {
      const m = await makeMember(t, [w.A], { phone: '+51999888777' });
      for (const who of ['organiserA', 'adminA', 'adminP', 'platform'] as const) {
        const res = await api(who).get(`/members/${m.id}`);
        expect([who, res.body.email, res.body.phone]).toEqual([who, m.email, '+51999888777']);
      }
      const list = await api('adminP').get(`/members?organisation=${w.P.id}&q=${encodeURIComponent(m.familyName)}`);
      expect(list.body.items.map((i: { id: string }) => i.id)).toContain(m.id);
      expect((await api('coordinator').get(`/members/${m.id}`)).status).toBe(404);
      expect((await api('coordinator').get('/members')).status).toBe(403);
    });
  });

  describe('bad input', () => {
    it('answers 4xx problems and writes nothing', async () => {
      const members = await count('SELECT count(*) AS n FROM members');
      const memberships = await count('SELECT count(*) AS n FROM memberships');
      const external = await makeOrganisation(t, { external: true });
      const base = { givenName: 'Rosa', familyName: 'Quispe', memberships: [{ organisationId: w.A.id }] };
      const cases: [object, number, string, string?][] = [
        [{ ...base, email: 'not-an-email' }, 400, 'validation-failed', 'email'],
        // Not a number of any country (a Peruvian one without its code, 987654321, is read as +51987654321: issue 24).
        [{ ...base, phone: '98765' }, 400, 'validation-failed', 'phone'],
        [{ ...base, givenName: '   ' }, 400, 'validation-failed', 'givenName'],
        [{ ...base, memberships: [] }, 400, 'validation-failed', 'memberships'],
        [{ ...base, memberships: [{ organisationId: w.A.id, status: 'expelled' }] }, 400, 'validation-failed', 'memberships[0].status'],
        [{ ...base, memberships: [{ organisationId: w.A.id }, { organisationId: w.A.id }] }, 400, 'duplicate-organisation'],
        [{ ...base, memberships: [{ organisationId: external.id }] }, 400, 'external-organisation'],
        [{ ...base, memberships: [{ organisationId: '00000000-0000-4000-8000-000000000000' }] }, 400, 'unknown-organisation'],
        [{ ...base, memberships: [{ organisationId: w.A.id, joinedOn: '2026-02-31' }] }, 400, 'invalid-value'],
        [{ ...base, erasedAt: '2026-01-01' }, 400, 'validation-failed', 'erasedAt'],
        [{ ...base, languages: ['Spanish'] }, 400, 'validation-failed', 'languages'],
        [{ ...base, consent: { dataProcessing: false } }, 400, 'validation-failed', 'consent.dataProcessing'],
        [{ ...base, memberships: [{ organisationId: w.A.id }, { organisationId: w.B.id }] }, 403, 'forbidden'],
      ];
      for (const [body, status, code, field] of cases) {
        const res = await api('adminA').post('/members', body);
        expect([JSON.stringify(body), res.status, res.body.code]).toEqual([JSON.stringify(body), status, code]);
        expect(res.headers['content-type']).toMatch(/problem\+json/);
        if (field) expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      const application = { givenName: 'Rosa', familyName: 'Quispe', email: `${unique('r')}@example.org` };
      for (const [body, field] of [
        [application, 'consent'],
        [{ ...application, consent: { dataProcessing: false } }, 'consent.dataProcessing'],
        [{ ...application, consent: { contactByEmail: true } }, 'consent.dataProcessing'],
        [{ ...application, consent: { dataProcessing: true, extra: 1 } }, 'consent.extra'],
        [{ ...application, email: undefined, consent: { dataProcessing: true } }, 'email'],
      ] as const) {
        const res = await apply(w.A.id, body, '198.51.100.20');
        expect([res.status, res.body.errors?.map((e: { field: string }) => e.field)]).toEqual([400, expect.arrayContaining([field])]);
      }
      expect((await apply(external.id, { ...application, consent: { dataProcessing: true } }, '198.51.100.20')).status).toBe(404);
      expect((await apply('00000000-0000-4000-8000-000000000000', { ...application, consent: { dataProcessing: true } }, '198.51.100.20')).status).toBe(404);
      expect(await count('SELECT count(*) AS n FROM members')).toBe(members);
      expect(await count('SELECT count(*) AS n FROM memberships')).toBe(memberships);

      for (const query of ['q=a', 'status=emperor', 'limit=0', 'cursor=%27%3B', 'cursor=WyJhIiwiYiIsIm5vdC1hLXV1aWQiXQ', 'organisation=%3Cscript%3E', 'sort=email']) {
        const res = await api('adminA').get(`/members?${query}`);
        expect([query, res.status]).toEqual([query, 400]);
      }
      expect((await api('adminA').get('/members/not-a-uuid')).status).toBe(400);
      expect((await api('adminA').get('/members/00000000-0000-4000-8000-000000000000')).status).toBe(404);
      const taken = await makeMember(t, [w.A]);
      const mover = await makeMember(t, [w.A]);
      const clash = await api('adminA').patch(`/members/${mover.id}`, { email: taken.email!.toUpperCase() });
      expect([clash.status, clash.body.code]).toEqual([409, 'email-taken']);
      expect((await api('adminA').patch(`/members/${mover.id}`, { givenName: null })).status).toBe(400);
      expect((await api('adminA').patch(`/members/${mover.id}`, { preferredLanguage: 'fr' })).status).toBe(400);
      // A multipart body where JSON is expected is bad input too, not a crash.
      const multipart = await request(t.http).post('/api/v1/members').set(w.users.adminA.auth).attach('file', Buffer.from('given_name\nA\n'), 'a.csv');
      expect([multipart.status, multipart.body.code]).toEqual([400, 'validation-failed']);
      expect((await request(t.http).post(`/api/v1/organisations/${w.A.id}/applications`).attach('file', Buffer.from('x'), 'a.csv')).status).toBe(400);
    });

    it('rate-limits the public form per address', async () => {
      const body = () => ({ givenName: 'Spam', familyName: 'Bot', email: `${unique('bot')}@example.org`, consent: { dataProcessing: true } });
      const statuses: number[] = [];
      for (let i = 0; i <= APPLICATION_LIMIT.perIp; i++) statuses.push((await apply(w.A.id, body(), '203.0.113.99')).status);
      expect(statuses.slice(0, APPLICATION_LIMIT.perIp).every((s) => s === 202)).toBe(true);
      expect(statuses[APPLICATION_LIMIT.perIp]).toBe(429);
      expect((await apply(w.A.id, body(), '203.0.113.100')).status).toBe(202);
    });
  });

  describe('statistics', () => {
    it('counts by status, region and month; coordinators get the same per partner with counts under 5 suppressed', async () => {
      const Q = await makeOrganisation(t, { kind: 'party' });
      const Qchapter = await makeOrganisation(t, { kind: 'chapter', parentId: Q.id });
      const other = await makeOrganisation(t, { kind: 'party' });
      const C2 = await makeCoalition(t, [Q, other]);
      const coordinator = await makeUser(t, [{ role: 'coordinator', coalition: C2 }]);
      const adminQ = await makeUser(t, [{ role: 'org_admin', organisation: Q }]);
      for (let i = 0; i < 6; i++) await makeMember(t, [{ organisation: Q, joinedOn: '2026-01-10' }], { region: 'Cusco' });
      await makeMember(t, [{ organisation: Qchapter, joinedOn: '2026-02-03' }], { region: 'Puno' });
      // In Q and its chapter: one person, counted once.
      await makeMember(
        t,
        [
          { organisation: Q, joinedOn: '2026-02-10' },
          { organisation: Qchapter, joinedOn: '2026-03-01' },
        ],
        { region: 'Puno' },
      );
      // The same person known to Q and to another party: a record in each data controller.
      const inQ = await makeMember(t, [{ organisation: Q, status: 'applied' }]);
      await makeMember(t, [{ organisation: other }], { email: inQ.email });
      await makeMember(t, [{ organisation: Q, status: 'applied' }]);

      const exact = await request(t.http).get(`/api/v1/organisations/${Q.slug}/stats`).set(adminQ.auth);
      expect(exact.status).toBe(200);
      expect(exact.body).toMatchObject({
        organisationId: Q.id,
        total: 10,
        byStatus: { applied: 2, active: 8, suspended: 0, lapsed: 0, resigned: 0, expelled: 0 },
        byRegion: [
          { region: 'Cusco', count: 6 },
          { region: 'Puno', count: 2 },
        ],
        growth: [
          { month: '2026-01', joined: 6 },
          { month: '2026-02', joined: 2 },
        ],
      });
      expect(exact.body.organisationIds.sort()).toEqual([Q.id, Qchapter.id].sort());

      const coalition = await request(t.http).get(`/api/v1/coalitions/${C2.id}/stats`).set(coordinator.auth);
      expect(coalition.status).toBe(200);
      expect(coalition.body.suppressionThreshold).toBe(5);
      const q = coalition.body.partners.find((p: { organisation: { id: string } }) => p.organisation.id === Q.id);
      // The total would give away the 2 applicants (10 − 8 active), and Cusco the 2 active members in Puno (8 − 6): both withheld.
      expect(q).toMatchObject({
        total: 'suppressed',
        byStatus: { applied: '<5', active: 8, suspended: '<5', lapsed: '<5', resigned: '<5', expelled: '<5' },
        byRegion: [
          { region: 'Cusco', count: 'suppressed' },
          { region: 'Puno', count: '<5' },
        ],
        growth: [
          { month: '2026-01', joined: 6 },
          { month: '2026-02', joined: '<5' },
        ],
      });
      expect(attack(q)).toEqual([]);
      const o = coalition.body.partners.find((p: { organisation: { id: string } }) => p.organisation.id === other.id);
      expect(o).toMatchObject({ total: '<5', byStatus: { active: '<5' }, byRegion: [], growth: [] });
      // Aggregates only: no member of any partner anywhere in the answer.
      const memberIds = (await t.db.query('SELECT member_id FROM memberships WHERE organisation_id = ANY($1)', [[Q.id, Qchapter.id, other.id]])).map((r: { member_id: string }) => r.member_id);
      for (const id of memberIds) expect(JSON.stringify(coalition.body)).not.toContain(id);
      expect((await request(t.http).get(`/api/v1/organisations/${Q.id}/stats`).set(coordinator.auth)).status).toBe(403);
      expect((await request(t.http).get(`/api/v1/members?organisation=${Q.id}`).set(coordinator.auth)).status).toBe(403);
    });

    /** People straight into the database, one membership each (ids made here, so each row is paired with its person). */
    async function populate(org: { id: string }, people: { status: MembershipStatus; region: string | null; month: string | null }[]) {
      const ids = people.map(() => randomUUID());
      await t.db.query(
        `INSERT INTO members (id, controller_id, given_name, family_name, email, region)
         SELECT id, organisation_root($3), 'Ana', 'Flores', id || '@example.org', region FROM unnest($1::uuid[], $2::text[]) AS x(id, region)`,
        [ids, people.map((p) => p.region), org.id],
      );
      await t.db.query(
        `INSERT INTO memberships (member_id, organisation_id, status, source, joined_on)
         SELECT id, $2, status, 'manual', (month || '-15')::date FROM unnest($1::uuid[], $3::text[], $4::text[]) AS x(id, status, month)`,
        [ids, org.id, people.map((p) => p.status), people.map((p) => p.month)],
      );
    }

    /** Each breakdown's total minus the cells shown as numbers: what a reader gets for the cells not shown (null: no total to subtract from). */
    const small = (n: number | null) => n !== null && n >= 1 && n < 5;
    function residuals(p: PartnerAnswer) {
      const numbers = (cells: Shown[]) => cells.reduce<number>((sum, c) => sum + (typeof c === 'number' ? c : 0), 0);
      const { total } = p;
      const active = p.byStatus.active;
      return {
        byStatus: typeof total === 'number' ? total - numbers(Object.values(p.byStatus)) : null,
        byRegion: typeof active === 'number' && p.byRegion.length ? active - numbers(p.byRegion.map((r) => r.count)) : null,
      };
    }

    it('let no count under 5 be worked out from the totals: one active member in Tumbes stays hidden', async () => {
      const T = await makeOrganisation(t, { kind: 'party' });
      const C3 = await makeCoalition(t, [T]);
      const coordinator = await makeUser(t, [{ role: 'coordinator', coalition: C3 }]);
      const some = (n: number, status: MembershipStatus, region: string | null = 'Lima') => Array.from({ length: n }, () => ({ status, region, month: status === 'applied' ? null : '2025-11' }));
      // Every count 5 or more, but one: 1 active member in Tumbes.
      await populate(T, [
        ...some(20, 'active'),
        ...some(10, 'active', 'Cusco'),
        ...some(1, 'active', 'Tumbes'),
        ...some(5, 'applied'),
        ...some(5, 'suspended'),
        ...some(5, 'lapsed'),
        ...some(5, 'resigned'),
        ...some(5, 'expelled'),
      ]);

      const res = await request(t.http).get(`/api/v1/coalitions/${C3.id}/stats`).set(coordinator.auth);
      expect(res.status).toBe(200);
      const p: PartnerAnswer = res.body.partners[0];
      expect(p.byRegion.find((r) => r.region === 'Tumbes')?.count).toBe('<5');
      // Active members minus the regions shown is what the hidden regions hold together: never 1 to 4.
      const r = residuals(p);
      expect(r.byRegion ?? Infinity).toBeGreaterThanOrEqual(5);
      expect([r.byStatus].filter(small)).toEqual([]);
      expect(attack(p)).toEqual([]);
      // What is shown is still exact.
      expect(p).toMatchObject({ total: 56, byStatus: { applied: 5, active: 31, suspended: 5, lapsed: 5, resigned: 5, expelled: 5 } });
      expect(p.byRegion.find((x) => x.region === 'Lima')?.count).toBe(20);
    });

    it('over random populations, let no count under 5 be worked out from what a coordinator is shown', async () => {
      const C4 = await makeCoalition(t, []);
      const coordinator = await makeUser(t, [{ role: 'coordinator', coalition: C4 }]);
      const person = fc.record({
        status: fc.constantFrom<MembershipStatus>('active', 'active', 'active', 'applied', 'suspended', 'lapsed', 'resigned', 'expelled'),
        region: fc.constantFrom('Lima', 'Lima', 'Cusco', 'Tumbes', null),
        month: fc.constantFrom('2025-12', '2026-01', '2026-01', null),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(person, { maxLength: 25 }), async (people) => {
          const org = await makeOrganisation(t, { kind: 'party' });
          await t.db.query(`INSERT INTO coalition_partners (coalition_id, organisation_id, role, status) VALUES ($1, $2, 'member', 'active')`, [C4.id, org.id]);
          await populate(org, people);
          const res = await request(t.http).get(`/api/v1/coalitions/${C4.id}/stats`).set(coordinator.auth);
          expect(res.status).toBe(200);
          const p: PartnerAnswer = res.body.partners.find((x: { organisation: { id: string } }) => x.organisation.id === org.id);
          expect(attack(p)).toEqual([]);
          const r = residuals(p);
          expect([r.byStatus, r.byRegion].filter(small)).toEqual([]);
          // Numbers shown are the exact counts.
          if (typeof p.total === 'number') expect(p.total).toBe(people.length);
          for (const s of MEMBERSHIP_STATUSES) if (typeof p.byStatus[s] === 'number') expect(p.byStatus[s]).toBe(people.filter((x) => x.status === s).length);
        }),
        // Every run writes rows and asks the API: no shrinking, the first counterexample is reported as found.
        { numRuns: 20, endOnFailure: true },
      );
    });
  });
});
