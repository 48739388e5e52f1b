import request from 'supertest';

import { MemberImportService } from '../src/members/member-import.service';
import { bootTestApp, type TestApp } from './support/app';
import { buildWorld, linkMember, login, makeEvent, makeMember, makeUser, PASSWORD, unique, type TestUser, type World } from './support/world';

/**
 * The outside attack test of issue 17, replayed. World: P is Nuevo Perú with
 * its current A (SÚMATE) — one data controller; B is Voces del Pueblo —
 * another; C is their coalition. The attacker is NP's org_admin (adminP),
 * who knows the e-mail of a VP member. Each step must be refused or reveal
 * nothing, VP's record, audit log and export must not move, and NP's answers
 * for an address VP holds must be those for an address nobody holds.
 */
describe('one organisation cannot read or take over another’s members (issue 17)', () => {
  let t: TestApp;
  let w: World;
  let victim: Awaited<ReturnType<typeof makeMember>>;
  let victimUser: TestUser;
  const VICTIM_EMAIL = `rosa.real.${process.pid}@example.org`;
  const VICTIM_PHONE = '+51987654321';

  beforeAll(async () => {
    t = await bootTestApp();
    w = await buildWorld(t);
    victim = await makeMember(t, [w.B], { givenName: 'Rosa', familyName: 'Real Secreto', email: VICTIM_EMAIL, phone: VICTIM_PHONE, region: 'Tumbes', emailVerifiedAt: new Date() });
    victimUser = await makeUser(t, [], { email: VICTIM_EMAIL });
    await linkMember(t, victimUser, victim);
  });
  afterAll(async () => {
    await t.app.get(MemberImportService).idle();
    await t.close();
  });

  const api = (auth?: { Authorization: string }) => ({
    get: (path: string) => (auth ? request(t.http).get(`/api/v1${path}`).set(auth) : request(t.http).get(`/api/v1${path}`)),
    post: (path: string, body: object = {}) => (auth ? request(t.http).post(`/api/v1${path}`).set(auth) : request(t.http).post(`/api/v1${path}`)).send(body),
    patch: (path: string, body: object) => request(t.http).patch(`/api/v1${path}`).set(auth!).send(body),
  });
  const np = () => api(w.users.adminP.auth);
  const vp = () => api(w.users.adminB.auth);

  /** Everything VP holds or logs about its member, as VP's own admin sees it. */
  async function vpState() {
    const [record] = await t.db.query('SELECT * FROM members WHERE id = $1', [victim.id]);
    const memberships = await t.db.query('SELECT * FROM memberships WHERE member_id = $1 ORDER BY id', [victim.id]);
    const audit = await vp().get(`/audit-log?organisation=${w.B.id}&limit=100`);
    const exported = await vp().get(`/organisations/${w.B.id}/members.csv`);
    const asVp = await vp().get(`/members/${victim.id}`);
    expect([audit.status, exported.status, asVp.status]).toEqual([200, 200, 200]);
    // About the victim (step 5 adds other VP records of its own).
    const ids = [victim.id, ...memberships.map((m: { id: string }) => m.id)];
    const aboutVictim = audit.body.items.filter((e: { entityId: string | null }) => ids.includes(e.entityId ?? ''));
    const lines = exported.text.split('\n');
    return { record, memberships, audit: aboutVictim, exported: [lines[0], ...lines.filter((l) => l.toLowerCase().includes(VICTIM_EMAIL))], asVp: asVp.body };
  }
  let before: Awaited<ReturnType<typeof vpState>>;
  beforeAll(async () => {
    before = await vpState();
  });

  /** An answer without what differs between any two creations (ids, times, the address itself). */
  const shape = (body: Record<string, unknown>): unknown =>
    JSON.parse(JSON.stringify(body, (key, value: unknown) => (['id', 'memberId', 'createdAt', 'updatedAt', 'email', 'joinedOn', 'recordedAt'].includes(key) ? '<varies>' : value)));

  it('1. create: an address VP holds makes a new NP record, answered exactly as for an unknown address', async () => {
    const body = (email: string) => ({ givenName: 'Invented', familyName: 'Name', email, memberships: [{ organisationId: w.P.id }] });
    const known = await np().post('/members', body(VICTIM_EMAIL.toUpperCase()));
    const unknown = await np().post('/members', body(`nobody.${unique('x')}@example.org`));
    expect(known.status).toBe(201);
    expect(known.body.id).not.toBe(victim.id);
    expect(known.body).toMatchObject({ givenName: 'Invented', familyName: 'Name', phone: null, region: null });
    expect(JSON.stringify(known.body)).not.toContain(VICTIM_PHONE);
    expect(JSON.stringify(known.body)).not.toContain('Real Secreto');
    expect([unknown.status, shape(unknown.body)]).toEqual([known.status, shape(known.body)]);
    // And again with the same address: NP's own record now, a conflict inside NP only.
    expect((await np().post('/members', body(VICTIM_EMAIL))).body.code).toBe('already-member');
  });

  it('2. public application: SÚMATE’s organiser finds the applicant as typed, never VP’s data', async () => {
    const apply = (email: string) => api().post(`/organisations/${w.A.slug}/applications`, { givenName: 'Applied', familyName: 'Person', email, consent: { dataProcessing: true } });
    const known = await apply(VICTIM_EMAIL);
    const unknown = await apply(`nobody.${unique('x')}@example.org`);
    expect(known.status).toBe(202);
    expect([unknown.status, unknown.body]).toEqual([known.status, known.body]);

    const organiser = api(w.users.organiserA.auth);
    const search = await organiser.get(`/members?q=${encodeURIComponent(VICTIM_EMAIL)}`);
    const applied = await organiser.get(`/organisations/${w.A.id}/memberships?status=applied`);
    expect([search.status, applied.status]).toEqual([200, 200]);
    for (const res of [search, applied]) {
      expect(JSON.stringify(res.body)).not.toContain(VICTIM_PHONE);
      expect(JSON.stringify(res.body)).not.toContain('Real Secreto');
      expect(JSON.stringify(res.body)).not.toContain(victim.id);
    }
    expect(applied.body.items.map((i: { member: { givenName: string } }) => i.member.givenName)).toContain('Applied');
  });

  it('3. bulk import: guessed addresses create NP records only; NP’s export holds nothing of VP', async () => {
    // Another VP member, whose address NP has not used yet.
    const other = await makeMember(t, [w.B], { givenName: 'Otro', familyName: 'Secreto Dos', email: `otro.${unique('vp')}@example.org`, phone: '+51976543210', region: 'Tumbes' });
    const csv = `given_name,family_name,email\nGuess,One,${other.email}\nGuess,Two,nobody.${unique('x')}@example.org\n`;
    const res = await request(t.http).post(`/api/v1/organisations/${w.A.id}/imports`).set(w.users.adminP.auth).attach('file', Buffer.from(csv), 'members.csv');
    expect(res.status).toBe(202);
    await t.app.get(MemberImportService).idle();
    const done = await np().get(`/imports/${res.body.id}`);
    // The VP address counts as created, like the unknown one: no "updated" tells that it was known.
    expect(done.body).toMatchObject({ state: 'completed', counts: { read: 2, created: 2, updated: 0, failed: 0 } });
    const exported = await np().get(`/organisations/${w.P.id}/members.csv`);
    expect(exported.status).toBe(200);
    expect(exported.text).toContain(other.email);
    for (const secret of [VICTIM_PHONE, 'Real Secreto', '+51976543210', 'Secreto Dos', 'Tumbes']) expect(exported.text).not.toContain(secret);
    expect((await vp().get(`/members/${other.id}`)).body).toMatchObject({ givenName: 'Otro', familyName: 'Secreto Dos', phone: '+51976543210' });
  });

  it('4. takeover: NP can re-address and invite only its own record; the login it gets holds nothing of VP', async () => {
    const [npRecord] = await t.db.query<{ id: string }[]>('SELECT id FROM members WHERE email = $1::citext AND controller_id = $2', [VICTIM_EMAIL, w.P.id]);
    const attacker = `attacker.${unique('x')}@evil.example`;
    expect((await np().patch(`/members/${npRecord.id}`, { email: attacker })).status).toBe(200);
    // VP's record itself stays out of NP's reach: the same 404 as an id that does not exist.
    const vpRecord = await np().patch(`/members/${victim.id}`, { email: attacker });
    const none = await np().patch('/members/00000000-0000-4000-8000-000000000000', { email: attacker });
    expect(vpRecord.status).toBe(404);
    expect([none.status, none.body.detail]).toEqual([vpRecord.status, vpRecord.body.detail]);
    expect((await np().post(`/members/${victim.id}/invitation`)).status).toBe(404);

    expect((await np().post(`/members/${npRecord.id}/invitation`)).status).toBe(202);
    const [{ url }] = await t.db.query<{ url: string }[]>(`SELECT payload->>'url' AS url FROM outbox_messages WHERE recipient = $1::citext AND template = 'account.invitation'`, [attacker]);
    const accepted = await api().post('/auth/accept-invitation', { token: url.slice(url.lastIndexOf('/') + 1), password: 'attacker passphrase 1' });
    expect(accepted.status).toBe(200);
    const asAttacker = api({ Authorization: `Bearer ${accepted.body.accessToken}` });
    const me = await asAttacker.get('/auth/me');
    expect(me.body.members).toEqual([{ id: npRecord.id, controllerId: w.P.id }]);
    const mine = await asAttacker.get('/me/export');
    expect(JSON.stringify(mine.body)).not.toContain(VICTIM_PHONE);
    // VP's members-only event stays closed to the attacker, open to VP's member.
    const vpOnly = await makeEvent(t, { hostOrganisationId: w.B.id, visibility: 'members' });
    expect((await asAttacker.get(`/events/${vpOnly.id}`)).status).toBe(404);
    expect((await api(victimUser.auth).get(`/events/${vpOnly.id}`)).status).toBe(200);
    // The victim still logs in with their own password, to their own record.
    await expect(login(t, VICTIM_EMAIL, PASSWORD)).resolves.toHaveProperty('token');
    expect((await api(victimUser.auth).get('/auth/me')).body.members).toEqual([{ id: victim.id, controllerId: w.B.id }]);
  });

  it('5. logins: an org_admin cannot create one, a platform admin only invites, and an unconfirmed login never blocks the owner', async () => {
    const target = `squat.${unique('x')}@example.org`;
    const owner = await makeMember(t, [w.B], { email: target, emailVerifiedAt: new Date() });
    // An org_admin may not create logins at all: the same 403 whatever the address.
    const squat = await np().post('/users', { email: target });
    const other = await np().post('/users', { email: `nobody.${unique('x')}@example.org` });
    expect(squat.status).toBe(403);
    expect([other.status, other.body.code, other.body.detail]).toEqual([squat.status, squat.body.code, squat.body.detail]);
    // Nobody chooses a password for someone else, not even a platform admin.
    const platform = api(w.users.platform.auth);
    expect((await platform.post('/users', { email: target, password: 'chosen by someone else' })).status).toBe(400);
    // A platform admin's login is an invitation: unconfirmed and without a password until its owner follows the link.
    const staff = await platform.post('/users', { email: target });
    expect(staff.status).toBe(201);
    expect(staff.body).toMatchObject({ email: target, emailConfirmed: false });
    // A login made by an org_admin before this fix, with a password they chose: unconfirmed, never confirmed by the owner.
    const legacy = `legacy.${unique('x')}@example.org`;
    const legacyOwner = await makeMember(t, [w.B], { email: legacy, emailVerifiedAt: new Date() });
    const squatter = await makeUser(t, [], { email: legacy, emailConfirmedAt: null });

    // The owners register and follow the mailed link: each takes the login over and finds VP's record on it.
    for (const [address, record] of [
      [target, owner],
      [legacy, legacyOwner],
    ] as const) {
      expect((await api().post('/auth/register', { email: address })).status).toBe(202);
      const [{ url }] = await t.db.query<{ url: string }[]>(`SELECT payload->>'url' AS url FROM outbox_messages WHERE recipient = $1::citext AND template = 'account.registration'`, [address]);
      const took = await api().post('/auth/accept-invitation', { token: url.slice(url.lastIndexOf('/') + 1), password: 'the owner’s own passphrase' });
      expect(took.status).toBe(200);
      const me = await api({ Authorization: `Bearer ${took.body.accessToken}` }).get('/auth/me');
      expect(me.body).toMatchObject({ user: { email: address, emailConfirmed: true }, members: [{ id: record.id, controllerId: w.B.id }] });
    }
    // The squatter's password and sessions are gone.
    await expect(login(t, legacy, PASSWORD)).rejects.toThrow();
    expect((await api(squatter.auth).get('/auth/me')).status).toBe(401);
  });

  it('6. erasing a made-up record of VP’s member’s address neither lifts their login lock nor cancels VP’s mails; invitations to it are capped', async () => {
    // Someone guesses the victim's password until the account locks.
    for (let i = 0; i < 10; i++) await api().post('/auth/login', { email: VICTIM_EMAIL, password: `guess number ${i} wrong` });
    expect((await api().post('/auth/login', { email: VICTIM_EMAIL, password: PASSWORD })).status).toBe(429);
    const vpMail = await t.db.query<{ id: string }[]>(
      `INSERT INTO outbox_messages (template, recipient, locale, payload, dedupe_key) VALUES ('account.password_reset', $1, 'es', '{"url":"x"}', $2) RETURNING id`,
      [VICTIM_EMAIL, unique('vp-mail')],
    );
    // NP makes a record of the address, invites it until the cap, and erases it.
    const made = await np().post('/members', { givenName: 'Made', familyName: 'Up', email: VICTIM_EMAIL, memberships: [{ organisationId: w.A.id }] });
    const record = made.body.id as string;
    const invitations = [];
    for (let i = 0; i < 4; i++) invitations.push((await np().post(`/members/${record}/invitation`)).status);
    expect(invitations).toEqual([202, 202, 202, 429]);
    expect((await np().post(`/members/${record}/erase`)).status).toBe(200);
    // The lock holds, VP's mail is still owed, and a new record of the address does not reset the cap.
    expect((await api().post('/auth/login', { email: VICTIM_EMAIL, password: PASSWORD })).status).toBe(429);
    expect(await t.db.query('SELECT recipient, state FROM outbox_messages WHERE id = $1', [vpMail[0].id])).toEqual([{ recipient: VICTIM_EMAIL, state: 'pending' }]);
    const again = await np().post('/members', { givenName: 'Made', familyName: 'Again', email: VICTIM_EMAIL, memberships: [{ organisationId: w.A.id }] });
    expect((await np().post(`/members/${again.body.id}/invitation`)).status).toBe(429);
  });

  it('leaves VP’s record, audit log and export exactly as they were', async () => {
    const after = await vpState();
    expect(after).toEqual(before);
  });
});
