import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The transactional outbox (e-mails owed) and single-use account tokens (reset, invitation, registration, verification). */

export class Outbox1795787227799 implements MigrationInterface {
  name = 'Outbox1795787227799';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "account_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "purpose" text NOT NULL, "token_hash" text NOT NULL, "user_id" uuid, "member_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "uq_account_tokens_token_hash" UNIQUE ("token_hash"), CONSTRAINT "ck_account_tokens_purpose" CHECK ("purpose" IN ('password_reset','invitation','registration','email_verification')), CONSTRAINT "pk_account_tokens" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_account_tokens_user_id" ON "account_tokens"  ("user_id") `);
    await queryRunner.query(`CREATE INDEX "ix_account_tokens_member_id" ON "account_tokens"  ("member_id") `);
    await queryRunner.query(
      `CREATE TABLE "outbox_messages" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "seq" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "template" text NOT NULL, "recipient" text NOT NULL, "locale" text NOT NULL DEFAULT 'es', "payload" jsonb NOT NULL DEFAULT '{}', "dedupe_key" text NOT NULL, "state" text NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "sent_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "uq_outbox_messages_seq" UNIQUE ("seq"), CONSTRAINT "uq_outbox_messages_dedupe_key" UNIQUE ("dedupe_key"), CONSTRAINT "ck_outbox_messages_state" CHECK ("state" IN ('pending','sent','failed')), CONSTRAINT "pk_outbox_messages" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_outbox_messages_due" ON "outbox_messages"  ("next_attempt_at") WHERE "state" = 'pending'`);
    await queryRunner.query(`ALTER TABLE "account_tokens" ADD CONSTRAINT "fk_account_tokens_user_id" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "account_tokens" DROP CONSTRAINT "fk_account_tokens_user_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_outbox_messages_due"`);
    await queryRunner.query(`DROP TABLE "outbox_messages"`);
    await queryRunner.query(`DROP INDEX "public"."ix_account_tokens_member_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_account_tokens_user_id"`);
    await queryRunner.query(`DROP TABLE "account_tokens"`);
  }
}
