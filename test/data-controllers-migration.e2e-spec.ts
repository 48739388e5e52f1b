import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';

import { dataSourceOptions } from '../src/database/database-options';
import { runMigrations } from '../src/database/migrations';
import { TEST_JWT_SECRET } from './support/app';
import { databaseUrl, TEST_ENV } from './support/database';

const MIGRATIONS = join(__dirname, '..', 'migrations');
const SPLIT = '1795793000000-DataControllers.ts';

/**
 * The data migration of issue 17 on a seeded database of the model before
 * it: one person record shared by organisations of two data controllers,
 * with memberships, consents, signups and a login. After it, every record
 * belongs to one controller, and what each organisation counts is unchanged.
 */
describe('migration DataControllers: one member record per data controller', () => {
  const name = `convoca_split_${process.pid}_${Date.now().toString(36)}`;
  let admin: Client;
  let db: Client;
  const ids: Record<string, string> = {};

  const source = (migrations: string[]) => new DataSource({ ...dataSourceOptions(databaseUrl(process.env[TEST_ENV.adminUrl]!, name), { dbPoolSize: 2, dbStatementTimeoutMs: 60000 }), migrations });
  const one = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> => (await db.query(sql, params)).rows[0] as T;
  const all = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> => (await db.query(sql, params)).rows as T[];
  const id = async (sql: string, params: unknown[] = []) => (await one<{ id: string }>(`${sql} RETURNING id`, params)).id;

  /** What each organisation and event counts: must be the same before and after. */
  const counts = async () => ({
    membersPerOrganisation: await all(
      `SELECT o.slug, count(ms.id)::int AS members, count(*) FILTER (WHERE ms.status = 'active')::int AS active FROM organisations o LEFT JOIN memberships ms ON ms.organisation_id = o.id GROUP BY o.slug ORDER BY o.slug`,
    ),
    memberships: await all('SELECT id, organisation_id, status, title, joined_on::text FROM memberships ORDER BY id'),
    signups: await all('SELECT id, event_id, status, (member_id IS NOT NULL) AS member FROM event_signups ORDER BY id'),
    consents: await all('SELECT id, organisation_id, source FROM member_consents ORDER BY id'),
  });
  let before: Awaited<ReturnType<typeof counts>>;

  beforeAll(async () => {
    admin = new Client({ connectionString: process.env[TEST_ENV.adminUrl] });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const earlier = readdirSync(MIGRATIONS)
      .filter((f) => f.endsWith('.ts') && f < SPLIT)
      .map((f) => join(MIGRATIONS, f));
    const ds = source(earlier);
    await ds.initialize();
    await runMigrations(ds);
    await ds.destroy();

    db = new Client({ connectionString: databaseUrl(process.env[TEST_ENV.adminUrl]!, name) });
    await db.connect();
    // The demo's world: Voces del Pueblo (VP) with a chapter; Nuevo Perú (NP) with its current SÚMATE; their coalition.
    ids.vp = await id(`INSERT INTO organisations (slug, name, kind) VALUES ('vp', 'Voces del Pueblo', 'party')`);
    ids.chapter = await id(`INSERT INTO organisations (slug, name, kind, parent_id) VALUES ('vp-tumbes', 'VP Tumbes', 'chapter', $1)`, [ids.vp]);
    ids.np = await id(`INSERT INTO organisations (slug, name, kind) VALUES ('np', 'Nuevo Perú', 'party')`);
    ids.sumate = await id(`INSERT INTO organisations (slug, name, kind, parent_id) VALUES ('sumate', 'SÚMATE', 'current', $1)`, [ids.np]);
    ids.coalition = await id(`INSERT INTO coalitions (slug, name, status) VALUES ('venceremos', 'VENCEREMOS', 'active')`);
    const event = (host: string | null, coalition: string | null) =>
      id(
        `INSERT INTO events (title, kind, status, published_at, starts_at, ends_at, host_organisation_id, coalition_id) VALUES ('e', 'rally', 'published', now(), now() + interval '7 days', now() + interval '8 days', $1, $2)`,
        [host, coalition],
      );
    ids.eventVp = await event(ids.vp, null);
    ids.eventSumate = await event(ids.sumate, null);
    ids.eventCoalition = await event(null, ids.coalition);

    const member = (given: string, email: string | null, phone: string | null = null) =>
      id(`INSERT INTO members (given_name, family_name, email, phone, region, email_verified_at) VALUES ($1, 'Quispe', $2, $3, 'Cusco', now())`, [given, email, phone]);
    const membership = (memberId: string, org: string, status: string, at: string) =>
      id(`INSERT INTO memberships (member_id, organisation_id, status, source, joined_on, created_at) VALUES ($1, $2, $3, 'manual', '2026-01-01', $4)`, [memberId, org, status, at]);
    const consent = (memberId: string, org: string | null) =>
      id(`INSERT INTO member_consents (member_id, organisation_id, notice_version, data_processing, source) VALUES ($1, $2, '2026-01', true, 'form')`, [memberId, org]);
    const signup = (eventId: string, memberId: string) => id(`INSERT INTO event_signups (event_id, member_id, status, source) VALUES ($1, $2, 'going', 'member')`, [eventId, memberId]);

    // Rosa: VP first, then NP and SÚMATE — two controllers; a login; consents and signups on both sides.
    ids.rosa = await member('Rosa', 'rosa@example.org', '+51911111111');
    await membership(ids.rosa, ids.vp, 'active', '2026-01-01');
    ids.rosaNp = await membership(ids.rosa, ids.np, 'active', '2026-02-01');
    ids.rosaSumate = await membership(ids.rosa, ids.sumate, 'applied', '2026-03-01');
    ids.rosaConsentVp = await consent(ids.rosa, ids.vp);
    ids.rosaConsentSumate = await consent(ids.rosa, ids.sumate);
    ids.rosaConsentSelf = await consent(ids.rosa, null);
    ids.rosaSignupVp = await signup(ids.eventVp, ids.rosa);
    ids.rosaSignupSumate = await signup(ids.eventSumate, ids.rosa);
    ids.rosaSignupCoalition = await signup(ids.eventCoalition, ids.rosa);
    ids.rosaLogin = await id(`INSERT INTO users (email, password_hash, member_id) VALUES ('rosa@example.org', 'x', $1)`, [ids.rosa]);
    // Luis: NP first, then VP's chapter.
    ids.luis = await member('Luis', 'luis@example.org');
    await membership(ids.luis, ids.np, 'active', '2026-01-05');
    ids.luisChapter = await membership(ids.luis, ids.chapter, 'lapsed', '2026-04-01');
    // Ana: NP and SÚMATE only — one controller, not split. Sin: VP, no e-mail.
    ids.ana = await member('Ana', 'ana@example.org');
    await membership(ids.ana, ids.np, 'active', '2026-01-01');
    await membership(ids.ana, ids.sumate, 'active', '2026-01-02');
    ids.sin = await member('Sin', null);
    await membership(ids.sin, ids.vp, 'active', '2026-01-01');
    // Eva: a consent to NP and nothing else. Olvido: nothing at all.
    ids.eva = await member('Eva', 'eva@example.org');
    await consent(ids.eva, ids.np);
    ids.olvido = await member('Olvido', 'olvido@example.org');
    // Logins: a staff login an org_admin made with a password of their choosing; a platform admin.
    ids.staff = await id(`INSERT INTO users (email, password_hash) VALUES ('staff@example.org', 'x')`);
    ids.platform = await id(`INSERT INTO users (email, password_hash, is_platform_admin) VALUES ('ops@example.org', 'x', true)`);

    before = await counts();
    const ds2 = source([join(MIGRATIONS, '*.ts')]);
    await ds2.initialize();
    // Later migrations derive values for these rows (CheckIn: the signups' check-in codes) from the JWT secret.
    await runMigrations(ds2, { jwtSecret: TEST_JWT_SECRET });
    await ds2.destroy();
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  it('keeps every organisation’s member counts, every membership, consent and signup', async () => {
    expect(await counts()).toEqual(before);
  });

  it('leaves no record spanning two controllers, and no membership outside its record’s controller', async () => {
    const crossing = await all(`SELECT ms.id FROM memberships ms JOIN members m ON m.id = ms.member_id WHERE organisation_root(ms.organisation_id) <> m.controller_id`);
    expect(crossing).toEqual([]);
    expect(await one(`SELECT count(*)::int AS n FROM members WHERE controller_id IS NULL`)).toEqual({ n: 0 });
  });

  it('splits Rosa into VP’s record (the original) and NP’s copy, each with what was given inside it', async () => {
    const records = await all<{ id: string; controller_id: string; given_name: string; email: string; phone: string }>(
      `SELECT id, controller_id, given_name, email, phone FROM members WHERE email = 'rosa@example.org' ORDER BY controller_id = $1 DESC`,
      [ids.vp],
    );
    expect(records.map((r) => [r.controller_id, r.given_name, r.phone])).toEqual([
      [ids.vp, 'Rosa', '+51911111111'],
      [ids.np, 'Rosa', '+51911111111'],
    ]);
    const [vp, np] = records;
    expect(vp.id).toBe(ids.rosa);
    expect((await all(`SELECT id FROM memberships WHERE member_id = $1 ORDER BY id`, [np.id])).map((r) => r.id)).toEqual([ids.rosaNp, ids.rosaSumate].sort());
    expect((await all(`SELECT id FROM member_consents WHERE member_id = $1 ORDER BY id`, [np.id])).map((r) => r.id)).toEqual([ids.rosaConsentSumate]);
    expect((await all(`SELECT id FROM member_consents WHERE member_id = $1 ORDER BY id`, [vp.id])).map((r) => r.id)).toEqual([ids.rosaConsentVp, ids.rosaConsentSelf].sort());
    // Signups follow the host's controller; a coalition's event stays with the original.
    expect((await all(`SELECT id FROM event_signups WHERE member_id = $1`, [np.id])).map((r) => r.id)).toEqual([ids.rosaSignupSumate]);
    expect((await all(`SELECT id FROM event_signups WHERE member_id = $1 ORDER BY id`, [vp.id])).map((r) => r.id)).toEqual([ids.rosaSignupVp, ids.rosaSignupCoalition].sort());
    expect(await all(`SELECT DISTINCT attendee_name FROM event_signups WHERE member_id = ANY($1)`, [[vp.id, np.id]])).toEqual([{ attendee_name: 'Rosa Quispe' }]);
    // Her login reaches both records; she proved the address once for both.
    expect(await all(`SELECT member_id, controller_id FROM member_logins WHERE user_id = $1 ORDER BY controller_id = $2 DESC`, [ids.rosaLogin, ids.vp])).toEqual([
      { member_id: vp.id, controller_id: ids.vp },
      { member_id: np.id, controller_id: ids.np },
    ]);
    // The copy is findable by the words search like any record.
    expect(await one(`SELECT count(*)::int AS n FROM member_search_words WHERE member_id = $1`, [np.id])).toEqual({ n: 4 });
  });

  it('splits Luis the other way round, and leaves one-controller records whole', async () => {
    const luis = await all<{ id: string; controller_id: string }>(`SELECT id, controller_id FROM members WHERE email = 'luis@example.org'`);
    expect(luis.find((r) => r.controller_id === ids.np)?.id).toBe(ids.luis);
    const copy = luis.find((r) => r.controller_id === ids.vp)!;
    expect((await all(`SELECT id FROM memberships WHERE member_id = $1`, [copy.id])).map((r) => r.id)).toEqual([ids.luisChapter]);
    expect(await all(`SELECT id, controller_id FROM members WHERE email = 'ana@example.org'`)).toEqual([{ id: ids.ana, controller_id: ids.np }]);
    expect(await all(`SELECT controller_id FROM members WHERE id = $1`, [ids.sin])).toEqual([{ controller_id: ids.vp }]);
  });

  it('places a record known only by a consent, and removes one no organisation knew', async () => {
    expect(await all(`SELECT controller_id FROM members WHERE id = $1`, [ids.eva])).toEqual([{ controller_id: ids.np }]);
    expect(await all(`SELECT id FROM members WHERE id = $1`, [ids.olvido])).toEqual([]);
  });

  it('audits each copy in its controller’s scope', async () => {
    const entries = await all<{ organisation_id: string; changes: { splitFrom: { from: string } } }>(
      `SELECT organisation_id, changes FROM audit_log WHERE action = 'member.split' ORDER BY organisation_id = $1 DESC`,
      [ids.np],
    );
    expect(entries.map((e) => [e.organisation_id, e.changes.splitFrom.from])).toEqual([
      [ids.np, ids.rosa],
      [ids.vp, ids.luis],
    ]);
  });

  it('confirms the logins that came from an e-mailed link or an operator, not those an org_admin set a password for', async () => {
    const rows = await all<{ id: string; confirmed: boolean }>(`SELECT id, email_confirmed_at IS NOT NULL AS confirmed FROM users`);
    expect(Object.fromEntries(rows.map((r) => [r.id, r.confirmed]))).toEqual({ [ids.rosaLogin]: true, [ids.staff]: false, [ids.platform]: true });
  });

  it('holds the new rules in the database: an e-mail is unique per controller only, and a membership cannot cross', async () => {
    await db.query(`INSERT INTO members (controller_id, given_name, family_name, email) VALUES ($1, 'Otra', 'Ana', 'ANA@example.org')`, [ids.vp]);
    await expect(db.query(`INSERT INTO members (controller_id, given_name, family_name, email) VALUES ($1, 'Dup', 'Ana', 'Ana@Example.org')`, [ids.np])).rejects.toThrow(/uq_members_controller_email/);
    await expect(db.query(`INSERT INTO memberships (member_id, organisation_id, status, source) VALUES ($1, $2, 'active', 'manual')`, [ids.ana, ids.chapter])).rejects.toThrow(/data controller/);
    await expect(db.query(`UPDATE members SET controller_id = $2 WHERE id = $1`, [ids.ana, ids.vp])).rejects.toThrow(/never changes data controller/);
  });
});
