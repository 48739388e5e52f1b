import request from 'supertest';

import { bootTestApp, type TestApp } from './support/app';
import { auditEntriesFor, buildWorld, makeMember, makeOrganisation, makeUser, unique, type World } from './support/world';

describe('organisations, coalitions and the audit log', () => {
  let t: TestApp;
  let w: World;
  beforeAll(async () => {
    t = await bootTestApp();
    w = await buildWorld(t);
  });
  afterAll(() => t.close());

  const api = (who: keyof World['users']) => {
    const auth = w.users[who].auth;
    return {
      get: (path: string) => request(t.http).get(`/api/v1${path}`).set(auth),
      post: (path: string, body: object) => request(t.http).post(`/api/v1${path}`).set(auth).send(body),
      patch: (path: string, body: object) => request(t.http).patch(`/api/v1${path}`).set(auth).send(body),
      delete: (path: string) => request(t.http).delete(`/api/v1${path}`).set(auth),
    };
  };

  describe('organisation hierarchy', () => {
    it('creates a current under its party, inherits the parent admin’s rights, and audits once', async () => {
      const res = await api('adminP').post('/organisations', { slug: unique('sumate'), name: 'SÚMATE', kind: 'current', parentId: w.P.id });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ name: 'SÚMATE', kind: 'current', parentId: w.P.id, country: 'PE', status: 'active', external: false });
      expect((await auditEntriesFor(t, res.body.id)).map((e) => e.action)).toEqual(['organisation.create']);
      const children = await request(t.http).get(`/api/v1/organisations/${w.P.slug}/children`);
      expect(children.body.map((o: { id: string }) => o.id)).toEqual(expect.arrayContaining([w.A.id, res.body.id]));
    });

    it('refuses a parent that would make a cycle, whoever asks', async () => {
      const child = await makeOrganisation(t, { kind: 'chapter', parentId: w.A.id });
      for (const [org, parent] of [
        [w.P.id, w.A.id], // P under its own current
        [w.P.id, child.id], // P under its grandchild
        [w.A.id, w.A.id], // A under itself
      ]) {
        const res = await api('platform').patch(`/organisations/${org}`, { parentId: parent });
        expect(res.status).toBe(409);
        expect(res.body.code).toBe('hierarchy-cycle');
      }
      const rows = await t.db.query('SELECT parent_id FROM organisations WHERE id = $1', [w.P.id]);
      expect(rows[0].parent_id).toBeNull();
    });

    it('moves an organisation only into a scope the caller manages', async () => {
      const stray = await makeOrganisation(t, { kind: 'chapter', parentId: w.A.id });
      expect((await api('adminA').patch(`/organisations/${stray.id}`, { parentId: w.B.id })).status).toBe(403);
      expect((await api('adminP').patch(`/organisations/${stray.id}`, { parentId: w.P.id })).status).toBe(200);
    });

    it('never moves member records to another data controller: a move across top-level organisations is refused while they hold any', async () => {
      const chapter = await makeOrganisation(t, { kind: 'chapter', parentId: w.A.id });
      const party = await makeOrganisation(t, { kind: 'party' });
      await makeMember(t, [chapter]);
      await makeMember(t, [party]);
      for (const [org, parent] of [
        [chapter.id, w.B.id], // a chapter of P's controller (with a member) under B
        [party.id, w.P.id], // a top-level organisation with members under P
        [chapter.id, null], // the chapter made top-level: a controller of its own
      ] as const) {
        const res = await api('platform').patch(`/organisations/${org}`, { parentId: parent });
        expect([res.status, res.body.code]).toEqual([409, 'holds-member-records']);
      }
      expect((await t.db.query('SELECT parent_id FROM organisations WHERE id = $1', [chapter.id]))[0].parent_id).toBe(w.A.id);
      // Inside one controller, or without member records, organisations move freely.
      expect((await api('platform').patch(`/organisations/${chapter.id}`, { parentId: w.P.id })).status).toBe(200);
      const empty = await makeOrganisation(t, { kind: 'chapter', parentId: w.A.id });
      expect((await api('platform').patch(`/organisations/${empty.id}`, { parentId: w.B.id })).status).toBe(200);
    });

    it('answers bad input with 4xx problems and writes nothing', async () => {
      const before = await t.db.query('SELECT count(*)::int AS n FROM organisations');
      const cases: [object, number, string][] = [
        [{ slug: w.A.slug, name: 'Dup', kind: 'party' }, 409, 'slug-taken'],
        [{ slug: unique('x'), name: 'X', kind: 'party', status: 'dissolved' }, 400, 'validation-failed'],
        [{ slug: unique('x'), name: 'X', kind: 'party', isPlatformAdmin: true }, 400, 'validation-failed'],
        [{ slug: 'Not A Slug', name: 'X', kind: 'party' }, 400, 'validation-failed'],
        [{ slug: unique('x'), name: 'X', kind: 'empire' }, 400, 'validation-failed'],
        [{ slug: unique('x'), name: 42, kind: 'party' }, 400, 'validation-failed'],
        [{ slug: unique('x'), name: 'X', kind: 'party', parentId: '00000000-0000-4000-8000-000000000000' }, 400, 'unknown-parent'],
        [{ slug: unique('x'), name: 'X', kind: 'party', parentId: 'nope' }, 400, 'validation-failed'],
        [{ slug: unique('x'), name: 'X', kind: 'party', country: 'Peru' }, 400, 'validation-failed'],
      ];
      for (const [body, status, code] of cases) {
        const res = await api('platform').post('/organisations', body);
        expect([JSON.stringify(body), res.status, res.body.code]).toEqual([JSON.stringify(body), status, code]);
        expect(res.headers['content-type']).toMatch(/problem\+json/);
      }
      expect(await t.db.query('SELECT count(*)::int AS n FROM organisations')).toEqual(before);
      expect((await request(t.http).get('/api/v1/organisations/00000000-0000-4000-8000-000000000000')).status).toBe(404);
      expect((await request(t.http).get('/api/v1/organisations?parent=nope')).status).toBe(400);
      expect((await request(t.http).get('/api/v1/organisations?limit=100000')).status).toBe(400);
      expect((await request(t.http).get('/api/v1/organisations?cursor=%27%3B%20drop')).status).toBe(400);
    });

    it('only platform admins register external counterparts', async () => {
      const body = { slug: unique('jp'), name: 'Juntos por el Perú', kind: 'party', external: true };
      expect((await api('adminP').post('/organisations', { ...body, parentId: w.P.id })).status).toBe(403);
      const res = await api('platform').post('/organisations', body);
      expect(res.status).toBe(201);
      expect(res.body.external).toBe(true);
    });

    it('pages through organisations by keyset without gaps or repeats', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await request(t.http).get(`/api/v1/organisations?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        seen.push(...res.body.items.map((o: { slug: string }) => o.slug));
        cursor = res.body.nextCursor;
      } while (cursor);
      const all = (await t.db.query('SELECT slug FROM organisations ORDER BY slug')).map((r: { slug: string }) => r.slug);
      expect(seen).toEqual(all);
    });
  });

  describe('audit log', () => {
    it('leaves exactly one entry per mutation and none for a no-op', async () => {
      const org = await makeOrganisation(t, { kind: 'chapter', parentId: w.A.id });
      expect((await api('adminA').patch(`/organisations/${org.id}`, { region: 'Cusco' })).status).toBe(200);
      expect((await api('adminA').patch(`/organisations/${org.id}`, { region: 'Cusco' })).status).toBe(200);
      const entries = await auditEntriesFor(t, org.id);
      expect(entries).toEqual([{ action: 'organisation.update', changes: { region: { from: null, to: 'Cusco' } } }]);
    });

    it('masks personal data in what it records', async () => {
      const email = `${unique('secret')}@example.org`;
      const res = await api('platform').post('/users', { email });
      expect(res.status).toBe(201);
      const rows = await t.db.query('SELECT changes::text AS c FROM audit_log WHERE entity_id = $1', [res.body.id]);
      expect(rows).toHaveLength(1);
      expect(rows[0].c).not.toContain(email);
    });

    it('is refused UPDATE, DELETE and TRUNCATE by the database itself', async () => {
      await expect(t.db.query("UPDATE audit_log SET action = 'forged'")).rejects.toThrow(/append-only/);
      await expect(t.db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
      await expect(t.db.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    });

    it('shows each org_admin only their own scope', async () => {
      await api('adminA').patch(`/organisations/${w.A.id}`, { description: unique('visible-to-A') });
      await api('adminB').patch(`/organisations/${w.B.id}`, { description: unique('visible-to-B') });
      const orgsOf = async (who: keyof World['users']) => new Set((await api(who).get('/audit-log?limit=200')).body.items.map((e: { organisationId: string }) => e.organisationId));
      const seenByB = await orgsOf('adminB');
      expect(seenByB.has(w.B.id)).toBe(true);
      expect(seenByB.has(w.A.id)).toBe(false);
      const seenByP = await orgsOf('adminP');
      expect(seenByP.has(w.A.id)).toBe(true); // a parent's admin sees its current
      expect(seenByP.has(w.B.id)).toBe(false);
    });

    it('records role grants and revocations', async () => {
      const u = await makeUser(t);
      const grant = await api('adminA').post('/role-assignments', { userId: u.id, role: 'organiser', organisationId: w.A.id });
      expect(grant.status).toBe(201);
      expect((await api('adminA').delete(`/role-assignments/${grant.body.id}`)).status).toBe(204);
      expect((await auditEntriesFor(t, grant.body.id)).map((e) => e.action)).toEqual(['role.grant', 'role.revoke']);
    });
  });

  describe('roles', () => {
    it('never grants wider than the granter holds', async () => {
      const u = await makeUser(t);
      // An org_admin of the current A cannot make someone admin of its parent P, nor of B.
      expect((await api('adminA').post('/role-assignments', { userId: u.id, role: 'org_admin', organisationId: w.P.id })).status).toBe(403);
      expect((await api('adminA').post('/role-assignments', { userId: u.id, role: 'org_admin', organisationId: w.B.id })).status).toBe(403);
      // A coordinator cannot hand out organisation roles.
      expect((await api('coordinator').post('/role-assignments', { userId: u.id, role: 'organiser', organisationId: w.A.id })).status).toBe(403);
      // Scope must match the role.
      expect((await api('platform').post('/role-assignments', { userId: u.id, role: 'coordinator', organisationId: w.A.id })).status).toBe(400);
      expect((await api('platform').post('/role-assignments', { userId: u.id, role: 'organiser', coalitionId: w.C.id })).status).toBe(400);
      expect((await api('platform').post('/role-assignments', { userId: u.id, role: 'emperor', organisationId: w.A.id })).status).toBe(400);
      expect((await api('platform').post('/role-assignments', { userId: '00000000-0000-4000-8000-000000000000', role: 'organiser', organisationId: w.A.id })).status).toBe(404);
    });

    it('takes effect on the next request, without a new login', async () => {
      const u = await makeUser(t);
      const asU = () =>
        request(t.http)
          .patch(`/api/v1/organisations/${w.A.id}`)
          .set(u.auth)
          .send({ region: unique('r') });
      expect((await asU()).status).toBe(403);
      const grant = await api('adminP').post('/role-assignments', { userId: u.id, role: 'org_admin', organisationId: w.A.id });
      expect((await asU()).status).toBe(200);
      await api('adminP').delete(`/role-assignments/${grant.body.id}`);
      expect((await asU()).status).toBe(403);
    });
  });

  describe('coalition partners', () => {
    it('runs the invitation workflow and keeps history on withdrawal', async () => {
      const org = await makeOrganisation(t, { kind: 'collective', parentId: w.B.id });
      const path = `/coalitions/${w.C.slug}/partners`;
      const invited = await api('coordinator').post(path, { organisationId: org.id, role: 'member', notes: 'met at the assembly' });
      expect(invited.status).toBe(201);
      expect(invited.body).toMatchObject({ status: 'invited', role: 'member' });
      expect((await api('coordinator').post(path, { organisationId: org.id })).status).toBe(409);

      // Not yet active: the public does not see it; coordinators see it with notes.
      const publicList = await request(t.http).get(`/api/v1${path}`);
      expect(publicList.body.map((p: { organisationId: string }) => p.organisationId)).not.toContain(org.id);
      expect(publicList.body.every((p: object) => !('notes' in p))).toBe(true);
      const inside = await api('coordinator').get(path);
      expect(inside.body.find((p: { organisationId: string }) => p.organisationId === org.id).notes).toBe('met at the assembly');

      // The partner's own admin (B is its parent) accepts.
      const accepted = await api('adminB').patch(`${path}/${org.id}`, { status: 'active' });
      expect(accepted.status).toBe(200);
      expect(accepted.body.joinedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      // ...but may not suspend itself or set notes.
      expect((await api('adminB').patch(`${path}/${org.id}`, { status: 'suspended' })).status).toBe(403);
      expect((await api('adminB').patch(`${path}/${org.id}`, { notes: 'x' })).status).toBe(403);

      expect((await api('coordinator').patch(`${path}/${org.id}`, { status: 'suspended' })).status).toBe(200);
      expect((await api('coordinator').patch(`${path}/${org.id}`, { status: 'withdrawn' })).status).toBe(200);
      const dead = await api('coordinator').patch(`${path}/${org.id}`, { status: 'active' });
      expect(dead.status).toBe(409);
      expect(dead.body.code).toBe('invalid-transition');

      const rows = await t.db.query('SELECT status, left_on FROM coalition_partners WHERE organisation_id = $1', [org.id]);
      expect(rows).toHaveLength(1);
      expect(rows[0].status).toBe('withdrawn');
      expect(rows[0].left_on).not.toBeNull();
      const actions = (await t.db.query("SELECT action FROM audit_log WHERE entity = 'coalition_partner' AND organisation_id = $1 ORDER BY id", [org.id])).map((r: { action: string }) => r.action);
      expect(actions).toEqual(['coalition.partner.invite', 'coalition.partner.update', 'coalition.partner.update', 'coalition.partner.update']);

      // Invited again later: the same row reopens.
      expect((await api('coordinator').post(path, { organisationId: org.id })).status).toBe(201);
    });

    it('refuses external organisations and unknown ones as partners', async () => {
      const jp = await makeOrganisation(t, { external: true });
      expect((await api('coordinator').post(`/coalitions/${w.C.id}/partners`, { organisationId: jp.id })).status).toBe(400);
      expect((await api('coordinator').post(`/coalitions/${w.C.id}/partners`, { organisationId: '00000000-0000-4000-8000-000000000000' })).status).toBe(400);
      expect((await api('coordinator').patch(`/coalitions/${w.C.id}/partners/00000000-0000-4000-8000-000000000000`, { status: 'active' })).status).toBe(404);
      expect((await api('coordinator').patch(`/coalitions/${w.C.id}/partners/not-a-uuid`, { status: 'active' })).status).toBe(400);
      expect((await api('coordinator').patch(`/coalitions/${w.C.id}`, { status: 'imperial' })).status).toBe(400);
    });
  });
});
