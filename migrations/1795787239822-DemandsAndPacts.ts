import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The platform: demands (with revisions and endorsements), pacts and their conditions. */

export class DemandsAndPacts1795787239822 implements MigrationInterface {
  name = 'DemandsAndPacts1795787239822';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "demands" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "owner_coalition_id" uuid, "owner_organisation_id" uuid, "code" text NOT NULL, "title" text NOT NULL, "body" text NOT NULL DEFAULT '', "category" text, "position" integer NOT NULL, "status" text NOT NULL DEFAULT 'draft', "adopted_on" date, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_demands_position" CHECK ("position" >= 1), CONSTRAINT "ck_demands_status" CHECK ("status" IN ('draft','proposed','adopted','withdrawn','achieved')), CONSTRAINT "ck_demands_one_owner" CHECK (("owner_coalition_id" IS NULL) <> ("owner_organisation_id" IS NULL)), CONSTRAINT "pk_demands" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_demands_organisation_position" ON "demands"  ("owner_organisation_id", "position") WHERE "owner_organisation_id" IS NOT NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_demands_coalition_position" ON "demands"  ("owner_coalition_id", "position") WHERE "owner_coalition_id" IS NOT NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_demands_organisation_code" ON "demands"  ("owner_organisation_id", "code") WHERE "owner_organisation_id" IS NOT NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_demands_coalition_code" ON "demands"  ("owner_coalition_id", "code") WHERE "owner_coalition_id" IS NOT NULL`);
    await queryRunner.query(
      `CREATE TABLE "demand_endorsements" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "demand_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "endorsed_on" date NOT NULL, "note" text, "endorsed_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_demand_endorsements_demand_organisation" UNIQUE ("demand_id", "organisation_id"), CONSTRAINT "pk_demand_endorsements" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_demand_endorsements_organisation_id" ON "demand_endorsements"  ("organisation_id") `);
    await queryRunner.query(
      `CREATE TABLE "demand_revisions" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "demand_id" uuid NOT NULL, "before" jsonb NOT NULL, "after" jsonb NOT NULL, "revised_by" uuid, "revised_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_demand_revisions" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_demand_revisions_demand_id_id" ON "demand_revisions"  ("demand_id", "id") `);
    await queryRunner.query(
      `CREATE TABLE "pacts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "owner_coalition_id" uuid, "owner_organisation_id" uuid, "counterpart_organisation_id" uuid NOT NULL, "title" text NOT NULL, "description" text, "kind" text NOT NULL, "status" text NOT NULL DEFAULT 'draft', "starts_on" date, "ends_on" date, "signed_on" date, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_pacts_dates" CHECK ("ends_on" IS NULL OR "starts_on" IS NULL OR "ends_on" >= "starts_on"), CONSTRAINT "ck_pacts_not_with_itself" CHECK ("owner_organisation_id" IS NULL OR "owner_organisation_id" <> "counterpart_organisation_id"), CONSTRAINT "ck_pacts_status" CHECK ("status" IN ('draft','negotiating','agreed','rejected','fulfilled','broken')), CONSTRAINT "ck_pacts_kind" CHECK ("kind" IN ('electoral_support','joint_action','other')), CONSTRAINT "ck_pacts_one_owner" CHECK (("owner_coalition_id" IS NULL) <> ("owner_organisation_id" IS NULL)), CONSTRAINT "pk_pacts" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_pacts_owner_coalition_id" ON "pacts"  ("owner_coalition_id") `);
    await queryRunner.query(`CREATE INDEX "ix_pacts_owner_organisation_id" ON "pacts"  ("owner_organisation_id") `);
    await queryRunner.query(`CREATE INDEX "ix_pacts_counterpart_organisation_id" ON "pacts"  ("counterpart_organisation_id") `);
    await queryRunner.query(
      `CREATE TABLE "pact_conditions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "pact_id" uuid NOT NULL, "demand_id" uuid NOT NULL, "status" text NOT NULL DEFAULT 'pending', "note" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_pact_conditions_pact_demand" UNIQUE ("pact_id", "demand_id"), CONSTRAINT "ck_pact_conditions_status" CHECK ("status" IN ('pending','accepted','rejected','fulfilled','breached')), CONSTRAINT "pk_pact_conditions" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_pact_conditions_demand_id" ON "pact_conditions"  ("demand_id") `);
    await queryRunner.query(
      `ALTER TABLE "demands" ADD CONSTRAINT "fk_demands_owner_coalition_id" FOREIGN KEY ("owner_coalition_id") REFERENCES "coalitions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "demands" ADD CONSTRAINT "fk_demands_owner_organisation_id" FOREIGN KEY ("owner_organisation_id") REFERENCES "organisations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "demand_endorsements" ADD CONSTRAINT "fk_demand_endorsements_demand_id" FOREIGN KEY ("demand_id") REFERENCES "demands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "demand_endorsements" ADD CONSTRAINT "fk_demand_endorsements_organisation_id" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "demand_endorsements" ADD CONSTRAINT "fk_demand_endorsements_endorsed_by" FOREIGN KEY ("endorsed_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "demand_revisions" ADD CONSTRAINT "fk_demand_revisions_demand_id" FOREIGN KEY ("demand_id") REFERENCES "demands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(
      `ALTER TABLE "demand_revisions" ADD CONSTRAINT "fk_demand_revisions_revised_by" FOREIGN KEY ("revised_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "pacts" ADD CONSTRAINT "fk_pacts_owner_coalition_id" FOREIGN KEY ("owner_coalition_id") REFERENCES "coalitions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(
      `ALTER TABLE "pacts" ADD CONSTRAINT "fk_pacts_owner_organisation_id" FOREIGN KEY ("owner_organisation_id") REFERENCES "organisations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "pacts" ADD CONSTRAINT "fk_pacts_counterpart_organisation_id" FOREIGN KEY ("counterpart_organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "pact_conditions" ADD CONSTRAINT "fk_pact_conditions_pact_id" FOREIGN KEY ("pact_id") REFERENCES "pacts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "pact_conditions" ADD CONSTRAINT "fk_pact_conditions_demand_id" FOREIGN KEY ("demand_id") REFERENCES "demands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "pact_conditions" DROP CONSTRAINT "fk_pact_conditions_demand_id"`);
    await queryRunner.query(`ALTER TABLE "pact_conditions" DROP CONSTRAINT "fk_pact_conditions_pact_id"`);
    await queryRunner.query(`ALTER TABLE "pacts" DROP CONSTRAINT "fk_pacts_counterpart_organisation_id"`);
    await queryRunner.query(`ALTER TABLE "pacts" DROP CONSTRAINT "fk_pacts_owner_organisation_id"`);
    await queryRunner.query(`ALTER TABLE "pacts" DROP CONSTRAINT "fk_pacts_owner_coalition_id"`);
    await queryRunner.query(`ALTER TABLE "demand_revisions" DROP CONSTRAINT "fk_demand_revisions_revised_by"`);
    await queryRunner.query(`ALTER TABLE "demand_revisions" DROP CONSTRAINT "fk_demand_revisions_demand_id"`);
    await queryRunner.query(`ALTER TABLE "demand_endorsements" DROP CONSTRAINT "fk_demand_endorsements_endorsed_by"`);
    await queryRunner.query(`ALTER TABLE "demand_endorsements" DROP CONSTRAINT "fk_demand_endorsements_organisation_id"`);
    await queryRunner.query(`ALTER TABLE "demand_endorsements" DROP CONSTRAINT "fk_demand_endorsements_demand_id"`);
    await queryRunner.query(`ALTER TABLE "demands" DROP CONSTRAINT "fk_demands_owner_organisation_id"`);
    await queryRunner.query(`ALTER TABLE "demands" DROP CONSTRAINT "fk_demands_owner_coalition_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_pact_conditions_demand_id"`);
    await queryRunner.query(`DROP TABLE "pact_conditions"`);
    await queryRunner.query(`DROP INDEX "public"."ix_pacts_counterpart_organisation_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_pacts_owner_organisation_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_pacts_owner_coalition_id"`);
    await queryRunner.query(`DROP TABLE "pacts"`);
    await queryRunner.query(`DROP INDEX "public"."ix_demand_revisions_demand_id_id"`);
    await queryRunner.query(`DROP TABLE "demand_revisions"`);
    await queryRunner.query(`DROP INDEX "public"."ix_demand_endorsements_organisation_id"`);
    await queryRunner.query(`DROP TABLE "demand_endorsements"`);
    await queryRunner.query(`DROP INDEX "public"."uq_demands_coalition_code"`);
    await queryRunner.query(`DROP INDEX "public"."uq_demands_organisation_code"`);
    await queryRunner.query(`DROP INDEX "public"."uq_demands_coalition_position"`);
    await queryRunner.query(`DROP INDEX "public"."uq_demands_organisation_position"`);
    await queryRunner.query(`DROP TABLE "demands"`);
  }
}
