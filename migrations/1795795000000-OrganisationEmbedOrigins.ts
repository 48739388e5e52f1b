import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sites an organisation lets show its public pages in an `<iframe>`
 * (`?embed=1` on its page and on the pages of the events it hosts): sent as
 * the pages' `Content-Security-Policy: frame-ancestors`. Each entry is an
 * origin, `https://host[:port]`, at most 20 (checked by the API, which is
 * the only writer). Empty, the default for every existing organisation,
 * means no site may frame its pages: nothing changes until an org_admin
 * lists one.
 */
export class OrganisationEmbedOrigins1795795000000 implements MigrationInterface {
  name = 'OrganisationEmbedOrigins1795795000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // A constant default: PostgreSQL 11+ adds the column without rewriting the table.
    await queryRunner.query(`ALTER TABLE "organisations" ADD "embed_origins" text array NOT NULL DEFAULT '{}'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "organisations" DROP COLUMN "embed_origins"`);
  }
}
