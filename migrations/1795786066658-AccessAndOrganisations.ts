import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users, sessions, roles, organisations, coalitions and partners, rate limits, and the append-only audit log. */

export class AccessAndOrganisations1795786066658 implements MigrationInterface {
  name = 'AccessAndOrganisations1795786066658';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "coalitions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "slug" text NOT NULL, "name" text NOT NULL, "description" text, "founded_on" date, "status" text NOT NULL DEFAULT 'forming', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_coalitions_slug" UNIQUE ("slug"), CONSTRAINT "ck_coalitions_status" CHECK ("status" IN ('forming','active','dissolved')), CONSTRAINT "pk_coalitions" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "organisations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "slug" text NOT NULL, "name" text NOT NULL, "short_name" text, "kind" text NOT NULL, "parent_id" uuid, "description" text, "country" character(2) NOT NULL DEFAULT 'PE', "region" text, "website" text, "contact_email" text, "status" text NOT NULL DEFAULT 'active', "external" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_organisations_slug" UNIQUE ("slug"), CONSTRAINT "ck_organisations_not_own_parent" CHECK ("parent_id" IS NULL OR "parent_id" <> "id"), CONSTRAINT "ck_organisations_status" CHECK ("status" IN ('active','dissolved')), CONSTRAINT "ck_organisations_kind" CHECK ("kind" IN ('party','movement','union','collective','current','chapter','ngo','other')), CONSTRAINT "pk_organisations" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_organisations_parent_id" ON "organisations"  ("parent_id") `);
    await queryRunner.query(
      `CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" citext NOT NULL, "password_hash" text NOT NULL, "is_platform_admin" boolean NOT NULL DEFAULT false, "member_id" uuid, "disabled_at" TIMESTAMP WITH TIME ZONE, "last_login_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_users_email" UNIQUE ("email"), CONSTRAINT "uq_users_member_id" UNIQUE ("member_id"), CONSTRAINT "pk_users" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "role_assignments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "role" text NOT NULL, "organisation_id" uuid, "coalition_id" uuid, "granted_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_role_assignments_scope" CHECK (("role" = 'coordinator' AND "coalition_id" IS NOT NULL AND "organisation_id" IS NULL) OR ("role" <> 'coordinator' AND "organisation_id" IS NOT NULL AND "coalition_id" IS NULL)), CONSTRAINT "ck_role_assignments_role" CHECK ("role" IN ('org_admin','organiser','coordinator')), CONSTRAINT "pk_role_assignments" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_role_assignments_organisation_id" ON "role_assignments"  ("organisation_id") `);
    await queryRunner.query(`CREATE INDEX "ix_role_assignments_coalition_id" ON "role_assignments"  ("coalition_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_role_assignments_user_role_coalition" ON "role_assignments"  ("user_id", "role", "coalition_id") WHERE "coalition_id" IS NOT NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_role_assignments_user_role_organisation" ON "role_assignments"  ("user_id", "role", "organisation_id") WHERE "organisation_id" IS NOT NULL`);
    await queryRunner.query(
      `CREATE TABLE "audit_log" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor_user_id" uuid, "action" text NOT NULL, "entity" text NOT NULL, "entity_id" text, "organisation_id" uuid, "coalition_id" uuid, "changes" jsonb, "request_id" text, CONSTRAINT "pk_audit_log" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_audit_log_actor_user_id" ON "audit_log"  ("actor_user_id") `);
    await queryRunner.query(`CREATE INDEX "ix_audit_log_entity" ON "audit_log"  ("entity", "entity_id") `);
    await queryRunner.query(`CREATE INDEX "ix_audit_log_coalition_at" ON "audit_log"  ("coalition_id", "at") `);
    await queryRunner.query(`CREATE INDEX "ix_audit_log_organisation_at" ON "audit_log"  ("organisation_id", "at") `);
    await queryRunner.query(
      `CREATE TABLE "auth_sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "revoked_at" TIMESTAMP WITH TIME ZONE, "revoked_reason" text, CONSTRAINT "pk_auth_sessions" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_auth_sessions_user_id" ON "auth_sessions"  ("user_id") `);
    await queryRunner.query(
      `CREATE TABLE "refresh_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "session_id" uuid NOT NULL, "token_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "rotated_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "uq_refresh_tokens_token_hash" UNIQUE ("token_hash"), CONSTRAINT "pk_refresh_tokens" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_refresh_tokens_session_id" ON "refresh_tokens"  ("session_id") `);
    await queryRunner.query(
      `CREATE TABLE "coalition_partners" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "coalition_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "role" text NOT NULL DEFAULT 'member', "status" text NOT NULL DEFAULT 'invited', "joined_on" date, "left_on" date, "notes" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_coalition_partners_coalition_organisation" UNIQUE ("coalition_id", "organisation_id"), CONSTRAINT "ck_coalition_partners_status" CHECK ("status" IN ('invited','active','suspended','withdrawn')), CONSTRAINT "ck_coalition_partners_role" CHECK ("role" IN ('founder','member','observer')), CONSTRAINT "pk_coalition_partners" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_coalition_partners_organisation_id" ON "coalition_partners"  ("organisation_id") `);
    await queryRunner.query(
      `CREATE TABLE "rate_limits" ("key" text NOT NULL, "count" integer NOT NULL, "reset_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "pk_rate_limits" PRIMARY KEY ("key"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "organisations" ADD CONSTRAINT "fk_organisations_parent_id" FOREIGN KEY ("parent_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "role_assignments" ADD CONSTRAINT "fk_role_assignments_user_id" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(
      `ALTER TABLE "role_assignments" ADD CONSTRAINT "fk_role_assignments_organisation_id" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "role_assignments" ADD CONSTRAINT "fk_role_assignments_coalition_id" FOREIGN KEY ("coalition_id") REFERENCES "coalitions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "auth_sessions" ADD CONSTRAINT "fk_auth_sessions_user_id" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(
      `ALTER TABLE "refresh_tokens" ADD CONSTRAINT "fk_refresh_tokens_session_id" FOREIGN KEY ("session_id") REFERENCES "auth_sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "coalition_partners" ADD CONSTRAINT "fk_coalition_partners_coalition_id" FOREIGN KEY ("coalition_id") REFERENCES "coalitions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "coalition_partners" ADD CONSTRAINT "fk_coalition_partners_organisation_id" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    // The audit log is append-only: the database itself refuses to change or remove history.
    await queryRunner.query(`CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
            END $$`);
    await queryRunner.query(`CREATE TRIGGER "tr_audit_log_append_only" BEFORE UPDATE OR DELETE ON "audit_log" FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
    await queryRunner.query(`CREATE TRIGGER "tr_audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log" FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "tr_audit_log_no_truncate" ON "audit_log"`);
    await queryRunner.query(`DROP TRIGGER "tr_audit_log_append_only" ON "audit_log"`);
    await queryRunner.query(`DROP FUNCTION audit_log_append_only()`);
    await queryRunner.query(`ALTER TABLE "coalition_partners" DROP CONSTRAINT "fk_coalition_partners_organisation_id"`);
    await queryRunner.query(`ALTER TABLE "coalition_partners" DROP CONSTRAINT "fk_coalition_partners_coalition_id"`);
    await queryRunner.query(`ALTER TABLE "refresh_tokens" DROP CONSTRAINT "fk_refresh_tokens_session_id"`);
    await queryRunner.query(`ALTER TABLE "auth_sessions" DROP CONSTRAINT "fk_auth_sessions_user_id"`);
    await queryRunner.query(`ALTER TABLE "role_assignments" DROP CONSTRAINT "fk_role_assignments_coalition_id"`);
    await queryRunner.query(`ALTER TABLE "role_assignments" DROP CONSTRAINT "fk_role_assignments_organisation_id"`);
    await queryRunner.query(`ALTER TABLE "role_assignments" DROP CONSTRAINT "fk_role_assignments_user_id"`);
    await queryRunner.query(`ALTER TABLE "organisations" DROP CONSTRAINT "fk_organisations_parent_id"`);
    await queryRunner.query(`DROP TABLE "rate_limits"`);
    await queryRunner.query(`DROP INDEX "public"."ix_coalition_partners_organisation_id"`);
    await queryRunner.query(`DROP TABLE "coalition_partners"`);
    await queryRunner.query(`DROP INDEX "public"."ix_refresh_tokens_session_id"`);
    await queryRunner.query(`DROP TABLE "refresh_tokens"`);
    await queryRunner.query(`DROP INDEX "public"."ix_auth_sessions_user_id"`);
    await queryRunner.query(`DROP TABLE "auth_sessions"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_log_organisation_at"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_log_coalition_at"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_log_entity"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_log_actor_user_id"`);
    await queryRunner.query(`DROP TABLE "audit_log"`);
    await queryRunner.query(`DROP INDEX "public"."uq_role_assignments_user_role_organisation"`);
    await queryRunner.query(`DROP INDEX "public"."uq_role_assignments_user_role_coalition"`);
    await queryRunner.query(`DROP INDEX "public"."ix_role_assignments_coalition_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_role_assignments_organisation_id"`);
    await queryRunner.query(`DROP TABLE "role_assignments"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP INDEX "public"."ix_organisations_parent_id"`);
    await queryRunner.query(`DROP TABLE "organisations"`);
    await queryRunner.query(`DROP TABLE "coalitions"`);
  }
}
