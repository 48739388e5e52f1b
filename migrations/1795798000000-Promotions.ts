import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Partners promote each other's events (issue 22).
 *
 * - `event_promotions`: an organisation or a coalition (exactly one,
 *   `ck_event_promotions_promoter`) promoting another host's public event,
 *   with `ref`, the short code its links carry (unique), and its status:
 *   `active`, `ended` (by either side, or because the event stopped being
 *   public) or `refused` (by the host). One live promotion per event and
 *   promoter (the partial unique indexes `uq_event_promotions_live_*`);
 *   stopped ones stay, so that the signups they brought keep their promoter.
 *   The promoter's foreign keys restrict: organisations and coalitions are
 *   dissolved, never deleted.
 * - `event_signups.promoted_by`: the promotion whose link brought the
 *   signup (set by the signup statement for a live promotion of that event
 *   only), with its own partial index for the referral counts; and the
 *   link's `utm_source`, `utm_medium`, `utm_campaign` as given, at most 100
 *   characters each (`ck_event_signups_utm`, as the API's validation).
 *
 * Existing rows: no promotions, so every signup gets nulls.
 *
 * Revert: drops the table and the four columns — the promotions and the
 * signups' attribution are lost, the signups themselves stay.
 */
export class Promotions1795798000000 implements MigrationInterface {
  name = 'Promotions1795798000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "event_promotions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "event_id" uuid NOT NULL, "organisation_id" uuid, "coalition_id" uuid, "ref" text NOT NULL, "status" text NOT NULL DEFAULT 'active', "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ended_at" TIMESTAMP WITH TIME ZONE, "ended_by" uuid, CONSTRAINT "uq_event_promotions_ref" UNIQUE ("ref"), CONSTRAINT "ck_event_promotions_status" CHECK ("status" IN ('active','ended','refused')), CONSTRAINT "ck_event_promotions_promoter" CHECK (("organisation_id" IS NULL) <> ("coalition_id" IS NULL)), CONSTRAINT "pk_event_promotions" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_event_promotions_event_id" ON "event_promotions"  ("event_id") `);
    await queryRunner.query(`CREATE INDEX "ix_event_promotions_organisation_id" ON "event_promotions"  ("organisation_id") `);
    await queryRunner.query(`CREATE INDEX "ix_event_promotions_coalition_id" ON "event_promotions"  ("coalition_id") `);
    // One live promotion per event and promoter.
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_event_promotions_live_coalition" ON "event_promotions"  ("event_id", "coalition_id") WHERE "status" = 'active' AND "coalition_id" IS NOT NULL`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_event_promotions_live_organisation" ON "event_promotions"  ("event_id", "organisation_id") WHERE "status" = 'active' AND "organisation_id" IS NOT NULL`,
    );
    await queryRunner.query(`ALTER TABLE "event_promotions" ADD CONSTRAINT "fk_event_promotions_event_id" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(
      `ALTER TABLE "event_promotions" ADD CONSTRAINT "fk_event_promotions_organisation_id" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "event_promotions" ADD CONSTRAINT "fk_event_promotions_coalition_id" FOREIGN KEY ("coalition_id") REFERENCES "coalitions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );

    // The signups' attribution.
    await queryRunner.query(`ALTER TABLE "event_signups" ADD "promoted_by" uuid`);
    await queryRunner.query(`ALTER TABLE "event_signups" ADD "utm_source" text`);
    await queryRunner.query(`ALTER TABLE "event_signups" ADD "utm_medium" text`);
    await queryRunner.query(`ALTER TABLE "event_signups" ADD "utm_campaign" text`);
    await queryRunner.query(`CREATE INDEX "ix_event_signups_promoted_by" ON "event_signups"  ("promoted_by") WHERE "promoted_by" IS NOT NULL`);
    await queryRunner.query(
      `ALTER TABLE "event_signups" ADD CONSTRAINT "ck_event_signups_utm" CHECK (char_length("utm_source") <= 100 AND char_length("utm_medium") <= 100 AND char_length("utm_campaign") <= 100)`,
    );
    await queryRunner.query(
      `ALTER TABLE "event_signups" ADD CONSTRAINT "fk_event_signups_promoted_by" FOREIGN KEY ("promoted_by") REFERENCES "event_promotions"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "event_signups" DROP CONSTRAINT "fk_event_signups_promoted_by"`);
    await queryRunner.query(`ALTER TABLE "event_signups" DROP CONSTRAINT "ck_event_signups_utm"`);
    await queryRunner.query(`DROP INDEX "public"."ix_event_signups_promoted_by"`);
    await queryRunner.query(`ALTER TABLE "event_signups" DROP COLUMN "utm_campaign"`);
    await queryRunner.query(`ALTER TABLE "event_signups" DROP COLUMN "utm_medium"`);
    await queryRunner.query(`ALTER TABLE "event_signups" DROP COLUMN "utm_source"`);
    await queryRunner.query(`ALTER TABLE "event_signups" DROP COLUMN "promoted_by"`);
    await queryRunner.query(`ALTER TABLE "event_promotions" DROP CONSTRAINT "fk_event_promotions_coalition_id"`);
    await queryRunner.query(`ALTER TABLE "event_promotions" DROP CONSTRAINT "fk_event_promotions_organisation_id"`);
    await queryRunner.query(`ALTER TABLE "event_promotions" DROP CONSTRAINT "fk_event_promotions_event_id"`);
    await queryRunner.query(`DROP INDEX "public"."uq_event_promotions_live_organisation"`);
    await queryRunner.query(`DROP INDEX "public"."uq_event_promotions_live_coalition"`);
    await queryRunner.query(`DROP INDEX "public"."ix_event_promotions_coalition_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_event_promotions_organisation_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_event_promotions_event_id"`);
    await queryRunner.query(`DROP TABLE "event_promotions"`);
  }
}
