import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Text channels: SMS and WhatsApp confirmations and reminders, with consent
 * and opt-out (issue 24).
 *
 * - `outbox_messages`: `channel` (`email`, `sms`, `whatsapp`; every existing
 *   row is an e-mail, the default), and for a text: the e-mail address to
 *   fall back to (`fallback_recipient`) and why it did (`fallback_reason`),
 *   the organisation whose monthly budget it is counted against, the signup
 *   it is about (the event's reach counts; no foreign key: the outbox stands
 *   alone, as before), the segments it was billed as, the provider's message
 *   id (indexed: delivery receipts name it) and the last receipt's status and
 *   time. Existing rows: e-mails, all new columns null.
 * - `member_consents.contact_by_whatsapp` and
 *   `event_signups.consent_contact_by_whatsapp`: WhatsApp consent, apart from
 *   SMS (existing rows: false for members' history — nobody gave it —, null
 *   for signups, as the other contact consents of a signup without them).
 * - `event_signups.final_reminder_queued_at` (the two-hour reminder's work
 *   list, with its partial index as the 24-hour one's) and `confirmed_at`
 *   (the person answered SI). Existing signups: null, so a signup of an event
 *   starting within two hours when this runs gets its two-hour reminder if it
 *   is reached by text — none is yet.
 * - `organisations.text_monthly_segments`: the organisation's own monthly
 *   budget (null: the service's default), never negative.
 * - `text_segment_usage`: segments used per organisation and month (UTC),
 *   gone with the organisation.
 * - `text_opt_outs` and `text_questions`: numbers that answered BAJA/STOP
 *   per channel, and the last confirm-or-cancel question sent to a number
 *   per channel (its signup: gone with it). Both keyed by the number's
 *   sha256, never the number.
 * - Partial indexes on `members.phone` and `event_signups.guest_phone`: an
 *   opt-out finds every record and signup holding the number.
 *
 * Revert: drops the tables and columns — texts already in the outbox keep
 * their rows as e-mails to a phone number, which the worker would then try
 * to mail: revert only with no text pending.
 */
export class TextChannels1795800000000 implements MigrationInterface {
  name = 'TextChannels1795800000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // The outbox: channels, fallback, budget, reach and delivery state.
    await queryRunner.query(`ALTER TABLE "outbox_messages" ADD "channel" text NOT NULL DEFAULT 'email'`);
    await queryRunner.query(`ALTER TABLE "outbox_messages" ADD "fallback_recipient" text`);
    await queryRunner.query(`ALTER TABLE "outbox_messages" ADD "fallback_reason" text`);
    await queryRunner.query(`ALTER TABLE "outbox_messages" ADD "organisation_id" uuid`);
    await queryRunner.query(`ALTER TABLE "outbox_messages" ADD "signup_id" uuid`);
    await queryRunner.query(`ALTER TABLE "outbox_messages" ADD "segments" integer`);
    await queryRunner.query(`ALTER TABLE "outbox_messages" ADD "provider_message_id" text`);
    await queryRunner.query(`ALTER TABLE "outbox_messages" ADD "delivery_status" text`);
    await queryRunner.query(`ALTER TABLE "outbox_messages" ADD "delivery_status_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "outbox_messages" ADD CONSTRAINT "ck_outbox_messages_channel" CHECK ("channel" IN ('email','sms','whatsapp'))`);
    await queryRunner.query(`CREATE INDEX "ix_outbox_messages_signup_id" ON "outbox_messages"  ("signup_id") WHERE "signup_id" IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "ix_outbox_messages_provider_message_id" ON "outbox_messages"  ("provider_message_id") WHERE "provider_message_id" IS NOT NULL`);

    // WhatsApp consent, apart from SMS.
    await queryRunner.query(`ALTER TABLE "member_consents" ADD "contact_by_whatsapp" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "event_signups" ADD "consent_contact_by_whatsapp" boolean`);

    // The two-hour reminder's work list, and the answer to the day-before question.
    await queryRunner.query(`ALTER TABLE "event_signups" ADD "final_reminder_queued_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "event_signups" ADD "confirmed_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`CREATE INDEX "ix_event_signups_final_reminder_due" ON "event_signups"  ("event_id") WHERE "status" = 'going' AND "final_reminder_queued_at" IS NULL`);

    // An opt-out finds every record and signup holding the number.
    await queryRunner.query(`CREATE INDEX "ix_members_phone" ON "members"  ("phone") WHERE "phone" IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "ix_event_signups_guest_phone" ON "event_signups"  ("guest_phone") WHERE "guest_phone" IS NOT NULL`);

    // The monthly budget and its use.
    await queryRunner.query(`ALTER TABLE "organisations" ADD "text_monthly_segments" integer`);
    await queryRunner.query(`ALTER TABLE "organisations" ADD CONSTRAINT "ck_organisations_text_monthly_segments" CHECK ("text_monthly_segments" >= 0)`);
    await queryRunner.query(
      `CREATE TABLE "text_segment_usage" ("organisation_id" uuid NOT NULL, "month" date NOT NULL, "segments" integer NOT NULL DEFAULT '0', CONSTRAINT "pk_text_segment_usage" PRIMARY KEY ("organisation_id", "month"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "text_segment_usage" ADD CONSTRAINT "fk_text_segment_usage_organisation_id" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );

    // Opt-outs and the last question per number and channel.
    await queryRunner.query(
      `CREATE TABLE "text_opt_outs" ("phone_hash" text NOT NULL, "channel" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_text_opt_outs_channel" CHECK ("channel" IN ('sms','whatsapp')), CONSTRAINT "pk_text_opt_outs" PRIMARY KEY ("phone_hash", "channel"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "text_questions" ("phone_hash" text NOT NULL, "channel" text NOT NULL, "signup_id" uuid NOT NULL, "locale" text NOT NULL DEFAULT 'es', "asked_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_text_questions_channel" CHECK ("channel" IN ('sms','whatsapp')), CONSTRAINT "pk_text_questions" PRIMARY KEY ("phone_hash", "channel"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "text_questions" ADD CONSTRAINT "fk_text_questions_signup_id" FOREIGN KEY ("signup_id") REFERENCES "event_signups"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "text_questions"`);
    await queryRunner.query(`DROP TABLE "text_opt_outs"`);
    await queryRunner.query(`DROP TABLE "text_segment_usage"`);
    await queryRunner.query(`ALTER TABLE "organisations" DROP CONSTRAINT "ck_organisations_text_monthly_segments"`);
    await queryRunner.query(`ALTER TABLE "organisations" DROP COLUMN "text_monthly_segments"`);
    await queryRunner.query(`DROP INDEX "public"."ix_event_signups_guest_phone"`);
    await queryRunner.query(`DROP INDEX "public"."ix_members_phone"`);
    await queryRunner.query(`DROP INDEX "public"."ix_event_signups_final_reminder_due"`);
    await queryRunner.query(`ALTER TABLE "event_signups" DROP COLUMN "confirmed_at"`);
    await queryRunner.query(`ALTER TABLE "event_signups" DROP COLUMN "final_reminder_queued_at"`);
    await queryRunner.query(`ALTER TABLE "event_signups" DROP COLUMN "consent_contact_by_whatsapp"`);
    await queryRunner.query(`ALTER TABLE "member_consents" DROP COLUMN "contact_by_whatsapp"`);
    await queryRunner.query(`DROP INDEX "public"."ix_outbox_messages_provider_message_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_outbox_messages_signup_id"`);
    await queryRunner.query(`ALTER TABLE "outbox_messages" DROP CONSTRAINT "ck_outbox_messages_channel"`);
    for (const column of ['delivery_status_at', 'delivery_status', 'provider_message_id', 'segments', 'signup_id', 'organisation_id', 'fallback_reason', 'fallback_recipient', 'channel']) {
      await queryRunner.query(`ALTER TABLE "outbox_messages" DROP COLUMN "${column}"`);
    }
  }
}
