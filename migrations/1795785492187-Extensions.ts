import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Extensions later migrations rely on: case-insensitive text and trigram search. */
export class Extensions1795785492187 implements MigrationInterface {
  name = 'Extensions1795785492187';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE EXTENSION IF NOT EXISTS citext');
    await q.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP EXTENSION IF EXISTS pg_trgm');
    await q.query('DROP EXTENSION IF EXISTS citext');
  }
}
