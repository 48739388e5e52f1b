import { createHash, createHmac } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';

import { migrationKeys } from '../src/database/migrations';

/**
 * Check-in at the door (issue 21).
 *
 * - `event_signups` gets the hashes of each signup's check-in token and
 *   short code (the codes themselves are derived from the signup's id and
 *   never stored: src/events/check-in-codes.ts), unique — the short code per
 *   event — and `over_capacity`, the walk-ins let in when no seat was left.
 *   A walk-in is a new source of signup (`walk_in`): a name taken at the
 *   door, with no e-mail and no consent form.
 * - `event_door_links`: links for volunteers without an account, stored as
 *   the hash of their secret.
 * - `event_check_ins`: every scan a door sent in a batch, unique per event
 *   and the door's own id for it (`client_id`), so that a batch sent again
 *   changes nothing.
 *
 * Existing data: every signup that may still come to the door (going,
 * waitlisted, attended, no-show; not erased) gets its two hashes, derived
 * from JWT_SECRET as the service derives them — the key reaches the
 * migration from whoever runs it (MigrationKeys), and is asked for only when
 * there is such a signup. A test (test/check-in-migration.e2e-spec.ts) runs
 * it on seeded rows and compares with CheckInCodes.
 *
 * Revert: refused while walk-ins exist (the schema before cannot hold a
 * signup without an e-mail); otherwise drops all of the above.
 */
export class CheckIn1795796000000 implements MigrationInterface {
  name = 'CheckIn1795796000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Door links and check-ins.
    await queryRunner.query(
      `CREATE TABLE "event_door_links" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "event_id" uuid NOT NULL, "label" text NOT NULL, "secret_hash" text NOT NULL, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "revoked_at" TIMESTAMP WITH TIME ZONE, "revoked_by" uuid, CONSTRAINT "uq_event_door_links_secret_hash" UNIQUE ("secret_hash"), CONSTRAINT "pk_event_door_links" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_event_door_links_event_id" ON "event_door_links"  ("event_id") `);
    await queryRunner.query(
      `CREATE TABLE "event_check_ins" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "event_id" uuid NOT NULL, "client_id" uuid NOT NULL, "signup_id" uuid, "door_user_id" uuid, "door_link_id" uuid, "door_label" text NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "result" text NOT NULL, "walk_in" boolean NOT NULL DEFAULT false, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_event_check_ins_client" UNIQUE ("event_id", "client_id"), CONSTRAINT "ck_event_check_ins_door" CHECK (("door_user_id" IS NULL) <> ("door_link_id" IS NULL)), CONSTRAINT "ck_event_check_ins_result" CHECK ("result" IN ('checked_in','conflict','unknown','cancelled','waitlisted','late')), CONSTRAINT "pk_event_check_ins" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_event_check_ins_signup_id" ON "event_check_ins"  ("signup_id") `);
    await queryRunner.query(`CREATE INDEX "ix_event_check_ins_door_link_id" ON "event_check_ins"  ("door_link_id") `);
    await queryRunner.query(`ALTER TABLE "event_door_links" ADD CONSTRAINT "fk_event_door_links_event_id" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "event_check_ins" ADD CONSTRAINT "fk_event_check_ins_event_id" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(
      `ALTER TABLE "event_check_ins" ADD CONSTRAINT "fk_event_check_ins_signup_id" FOREIGN KEY ("signup_id") REFERENCES "event_signups"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "event_check_ins" ADD CONSTRAINT "fk_event_check_ins_door_link_id" FOREIGN KEY ("door_link_id") REFERENCES "event_door_links"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );

    // The signups' check-in hashes, walk-ins and their over-capacity mark.
    await queryRunner.query(`ALTER TABLE "event_signups" ADD "checkin_token_hash" text`);
    await queryRunner.query(`ALTER TABLE "event_signups" ADD CONSTRAINT "uq_event_signups_checkin_token_hash" UNIQUE ("checkin_token_hash")`);
    await queryRunner.query(`ALTER TABLE "event_signups" ADD "checkin_code_hash" text`);
    await queryRunner.query(`ALTER TABLE "event_signups" ADD "over_capacity" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_event_signups_checkin_code" ON "event_signups"  ("event_id", "checkin_code_hash") `);
    await queryRunner.query(`ALTER TABLE "event_signups" ADD CONSTRAINT "ck_event_signups_over_capacity" CHECK (NOT "over_capacity" OR "status" = 'attended')`);
    // TypeORM compares CHECK constraints by name: these three changed expressions are written here by hand.
    await this.signupChecks(queryRunner, true);

    await this.fillCodes(queryRunner);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    const [{ n }] = (await queryRunner.query(`SELECT count(*)::int AS n FROM event_signups WHERE source = 'walk_in'`)) as { n: number }[];
    if (n > 0) throw new Error(`CheckIn cannot be reverted: ${n} walk-in signup(s) were recorded at the door, and the schema before it cannot hold a signup without an e-mail.`);
    await this.signupChecks(queryRunner, false);
    await queryRunner.query(`ALTER TABLE "event_signups" DROP CONSTRAINT "ck_event_signups_over_capacity"`);
    await queryRunner.query(`DROP INDEX "public"."uq_event_signups_checkin_code"`);
    await queryRunner.query(`ALTER TABLE "event_signups" DROP COLUMN "over_capacity"`);
    await queryRunner.query(`ALTER TABLE "event_signups" DROP COLUMN "checkin_code_hash"`);
    await queryRunner.query(`ALTER TABLE "event_signups" DROP CONSTRAINT "uq_event_signups_checkin_token_hash"`);
    await queryRunner.query(`ALTER TABLE "event_signups" DROP COLUMN "checkin_token_hash"`);
    await queryRunner.query(`ALTER TABLE "event_check_ins" DROP CONSTRAINT "fk_event_check_ins_door_link_id"`);
    await queryRunner.query(`ALTER TABLE "event_check_ins" DROP CONSTRAINT "fk_event_check_ins_signup_id"`);
    await queryRunner.query(`ALTER TABLE "event_check_ins" DROP CONSTRAINT "fk_event_check_ins_event_id"`);
    await queryRunner.query(`ALTER TABLE "event_door_links" DROP CONSTRAINT "fk_event_door_links_event_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_event_check_ins_door_link_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_event_check_ins_signup_id"`);
    await queryRunner.query(`DROP TABLE "event_check_ins"`);
    await queryRunner.query(`DROP INDEX "public"."ix_event_door_links_event_id"`);
    await queryRunner.query(`DROP TABLE "event_door_links"`);
  }

  /** The source, person and consent checks: with walk-ins (`withWalkIns`), or as before. */
  private async signupChecks(q: QueryRunner, withWalkIns: boolean): Promise<void> {
    const walkIn = withWalkIns ? ` OR "source" = 'walk_in'` : '';
    const sources = withWalkIns ? `'guest_form','member','walk_in'` : `'guest_form','member'`;
    for (const name of ['ck_event_signups_source', 'ck_event_signups_person', 'ck_event_signups_guest_consent']) await q.query(`ALTER TABLE "event_signups" DROP CONSTRAINT "${name}"`);
    await q.query(`ALTER TABLE "event_signups" ADD CONSTRAINT "ck_event_signups_source" CHECK ("source" IN (${sources}))`);
    await q.query(`ALTER TABLE "event_signups" ADD CONSTRAINT "ck_event_signups_person" CHECK ("member_id" IS NOT NULL OR "guest_email" IS NOT NULL OR "erased_at" IS NOT NULL${walkIn})`);
    await q.query(`ALTER TABLE "event_signups" ADD CONSTRAINT "ck_event_signups_guest_consent" CHECK ("member_id" IS NOT NULL OR "consent_data_processing_at" IS NOT NULL${walkIn})`);
  }

  /**
   * The two hashes of every signup that may still come to the door, in
   * batches. The derivation, as CheckInCodes has it on the day of this
   * migration (kept here, not imported: a migration says what it did).
   */
  private async fillCodes(q: QueryRunner): Promise<void> {
    const rows = (await q.query(`SELECT id FROM event_signups WHERE status IN ('going','waitlisted','attended','no_show') AND erased_at IS NULL ORDER BY seq`)) as { id: string }[];
    if (!rows.length) return;
    const key = createHmac('sha256', migrationKeys().jwtSecret).update('convoca-checkin').digest();
    const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');
    const hmac = (v: string) => createHmac('sha256', key).update(v).digest();
    const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    const code = (id: string) => {
      // The first 50 bits of the HMAC, 5 at a time.
      const bits = [...hmac(`code:${id}`).subarray(0, 7)].map((b) => b.toString(2).padStart(8, '0')).join('');
      return Array.from({ length: 10 }, (_, i) => CROCKFORD[parseInt(bits.slice(i * 5, i * 5 + 5), 2)]).join('');
    };
    for (let i = 0; i < rows.length; i += 5000) {
      const ids = rows.slice(i, i + 5000).map((r) => r.id);
      await q.query(
        `UPDATE event_signups s SET checkin_token_hash = v.token_hash, checkin_code_hash = v.code_hash
           FROM unnest($1::uuid[], $2::text[], $3::text[]) AS v(id, token_hash, code_hash) WHERE s.id = v.id`,
        [ids, ids.map((id) => sha256(hmac(`checkin:${id}`).toString('base64url').slice(0, 22))), ids.map((id) => sha256(code(id)))],
      );
    }
  }
}
