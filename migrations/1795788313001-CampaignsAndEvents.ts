import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Campaigns; events with co-hosts, linked demands, per-event host roles, shifts and signups (capacity counters, waitlist order, one live signup per person). */

export class CampaignsAndEvents1795788313001 implements MigrationInterface {
  name = 'CampaignsAndEvents1795788313001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "campaigns" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid, "coalition_id" uuid, "title" text NOT NULL, "description" text, "starts_on" date NOT NULL, "ends_on" date, "status" text NOT NULL DEFAULT 'draft', "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_campaigns_dates" CHECK ("ends_on" IS NULL OR "ends_on" >= "starts_on"), CONSTRAINT "ck_campaigns_status" CHECK ("status" IN ('draft','active','closed')), CONSTRAINT "ck_campaigns_owner" CHECK (("organisation_id" IS NULL) <> ("coalition_id" IS NULL)), CONSTRAINT "pk_campaigns" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_campaigns_organisation_id" ON "campaigns"  ("organisation_id") `);
    await queryRunner.query(`CREATE INDEX "ix_campaigns_coalition_id" ON "campaigns"  ("coalition_id") `);
    await queryRunner.query(`CREATE INDEX "ix_campaigns_listing" ON "campaigns"  ("starts_on", "id") `);
    await queryRunner.query(
      `CREATE TABLE "events" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "host_organisation_id" uuid, "coalition_id" uuid, "campaign_id" uuid, "title" text NOT NULL, "description" text, "kind" text NOT NULL, "status" text NOT NULL DEFAULT 'draft', "visibility" text NOT NULL DEFAULT 'public', "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP WITH TIME ZONE NOT NULL, "timezone" text NOT NULL DEFAULT 'America/Lima', "venue" text, "address" text, "locality" text, "region" text, "country" character(2) NOT NULL DEFAULT 'PE', "lat" double precision, "lng" double precision, "address_visibility" text NOT NULL DEFAULT 'public', "online_url" text, "capacity" integer, "going_count" integer NOT NULL DEFAULT '0', "signup_deadline" TIMESTAMP WITH TIME ZONE, "cancel_reason" text, "published_at" TIMESTAMP WITH TIME ZONE, "cancelled_at" TIMESTAMP WITH TIME ZONE, "revision" integer NOT NULL DEFAULT '0', "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_events_published" CHECK ("status" = 'draft' OR "status" = 'cancelled' OR "published_at" IS NOT NULL), CONSTRAINT "ck_events_lng" CHECK ("lng" IS NULL OR ("lng" >= -180 AND "lng" <= 180)), CONSTRAINT "ck_events_lat" CHECK ("lat" IS NULL OR ("lat" >= -90 AND "lat" <= 90)), CONSTRAINT "ck_events_going_count" CHECK ("going_count" >= 0 AND ("capacity" IS NULL OR "going_count" <= "capacity")), CONSTRAINT "ck_events_capacity" CHECK ("capacity" IS NULL OR "capacity" >= 0), CONSTRAINT "ck_events_times" CHECK ("ends_at" > "starts_at"), CONSTRAINT "ck_events_address_visibility" CHECK ("address_visibility" IN ('public','attendees')), CONSTRAINT "ck_events_visibility" CHECK ("visibility" IN ('public','members','private')), CONSTRAINT "ck_events_status" CHECK ("status" IN ('draft','published','cancelled','completed')), CONSTRAINT "ck_events_kind" CHECK ("kind" IN ('march','rally','assembly','strike','canvass','meeting','training','vigil','online_call')), CONSTRAINT "ck_events_host" CHECK (("host_organisation_id" IS NULL) <> ("coalition_id" IS NULL)), CONSTRAINT "pk_events" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_events_host_organisation_id" ON "events"  ("host_organisation_id") `);
    await queryRunner.query(`CREATE INDEX "ix_events_coalition_id" ON "events"  ("coalition_id") `);
    await queryRunner.query(`CREATE INDEX "ix_events_campaign_id" ON "events"  ("campaign_id") `);
    await queryRunner.query(`CREATE INDEX "ix_events_region" ON "events"  ("region") `);
    await queryRunner.query(`CREATE INDEX "ix_events_listing" ON "events"  ("status", "visibility", "starts_at", "id") `);
    await queryRunner.query(
      `CREATE TABLE "event_hosts" ("event_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_event_hosts" PRIMARY KEY ("event_id", "organisation_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_event_hosts_organisation_id" ON "event_hosts"  ("organisation_id") `);
    await queryRunner.query(
      `CREATE TABLE "event_roles" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "event_id" uuid NOT NULL, "user_id" uuid NOT NULL, "role" text NOT NULL DEFAULT 'host', "granted_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_event_roles_event_user_role" UNIQUE ("event_id", "user_id", "role"), CONSTRAINT "ck_event_roles_role" CHECK ("role" IN ('host')), CONSTRAINT "pk_event_roles" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_event_roles_user_id" ON "event_roles"  ("user_id") `);
    await queryRunner.query(
      `CREATE TABLE "event_shifts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "event_id" uuid NOT NULL, "name" text NOT NULL, "description" text, "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP WITH TIME ZONE NOT NULL, "capacity" integer, "going_count" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_event_shifts_going_count" CHECK ("going_count" >= 0 AND ("capacity" IS NULL OR "going_count" <= "capacity")), CONSTRAINT "ck_event_shifts_capacity" CHECK ("capacity" IS NULL OR "capacity" >= 0), CONSTRAINT "ck_event_shifts_times" CHECK ("ends_at" > "starts_at"), CONSTRAINT "pk_event_shifts" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_event_shifts_event_id" ON "event_shifts"  ("event_id") `);
    await queryRunner.query(
      `CREATE TABLE "event_signups" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "seq" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "event_id" uuid NOT NULL, "shift_id" uuid, "member_id" uuid, "guest_name" text, "guest_email" citext, "guest_phone" text, "status" text NOT NULL DEFAULT 'going', "source" text NOT NULL, "locale" text NOT NULL DEFAULT 'es', "manage_token_hash" text, "consent_data_processing_at" TIMESTAMP WITH TIME ZONE, "consent_contact_by_email" boolean, "consent_contact_by_sms" boolean, "consent_notice_version" text, "waitlisted_at" TIMESTAMP WITH TIME ZONE, "promoted_at" TIMESTAMP WITH TIME ZONE, "checked_in_at" TIMESTAMP WITH TIME ZONE, "cancelled_at" TIMESTAMP WITH TIME ZONE, "reminder_queued_at" TIMESTAMP WITH TIME ZONE, "erased_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_event_signups_seq" UNIQUE ("seq"), CONSTRAINT "uq_event_signups_manage_token_hash" UNIQUE ("manage_token_hash"), CONSTRAINT "ck_event_signups_guest_consent" CHECK ("member_id" IS NOT NULL OR "consent_data_processing_at" IS NOT NULL), CONSTRAINT "ck_event_signups_person" CHECK ("member_id" IS NOT NULL OR "guest_email" IS NOT NULL OR "erased_at" IS NOT NULL), CONSTRAINT "ck_event_signups_locale" CHECK ("locale" IN ('es','en')), CONSTRAINT "ck_event_signups_source" CHECK ("source" IN ('guest_form','member')), CONSTRAINT "ck_event_signups_status" CHECK ("status" IN ('going','waitlisted','cancelled','attended','no_show')), CONSTRAINT "pk_event_signups" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_event_signups_shift_id" ON "event_signups"  ("shift_id") `);
    await queryRunner.query(`CREATE INDEX "ix_event_signups_member_id" ON "event_signups"  ("member_id") `);
    await queryRunner.query(`CREATE INDEX "ix_event_signups_guest_email" ON "event_signups"  ("guest_email") `);
    await queryRunner.query(`CREATE INDEX "ix_event_signups_reminder_due" ON "event_signups"  ("event_id") WHERE "status" = 'going' AND "reminder_queued_at" IS NULL`);
    await queryRunner.query(`CREATE INDEX "ix_event_signups_event_status_seq" ON "event_signups"  ("event_id", "status", "seq") `);
    // One live signup per person per event (per shift); a cancelled or no-show signup may be followed by a new one.
    // Expression indexes (coalesce over the nullable shift) that TypeORM cannot describe: written by hand.
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_event_signups_live_guest" ON "event_signups" ("event_id", coalesce("shift_id", '00000000-0000-0000-0000-000000000000'::uuid), "guest_email") WHERE "status" IN ('going','waitlisted','attended') AND "guest_email" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_event_signups_live_member" ON "event_signups" ("event_id", coalesce("shift_id", '00000000-0000-0000-0000-000000000000'::uuid), "member_id") WHERE "status" IN ('going','waitlisted','attended') AND "member_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "campaigns" ADD CONSTRAINT "fk_campaigns_organisation_id" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "campaigns" ADD CONSTRAINT "fk_campaigns_coalition_id" FOREIGN KEY ("coalition_id") REFERENCES "coalitions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(
      `ALTER TABLE "events" ADD CONSTRAINT "fk_events_host_organisation_id" FOREIGN KEY ("host_organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "events" ADD CONSTRAINT "fk_events_coalition_id" FOREIGN KEY ("coalition_id") REFERENCES "coalitions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "events" ADD CONSTRAINT "fk_events_campaign_id" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "event_hosts" ADD CONSTRAINT "fk_event_hosts_event_id" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(
      `ALTER TABLE "event_hosts" ADD CONSTRAINT "fk_event_hosts_organisation_id" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "event_roles" ADD CONSTRAINT "fk_event_roles_event_id" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "event_roles" ADD CONSTRAINT "fk_event_roles_user_id" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "event_shifts" ADD CONSTRAINT "fk_event_shifts_event_id" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "event_signups" ADD CONSTRAINT "fk_event_signups_event_id" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "event_signups" ADD CONSTRAINT "fk_event_signups_shift_id" FOREIGN KEY ("shift_id") REFERENCES "event_shifts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "event_signups" ADD CONSTRAINT "fk_event_signups_member_id" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    // Linked demands (demands come from the platform migration).
    await queryRunner.query(
      `CREATE TABLE "campaign_demands" ("campaign_id" uuid NOT NULL, "demand_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_campaign_demands" PRIMARY KEY ("campaign_id", "demand_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_campaign_demands_demand_id" ON "campaign_demands"  ("demand_id") `);
    await queryRunner.query(
      `CREATE TABLE "event_demands" ("event_id" uuid NOT NULL, "demand_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_event_demands" PRIMARY KEY ("event_id", "demand_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_event_demands_demand_id" ON "event_demands"  ("demand_id") `);
    await queryRunner.query(
      `ALTER TABLE "campaign_demands" ADD CONSTRAINT "fk_campaign_demands_campaign_id" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "campaign_demands" ADD CONSTRAINT "fk_campaign_demands_demand_id" FOREIGN KEY ("demand_id") REFERENCES "demands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "event_demands" ADD CONSTRAINT "fk_event_demands_event_id" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "event_demands" ADD CONSTRAINT "fk_event_demands_demand_id" FOREIGN KEY ("demand_id") REFERENCES "demands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "event_demands" DROP CONSTRAINT "fk_event_demands_demand_id"`);
    await queryRunner.query(`ALTER TABLE "event_demands" DROP CONSTRAINT "fk_event_demands_event_id"`);
    await queryRunner.query(`ALTER TABLE "campaign_demands" DROP CONSTRAINT "fk_campaign_demands_demand_id"`);
    await queryRunner.query(`ALTER TABLE "campaign_demands" DROP CONSTRAINT "fk_campaign_demands_campaign_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_event_demands_demand_id"`);
    await queryRunner.query(`DROP TABLE "event_demands"`);
    await queryRunner.query(`DROP INDEX "public"."ix_campaign_demands_demand_id"`);
    await queryRunner.query(`DROP TABLE "campaign_demands"`);
    await queryRunner.query(`ALTER TABLE "event_signups" DROP CONSTRAINT "fk_event_signups_member_id"`);
    await queryRunner.query(`ALTER TABLE "event_signups" DROP CONSTRAINT "fk_event_signups_shift_id"`);
    await queryRunner.query(`ALTER TABLE "event_signups" DROP CONSTRAINT "fk_event_signups_event_id"`);
    await queryRunner.query(`ALTER TABLE "event_shifts" DROP CONSTRAINT "fk_event_shifts_event_id"`);
    await queryRunner.query(`ALTER TABLE "event_roles" DROP CONSTRAINT "fk_event_roles_user_id"`);
    await queryRunner.query(`ALTER TABLE "event_roles" DROP CONSTRAINT "fk_event_roles_event_id"`);
    await queryRunner.query(`ALTER TABLE "event_hosts" DROP CONSTRAINT "fk_event_hosts_organisation_id"`);
    await queryRunner.query(`ALTER TABLE "event_hosts" DROP CONSTRAINT "fk_event_hosts_event_id"`);
    await queryRunner.query(`ALTER TABLE "events" DROP CONSTRAINT "fk_events_campaign_id"`);
    await queryRunner.query(`ALTER TABLE "events" DROP CONSTRAINT "fk_events_coalition_id"`);
    await queryRunner.query(`ALTER TABLE "events" DROP CONSTRAINT "fk_events_host_organisation_id"`);
    await queryRunner.query(`ALTER TABLE "campaigns" DROP CONSTRAINT "fk_campaigns_coalition_id"`);
    await queryRunner.query(`ALTER TABLE "campaigns" DROP CONSTRAINT "fk_campaigns_organisation_id"`);
    await queryRunner.query(`DROP INDEX "public"."uq_event_signups_live_member"`);
    await queryRunner.query(`DROP INDEX "public"."uq_event_signups_live_guest"`);
    await queryRunner.query(`DROP INDEX "public"."ix_event_signups_event_status_seq"`);
    await queryRunner.query(`DROP INDEX "public"."ix_event_signups_reminder_due"`);
    await queryRunner.query(`DROP INDEX "public"."ix_event_signups_guest_email"`);
    await queryRunner.query(`DROP INDEX "public"."ix_event_signups_member_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_event_signups_shift_id"`);
    await queryRunner.query(`DROP TABLE "event_signups"`);
    await queryRunner.query(`DROP INDEX "public"."ix_event_shifts_event_id"`);
    await queryRunner.query(`DROP TABLE "event_shifts"`);
    await queryRunner.query(`DROP INDEX "public"."ix_event_roles_user_id"`);
    await queryRunner.query(`DROP TABLE "event_roles"`);
    await queryRunner.query(`DROP INDEX "public"."ix_event_hosts_organisation_id"`);
    await queryRunner.query(`DROP TABLE "event_hosts"`);
    await queryRunner.query(`DROP INDEX "public"."ix_events_listing"`);
    await queryRunner.query(`DROP INDEX "public"."ix_events_region"`);
    await queryRunner.query(`DROP INDEX "public"."ix_events_campaign_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_events_coalition_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_events_host_organisation_id"`);
    await queryRunner.query(`DROP TABLE "events"`);
    await queryRunner.query(`DROP INDEX "public"."ix_campaigns_listing"`);
    await queryRunner.query(`DROP INDEX "public"."ix_campaigns_coalition_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_campaigns_organisation_id"`);
    await queryRunner.query(`DROP TABLE "campaigns"`);
  }
}
