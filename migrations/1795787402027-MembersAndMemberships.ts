import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Members, their consents and memberships, CSV imports; users.member_id becomes a foreign key; trigram search index. */

export class MembersAndMemberships1795787402027 implements MigrationInterface {
  name = 'MembersAndMemberships1795787402027';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "members" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "given_name" text NOT NULL, "family_name" text NOT NULL, "email" citext, "phone" text, "region" text, "locality" text, "languages" text array NOT NULL DEFAULT '{}', "preferred_language" text NOT NULL DEFAULT 'es', "email_verified_at" TIMESTAMP WITH TIME ZONE, "erased_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_members_email" UNIQUE ("email"), CONSTRAINT "ck_members_erased" CHECK ("erased_at" IS NULL OR ("email" IS NULL AND "phone" IS NULL AND "locality" IS NULL)), CONSTRAINT "ck_members_preferred_language" CHECK ("preferred_language" IN ('es','en')), CONSTRAINT "ck_members_phone_e164" CHECK ("phone" IS NULL OR "phone" ~ '^\\+[1-9][0-9]{6,14}$'), CONSTRAINT "pk_members" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_members_region_directory" ON "members"  ("region", "family_name", "given_name", "id") `);
    await queryRunner.query(`CREATE INDEX "ix_members_directory" ON "members"  ("family_name", "given_name", "id") `);
    await queryRunner.query(
      `CREATE TABLE "member_consents" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "member_id" uuid NOT NULL, "organisation_id" uuid, "notice_version" text NOT NULL, "data_processing" boolean NOT NULL, "contact_by_email" boolean NOT NULL DEFAULT false, "contact_by_sms" boolean NOT NULL DEFAULT false, "source" text NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_member_consents_source" CHECK ("source" IN ('form','import','manual','self')), CONSTRAINT "pk_member_consents" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_member_consents_organisation_id" ON "member_consents"  ("organisation_id") `);
    await queryRunner.query(`CREATE INDEX "ix_member_consents_member_recorded" ON "member_consents"  ("member_id", "recorded_at") `);
    await queryRunner.query(
      `CREATE TABLE "imports" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid NOT NULL, "created_by" uuid, "state" text NOT NULL DEFAULT 'queued', "filename" text, "bytes" bigint NOT NULL, "rows_total" integer NOT NULL, "rows_read" integer NOT NULL DEFAULT '0', "rows_created" integer NOT NULL DEFAULT '0', "rows_updated" integer NOT NULL DEFAULT '0', "rows_failed" integer NOT NULL DEFAULT '0', "errors" jsonb NOT NULL DEFAULT '[]', "failure" text, "processed_line" integer NOT NULL DEFAULT '0', "run_token" uuid, "heartbeat_at" TIMESTAMP WITH TIME ZONE, "attempts" integer NOT NULL DEFAULT '0', "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_imports_state" CHECK ("state" IN ('queued','running','completed','failed')), CONSTRAINT "pk_imports" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_imports_organisation_id" ON "imports"  ("organisation_id") `);
    await queryRunner.query(`CREATE TABLE "import_chunks" ("import_id" uuid NOT NULL, "seq" integer NOT NULL, "data" bytea NOT NULL, CONSTRAINT "pk_import_chunks" PRIMARY KEY ("import_id", "seq"))`);
    await queryRunner.query(
      `CREATE TABLE "memberships" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "member_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "status" text NOT NULL, "title" text, "joined_on" date, "ended_on" date, "source" text NOT NULL, "dues_paid_until" date, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_memberships_member_organisation" UNIQUE ("member_id", "organisation_id"), CONSTRAINT "ck_memberships_dates" CHECK ("ended_on" IS NULL OR "joined_on" IS NULL OR "ended_on" >= "joined_on"), CONSTRAINT "ck_memberships_source" CHECK ("source" IN ('form','import','manual')), CONSTRAINT "ck_memberships_status" CHECK ("status" IN ('applied','active','suspended','lapsed','resigned','expelled')), CONSTRAINT "pk_memberships" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_memberships_organisation_status" ON "memberships"  ("organisation_id", "status") `);
    await queryRunner.query(`ALTER TABLE "users" ADD CONSTRAINT "fk_users_member_id" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "member_consents" ADD CONSTRAINT "fk_member_consents_member_id" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(
      `ALTER TABLE "member_consents" ADD CONSTRAINT "fk_member_consents_organisation_id" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "imports" ADD CONSTRAINT "fk_imports_organisation_id" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "import_chunks" ADD CONSTRAINT "fk_import_chunks_import_id" FOREIGN KEY ("import_id") REFERENCES "imports"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "memberships" ADD CONSTRAINT "fk_memberships_member_id" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(
      `ALTER TABLE "memberships" ADD CONSTRAINT "fk_memberships_organisation_id" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    // Typo-tolerant directory search: one trigram index over names and e-mail, queried with the
    // word-similarity operator (`search %> word`, see MembersService.directory). TypeORM cannot
    // express it; the expression must stay identical to MEMBER_SEARCH_TEXT in the service.
    await queryRunner.query(`CREATE INDEX "ix_members_search_trgm" ON "members" USING gin (("given_name" || ' ' || "family_name" || ' ' || coalesce("email"::text, '')) gin_trgm_ops)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_members_search_trgm"`);
    await queryRunner.query(`ALTER TABLE "memberships" DROP CONSTRAINT "fk_memberships_organisation_id"`);
    await queryRunner.query(`ALTER TABLE "memberships" DROP CONSTRAINT "fk_memberships_member_id"`);
    await queryRunner.query(`ALTER TABLE "import_chunks" DROP CONSTRAINT "fk_import_chunks_import_id"`);
    await queryRunner.query(`ALTER TABLE "imports" DROP CONSTRAINT "fk_imports_organisation_id"`);
    await queryRunner.query(`ALTER TABLE "member_consents" DROP CONSTRAINT "fk_member_consents_organisation_id"`);
    await queryRunner.query(`ALTER TABLE "member_consents" DROP CONSTRAINT "fk_member_consents_member_id"`);
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "fk_users_member_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_memberships_organisation_status"`);
    await queryRunner.query(`DROP TABLE "memberships"`);
    await queryRunner.query(`DROP TABLE "import_chunks"`);
    await queryRunner.query(`DROP INDEX "public"."ix_imports_organisation_id"`);
    await queryRunner.query(`DROP TABLE "imports"`);
    await queryRunner.query(`DROP INDEX "public"."ix_member_consents_member_recorded"`);
    await queryRunner.query(`DROP INDEX "public"."ix_member_consents_organisation_id"`);
    await queryRunner.query(`DROP TABLE "member_consents"`);
    await queryRunner.query(`DROP INDEX "public"."ix_members_directory"`);
    await queryRunner.query(`DROP INDEX "public"."ix_members_region_directory"`);
    await queryRunner.query(`DROP TABLE "members"`);
  }
}
