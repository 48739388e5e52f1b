import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * "Events near a point" (`GET /events?near=lat,lng&radiusKm=`, the
 * organisation page's filter), computed in PostgreSQL with the contrib
 * extensions cube and earthdistance, and indexed.
 *
 * The extensions ship with PostgreSQL (the embedded server, Debian's
 * postgresql-contrib, the official image). cube is a trusted extension;
 * earthdistance is not, so creating it takes a superuser (the official
 * image's POSTGRES_USER is one). Where the application's role is not one, an
 * administrator runs `CREATE EXTENSION earthdistance CASCADE` once before
 * upgrading; IF NOT EXISTS then leaves theirs alone, in whatever schema.
 *
 * The index is over `event_earth(lat, lng)`, not over earthdistance's own
 * `ll_to_earth(lat, lng)`. Both are IMMUTABLE and PostgreSQL accepts either
 * as an index expression, but earthdistance 1.1 (the version of PostgreSQL
 * 17 and older: Debian 12's 15 included) writes ll_to_earth's body without
 * schemas, and PostgreSQL evaluates index expressions with an empty
 * search_path in autovacuum and in pg_restore. Tried on 15: autovacuum's
 * ANALYZE of `events` then fails every time ("type earth does not exist";
 * the table's statistics are never renewed), and a restored dump has no
 * such index. A stored generated column is worse: pg_restore cannot even
 * create the table. event_earth is ll_to_earth's formula (the point on
 * earth()'s sphere as a 3-D cube) with every name schema-qualified, found
 * here once: the same values, evaluated the same in every session; as a
 * one-expression SQL function, the planner inlines it as it inlines
 * ll_to_earth. earthdistance 1.2 (PostgreSQL 18) names its schemas itself;
 * event_earth makes 1.1 safe too.
 *
 * Only events with coordinates are indexed (the others are never "near";
 * EventsRepository.list repeats `lat IS NOT NULL AND lng IS NOT NULL` so
 * that the planner may use this partial index). The list asks
 * `earth_box(centre, r) @> event_earth(lat, lng)` — the box around the
 * circle, which the GiST index answers — then `earth_distance(...) <= r`
 * for the exact circle.
 */
export class EventsNear1795794000000 implements MigrationInterface {
  name = 'EventsNear1795794000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // cube first, so that an existing cube (in any schema) is the one earthdistance uses.
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS cube`);
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS earthdistance`);
    // Where they are (regnamespace quotes a schema name that needs it): written into the function below.
    const [{ cube, earth }] = (await queryRunner.query(
      `SELECT (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'cube') AS cube,
              (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'earthdistance') AS earth`,
    )) as { cube: string; earth: string }[];
    // ll_to_earth's body (earthdistance 1.1 and 1.2), qualified. cos, sin and radians are pg_catalog's, always found.
    await queryRunner.query(`CREATE FUNCTION event_earth(lat float8, lng float8) RETURNS ${earth}.earth
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ SELECT ${cube}.cube(${cube}.cube(${cube}.cube(${earth}.earth() * cos(radians(lat)) * cos(radians(lng))),
                       ${earth}.earth() * cos(radians(lat)) * sin(radians(lng))), ${earth}.earth() * sin(radians(lat)))::${earth}.earth $$`);
    await queryRunner.query(
      `COMMENT ON FUNCTION event_earth(float8, float8) IS 'll_to_earth(lat, lng) with schema-qualified names, safe under any search_path (autovacuum, pg_restore): the expression of ix_events_earth'`,
    );
    await queryRunner.query(`CREATE INDEX "ix_events_earth" ON "events" USING gist (event_earth("lat", "lng")) WHERE "lat" IS NOT NULL AND "lng" IS NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_events_earth"`);
    await queryRunner.query(`DROP FUNCTION event_earth(float8, float8)`);
    // Without CASCADE: if anything else has come to depend on them, the revert stops here rather than drop it too.
    await queryRunner.query(`DROP EXTENSION IF EXISTS earthdistance`);
    await queryRunner.query(`DROP EXTENSION IF EXISTS cube`);
  }
}
