import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks and API tokens (issue 22).
 *
 * - `webhook_endpoints`: URLs an organisation (with its descendants) or a
 *   coalition registers, exactly one of the two owning each, with the event
 *   types they receive and the signing secret (and, after a rotation, the
 *   previous one with the time it stops signing). `failing_since` and
 *   `disabled_*` are how the worker disables an endpoint after a day of
 *   failures.
 * - `webhook_deliveries`: one row per event owed to an endpoint, written in
 *   the transaction of its cause; the worker claims due rows with FOR UPDATE
 *   SKIP LOCKED (the partial index of pending ones), and the rows are the
 *   endpoint's delivery log. Deleted with their endpoint.
 * - `api_tokens`: named credentials of an organisation, stored as the sha256
 *   of the secret, with their permissions and expiry; deleted with their
 *   organisation or the login that made them.
 * - `audit_log.actor_api_token_id`: the token a change was made with (the
 *   log stays append-only; a new nullable column changes no entry).
 *
 * Existing data: nothing to convert. Revert: drops all of the above (the
 * audit entries lose which token made them; their actor login stays).
 */
export class Webhooks1795797000000 implements MigrationInterface {
  name = 'Webhooks1795797000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "api_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid NOT NULL, "name" text NOT NULL, "token_hash" text NOT NULL, "prefix" text NOT NULL, "permissions" text array NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "revoked_by" uuid, CONSTRAINT "uq_api_tokens_token_hash" UNIQUE ("token_hash"), CONSTRAINT "pk_api_tokens" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_api_tokens_organisation_id" ON "api_tokens"  ("organisation_id") `);
    await queryRunner.query(`CREATE INDEX "ix_api_tokens_created_by" ON "api_tokens"  ("created_by") `);
    await queryRunner.query(
      `CREATE TABLE "webhook_endpoints" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid, "coalition_id" uuid, "url" text NOT NULL, "description" text, "events" text array NOT NULL, "secret" text NOT NULL, "previous_secret" text, "previous_secret_expires_at" TIMESTAMP WITH TIME ZONE, "enabled" boolean NOT NULL DEFAULT true, "disabled_at" TIMESTAMP WITH TIME ZONE, "disabled_reason" text, "failing_since" TIMESTAMP WITH TIME ZONE, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_webhook_endpoints_disabled_reason" CHECK ("disabled_reason" IS NULL OR "disabled_reason" IN ('failing','manual')), CONSTRAINT "ck_webhook_endpoints_owner" CHECK (("organisation_id" IS NULL) <> ("coalition_id" IS NULL)), CONSTRAINT "pk_webhook_endpoints" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_webhook_endpoints_organisation_id" ON "webhook_endpoints"  ("organisation_id") `);
    await queryRunner.query(`CREATE INDEX "ix_webhook_endpoints_coalition_id" ON "webhook_endpoints"  ("coalition_id") `);
    await queryRunner.query(
      `CREATE TABLE "webhook_deliveries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "seq" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "endpoint_id" uuid NOT NULL, "event_type" text NOT NULL, "payload" jsonb NOT NULL, "state" text NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "queued_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_attempt_at" TIMESTAMP WITH TIME ZONE, "last_status_code" integer, "last_error" text, "delivered_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_webhook_deliveries_seq" UNIQUE ("seq"), CONSTRAINT "ck_webhook_deliveries_state" CHECK ("state" IN ('pending','delivered','failed')), CONSTRAINT "pk_webhook_deliveries" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_webhook_deliveries_endpoint_seq" ON "webhook_deliveries"  ("endpoint_id", "seq") `);
    await queryRunner.query(`CREATE INDEX "ix_webhook_deliveries_due" ON "webhook_deliveries"  ("next_attempt_at") WHERE "state" = 'pending'`);
    await queryRunner.query(`ALTER TABLE "audit_log" ADD "actor_api_token_id" uuid`);
    await queryRunner.query(
      `ALTER TABLE "api_tokens" ADD CONSTRAINT "fk_api_tokens_organisation_id" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "api_tokens" ADD CONSTRAINT "fk_api_tokens_created_by" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(
      `ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "fk_webhook_endpoints_organisation_id" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "fk_webhook_endpoints_coalition_id" FOREIGN KEY ("coalition_id") REFERENCES "coalitions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "fk_webhook_deliveries_endpoint_id" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_log" DROP COLUMN "actor_api_token_id"`);
    // The tables go with their indexes and constraints.
    await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
    await queryRunner.query(`DROP TABLE "webhook_endpoints"`);
    await queryRunner.query(`DROP TABLE "api_tokens"`);
  }
}
