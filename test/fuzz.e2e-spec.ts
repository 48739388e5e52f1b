import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import request from 'supertest';

import { MemberImportService } from '../src/members/member-import.service';
import { bootTestApp, type TestApp } from './support/app';
import { buildWorld, guest, login, makeDemand, makeEvent, makeMember, makePact, makeShift, type World } from './support/world';

/**
 * Property-based fuzzing of the whole API as its OpenAPI document describes
 * it (issue 9): every POST/PUT/PATCH route with generated bodies, every GET
 * route with generated query strings, as a platform admin (who passes every
 * route's policy, so the request reaches validation and business logic).
 * Promises: never a 5xx; an unknown field is a 400, never accepted; a
 * rejected request leaves the database as it was.
 */

interface Schema {
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  maxLength?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  $ref?: string;
  allOf?: Schema[];
}
interface Operation {
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/** Fields a caller might try to slip in (mass assignment, OWASP API3). */
const INJECTED = ['isPlatformAdmin', 'organisationId', 'status', 'id', 'role', 'passwordHash', 'memberId', 'createdAt', 'goingCount', 'deletedAt'];
const SQL = ["' OR 1=1 --", "'; DROP TABLE members; --", '1; SELECT pg_sleep(10)', '%', '_', '\\', '$1', "') UNION SELECT email FROM users --"];
/** Text PostgreSQL cannot store or that trips encoders: NUL, lone surrogates, right-to-left marks, emoji. */
const NASTY_TEXT = ['\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '\u202eevil', '👩🏽‍🌾', 'Ñandú Ümlaut', '\r\n\t', ' ', ''];
const HUGE = 'x'.repeat(100_000);
/** Runs per route: bounded so that the file stays around a minute on a loaded machine. */
const BODY_RUNS = 25;
const QUERY_RUNS = 15;

/**
 * Tables a rejected request may legitimately change, left out of the digest:
 * - rate_limits: counting refused attempts (a wrong password, a 429) is the point of it;
 * - auth_sessions: every authenticated request, accepted or not, marks the session as used.
 */
const DIGEST_EXCLUDED = ['rate_limits', 'typeorm_migrations'];

describe('fuzzing every route of the OpenAPI document', () => {
  let t: TestApp;
  let w: World;
  let doc: OpenApi;
  let digestSql: string;
  /** Path parameter -> a real id, by the path segment before it. */
  let ids: Record<string, string>;
  let anyIds: string[];
  const auth = () => w.users.platform.auth;

  beforeAll(async () => {
    t = await bootTestApp();
    w = await buildWorld(t);
    const event = await makeEvent(t, { hostOrganisationId: w.A.id, capacity: 50 });
    const shift = await makeShift(t, event, { capacity: 5 });
    const demand = await makeDemand(t, { coalition: w.C }, { status: 'proposed' });
    const pact = await makePact(t, { coalition: w.C }, w.B);
    const member = await makeMember(t, [w.A]);
    const signup = await request(t.http).post(`/api/v1/events/${event.id}/signups`).send(guest());
    expect(signup.status).toBe(201);
    const campaign = await request(t.http).post('/api/v1/campaigns').set(auth()).send({ organisationId: w.A.id, title: 'Fuzz campaign', startsOn: '2026-06-08' });
    expect(campaign.status).toBe(201);
    const upload = await request(t.http).post(`/api/v1/organisations/${w.A.id}/imports`).set(auth()).attach('file', Buffer.from('given_name,family_name\nAna,Import\n'), 'm.csv');
    expect(upload.status).toBe(202);
    await t.app.get(MemberImportService).idle();
    const [assignment] = await t.db.query<{ id: string }[]>('SELECT id FROM role_assignments WHERE user_id = $1', [w.users.adminA.id]);
    const [endpoint] = await t.db.query<{ id: string }[]>(
      `INSERT INTO webhook_endpoints (organisation_id, url, events, secret) VALUES ($1, 'https://hooks.example.org/convoca', '{signup.created}', 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA') RETURNING id`,
      [w.A.id],
    );
    const [delivery] = await t.db.query<{ id: string }[]>(`INSERT INTO webhook_deliveries (endpoint_id, event_type, payload, state) VALUES ($1, 'signup.created', '{}', 'delivered') RETURNING id`, [
      endpoint.id,
    ]);
    const promotion = await request(t.http).post(`/api/v1/events/${event.id}/promotions`).set(auth()).send({ organisationId: w.B.id });
    expect(promotion.status).toBe(201);
    ids = {
      organisations: w.A.id,
      coalitions: w.C.id,
      partners: w.A.id,
      campaigns: campaign.body.id,
      events: event.id,
      shifts: shift.id,
      signups: signup.body.id,
      hosts: w.users.organiserA.id,
      demands: demand.id,
      conditions: demand.id,
      endorsements: w.B.id,
      pacts: pact.id,
      members: member.id,
      memberships: member.membershipIds[0],
      imports: upload.body.id,
      users: w.users.adminA.id,
      'role-assignments': assignment.id,
      webhooks: endpoint.id,
      deliveries: delivery.id,
      promotions: promotion.body.id,
    };
    anyIds = [...Object.values(ids), w.P.id, w.B.id, w.A.slug, randomUUID()];

    doc = (await request(t.http).get('/api/docs-json')).body as OpenApi;
    const tables = await t.db.query<{ name: string }[]>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND NOT (tablename = ANY($1)) ORDER BY 1`, [DIGEST_EXCLUDED]);
    digestSql = `SELECT md5(string_agg(h, ',' ORDER BY n)) AS digest FROM (${tables
      .map(({ name }) => `SELECT '${name}' AS n, md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) AS h FROM "${name}" x`)
      .join(' UNION ALL ')}) s`;
    // Every row written to a digested table also adds a row to fuzz_changes, in the same transaction (a rolled-back
    // write adds none): while its count stays the same, so does the digest, which is computed again only when it grew.
    await t.db.query('CREATE TABLE fuzz_changes (id bigserial PRIMARY KEY)');
    await t.db.query('CREATE FUNCTION fuzz_log_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO fuzz_changes DEFAULT VALUES; RETURN NULL; END $$');
    for (const { name } of tables) {
      await t.db.query(`CREATE TRIGGER fuzz_log_rows AFTER INSERT OR UPDATE OR DELETE ON "${name}" FOR EACH ROW EXECUTE FUNCTION fuzz_log_change()`);
      await t.db.query(`CREATE TRIGGER fuzz_log_truncate AFTER TRUNCATE ON "${name}" FOR EACH STATEMENT EXECUTE FUNCTION fuzz_log_change()`);
    }
  });
  afterAll(async () => {
    await t.app.get(MemberImportService).idle();
    await t.close();
  });

  /** The digest of every table but DIGEST_EXCLUDED, and the count of logged changes it was computed at (one snapshot). */
  let hashed = { changes: '', digest: '' };
  const changes = async () => (await t.db.query<{ n: string }[]>('SELECT count(*)::text AS n FROM fuzz_changes'))[0].n;
  /**
   * The digest of the tables as they are now: the one last computed while no change was logged since, else computed
   * again. Exact: a committed write to a digested table always grows the count.
   */
  async function digest(): Promise<string> {
    if ((await changes()) !== hashed.changes) {
      [hashed] = await t.db.query<{ changes: string; digest: string }[]>(`SELECT (SELECT count(*)::text FROM fuzz_changes) AS changes, (${digestSql}) AS digest`);
    }
    return hashed.digest;
  }

  /** `/api/v1/events/{id}/signups/{signupId}` with real ids. */
  function resolvePath(path: string): string {
    const parts = path.split('/');
    return parts
      .map((part, i) => {
        if (!part.startsWith('{')) return part;
        const id = ids[parts[i - 1]];
        if (!id) throw new Error(`no id for ${part} in ${path}`);
        return id;
      })
      .join('/');
  }

  const deref = (s: Schema): Schema => {
    if (s.$ref) return doc.components.schemas[s.$ref.split('/').pop()!];
    if (s.allOf?.length === 1) return deref(s.allOf[0]);
    return s;
  };

  const hostile: fc.Arbitrary<unknown> = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.constantFrom(1e9, -1, 0, 1.5, Number.MAX_SAFE_INTEGER, -1e308),
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.constantFrom(...SQL, ...NASTY_TEXT, HUGE),
    fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant(null)), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { maxKeys: 3 }),
  );

  /** A value that may pass validation, so that business logic is reached too. */
  function plausible(name: string, s: Schema, depth: number): fc.Arbitrary<unknown> {
    const schema = deref(s);
    if (schema.enum?.length) return fc.constantFrom(...schema.enum);
    if (schema.properties && depth < 3) return objectOf(schema, depth + 1);
    if (schema.type === 'array')
      return fc.array(schema.items && /Ids$|^ids$/.test(name) ? fc.constantFrom(...anyIds) : plausible(name.replace(/s$/, ''), schema.items ?? {}, depth + 1), { maxLength: 3 });
    if (/Id$|^userId$/.test(name)) return fc.constantFrom(...anyIds);
    if (schema.type === 'boolean' || /^(dataProcessing|consent|accepted)/.test(name)) return fc.boolean();
    if (/email/i.test(name)) return fc.constantFrom(`fuzz-${randomUUID()}@example.org`, w.users.adminA.email, 'ROSA@Example.org');
    if (/password/i.test(name)) return fc.constantFrom('a long enough passphrase 42', 'short');
    if (schema.format === 'date-time' || /At$|Deadline$/.test(name)) return fc.date({ min: new Date('2026-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
    if (/On$|Until$/.test(name)) return fc.constantFrom('2026-06-08', '2026-02-30', '2027-01-01');
    if (/^(capacity|lat|lng|limit|position)$/.test(name) || schema.type === 'number' || schema.type === 'integer') return fc.integer({ min: -5, max: 200 });
    if (schema.example !== undefined) return fc.oneof(fc.constant(schema.example), fc.string({ minLength: 1, maxLength: 20 }));
    return fc.string({ minLength: 1, maxLength: 20 });
  }

  function objectOf(schema: Schema, depth: number): fc.Arbitrary<Record<string, unknown>> {
    const props = Object.entries(schema.properties ?? {});
    if (!props.length) return fc.constant({});
    return fc.record(Object.fromEntries(props.map(([name, s]) => [name, plausible(name, s, depth)])), { requiredKeys: [] });
  }

  /**
   * A body: an object shaped like the DTO with plausible values (so that some pass validation and reach the
   * service), then maybe one field replaced by a hostile value, maybe one unknown field added; sometimes no object at all.
   */
  function bodyOf(schema: Schema | null): fc.Arbitrary<{ body: unknown; injected: string | null }> {
    const names = Object.keys(schema?.properties ?? {});
    const candidates = INJECTED.filter((f) => !names.includes(f));
    const shaped = schema ? objectOf(schema, 0) : fc.constant({});
    const hostileField = names.length ? fc.option(fc.tuple(fc.constantFrom(...names), hostile), { nil: null, freq: 2 }) : fc.constant(null);
    return fc.oneof(
      {
        weight: 8,
        arbitrary: fc.tuple(shaped, hostileField, fc.option(fc.tuple(fc.constantFrom(...candidates), hostile), { nil: null, freq: 3 })).map(([b, bad, extra]) => ({
          body: { ...b, ...(bad ? { [bad[0]]: bad[1] } : {}), ...(extra ? { [extra[0]]: extra[1] } : {}) },
          injected: extra?.[0] ?? null,
        })),
      },
      { weight: 1, arbitrary: hostile.filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)).map((body) => ({ body, injected: null })) },
    );
  }

  function describeFailure(method: string, path: string, sent: unknown, res: request.Response): string {
    return `${method} ${path} ${JSON.stringify(sent)?.slice(0, 300)} -> ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`;
  }

  /** Destructive routes go last, so that the others still find their records. */
  const LAST = /\/(erase|logout|cancel|complete|retry)$/;

  it('sees any committed write in its database digest, and none that was rolled back', async () => {
    const before = await digest();
    const rename = (suffix: string) => [`UPDATE organisations SET name = $2 WHERE id = $1`, [w.A.id, `${w.A.name}${suffix}`]] as const;
    await expect(
      t.db.transaction(async (em) => {
        await em.query(...rename('!'));
        expect(await digest()).toBe(before); // not committed: the digest's connection does not see it
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await digest()).toBe(before);
    await t.db.query(...rename('!'));
    expect(await digest()).not.toBe(before);
    await t.db.query(...rename(''));
    expect(await digest()).toBe(before); // the same rows again
    await t.db.query(...rename('')); // rewritten as it was
    expect(await digest()).toBe(before);
  });

  /** Routes that take a provider's body as it is, signed (text channels): refused whole without a valid signature. */
  const PROVIDER_WEBHOOKS = ['/api/v1/text/sms/inbound', '/api/v1/text/whatsapp/inbound'];

  it('never answers 5xx, never accepts an unknown field, and changes nothing when it refuses a body', async () => {
    const operations = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), op })))
      .filter((o) => ['POST', 'PUT', 'PATCH'].includes(o.method))
      .sort((a, b) => Number(LAST.test(a.path)) - Number(LAST.test(b.path)));
    expect(operations.length).toBeGreaterThan(40);
    const failures: string[] = [];
    let accepted = 0;
    for (const { path, method, op } of operations) {
      const content = op.requestBody?.content;
      const json = content?.['application/json'];
      // Multipart (CSV import) is fuzzed as JSON too: it must refuse it cleanly (415).
      const schema = json ? deref(json.schema) : null;
      const url = resolvePath(path);
      await fc.assert(
        fc.asyncProperty(bodyOf(schema), async ({ body, injected }) => {
          // A logout that is accepted ends the caller's session: each one gets a session of its own.
          const headers = path === '/api/v1/auth/logout' ? { Authorization: `Bearer ${(await login(t, w.users.platform.email)).token}` } : auth();
          const before = await digest();
          const res = await request(t.http)[method.toLowerCase() as 'post'](url).set(headers).set('content-type', 'application/json').send(JSON.stringify(body));
          if (res.status >= 500) failures.push(`5xx: ${describeFailure(method, path, body, res)}`);
          // Routes that take a body must refuse an unknown field; routes without one must not accept a body that tries to set something.
          // The text providers' inbound webhooks (issue 24) take the provider's JSON as it comes, any field: nothing unsigned gets past their signature check.
          if (PROVIDER_WEBHOOKS.includes(path)) {
            if (![400, 401, 404].includes(res.status)) failures.push(`unsigned provider call not refused: ${describeFailure(method, path, body, res)}`);
          } else if (injected && res.status !== 400 && !(content && !json && res.status === 415)) failures.push(`unknown field ${injected} not refused: ${describeFailure(method, path, body, res)}`);
          if (res.status >= 400 && (await digest()) !== before) failures.push(`refused but changed the database: ${describeFailure(method, path, body, res)}`);
          if (res.status < 300) accepted++;
        }),
        { numRuns: BODY_RUNS, seed: Number(process.env.FUZZ_SEED ?? 2026), endOnFailure: true },
      );
    }
    expect(failures).toEqual([]);
    // Some generated bodies were valid: the fuzzing reached business logic, not only validation.
    expect(accepted).toBeGreaterThan(10);
  }, 240_000);

  const queryValue: fc.Arbitrary<string | string[]> = fc.oneof(
    fc.constantFrom('1000000000', '-1', '0', '201', '1.5', '1e3', 'NaN', 'true', '2026-02-30', '2026-06-08T10:00:00Z', 'null', '[]', '{}'),
    fc.constantFrom(...SQL, ...NASTY_TEXT.filter((s) => s !== '\ud800' && s !== 'x\udfffy'), 'x'.repeat(5000)),
    fc.string({ maxLength: 20 }),
    fc.constantFrom('published', 'draft', 'active', 'pending', 'sent'),
    fc.array(fc.constantFrom('1', '2', 'a'), { minLength: 2, maxLength: 3 }),
  );

  it('never answers 5xx to generated query strings, refuses unknown parameters and limits over 200, and changes nothing', async () => {
    const operations = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), op })))
      .filter((o) => o.method === 'GET' && o.op.parameters?.some((p) => p.in === 'query'));
    expect(operations.length).toBeGreaterThan(12);
    const failures: string[] = [];
    for (const { path, op } of operations) {
      const names = op.parameters!.filter((p) => p.in === 'query').map((p) => p.name);
      const params = fc.record(
        Object.fromEntries(names.map((n) => [n, n === 'organisation' || n === 'coalition' || n === 'campaign' || n === 'shift' ? fc.oneof(fc.constantFrom(...anyIds), queryValue) : queryValue])),
        { requiredKeys: [] },
      );
      const url = resolvePath(path);
      await fc.assert(
        fc.asyncProperty(params, fc.option(fc.constantFrom('isPlatformAdmin', 'organisationId', 'sort', 'offset'), { nil: null }), async (values, injected) => {
          const qs = new URLSearchParams();
          for (const [name, value] of Object.entries(values)) for (const v of [value ?? []].flat()) qs.append(name, v);
          if (injected) qs.append(injected, 'true');
          const before = await digest();
          const res = await request(t.http).get(`${url}?${qs.toString()}`).set(auth());
          const sent = qs.toString();
          if (res.status >= 500) failures.push(`5xx: ${describeFailure('GET', path, sent, res)}`);
          if (injected && res.status !== 400) failures.push(`unknown parameter ${injected} not refused: ${describeFailure('GET', path, sent, res)}`);
          const limit = values.limit;
          if (typeof limit === 'string' && /^\d+$/.test(limit) && Number(limit) > 200 && res.status !== 400) failures.push(`limit over 200 not refused: ${describeFailure('GET', path, sent, res)}`);
          if (res.status >= 400 && (await digest()) !== before) failures.push(`refused but changed the database: ${describeFailure('GET', path, sent, res)}`);
        }),
        { numRuns: QUERY_RUNS, seed: Number(process.env.FUZZ_SEED ?? 2026), endOnFailure: true },
      );
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
