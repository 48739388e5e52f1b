import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Member records per data controller (issue 17, docs/DOMAIN.md).
 *
 * A data controller is a top-level organisation with all its descendants.
 * Until now one `members` row was shared by every organisation that knew an
 * e-mail address, so one organisation could read, and then take over,
 * another's member by typing the address. From here on a record belongs to
 * exactly one controller (`members.controller_id`), its e-mail is unique
 * only within it, and every membership of the record is inside it (trigger
 * `memberships_in_controller`). Logins link to records through
 * `member_logins` (one record per controller per login) instead of the
 * single `users.member_id`.
 *
 * Existing data: every record whose memberships span several controllers
 * is split into one record per controller. The original row stays with the
 * controller of its earliest membership; each other controller gets a copy
 * (same person-level data as it stood, a new id) and takes with it the
 * memberships and consents given inside it and the signups to events its
 * organisations host. A login linked to the shared record is linked to each
 * copy too: the person had proved control of that address. Each copy gets an
 * audit entry `member.split` in its controller's scope. A record with no
 * membership belongs to the controller of its earliest consent; one with
 * neither was reachable by no organisation and is removed (a NOTICE says how
 * many).
 *
 * Logins: `email_confirmed_at` records that the address's owner proved it.
 * Logins that came from an e-mailed link (linked to a member), platform
 * admins (operators) and logins whose password was reset are confirmed;
 * logins an org_admin created with a password of their choosing are not.
 *
 * Not reversible: split records cannot be merged back without choosing
 * whose data wins.
 */
export class DataControllers1795793000000 implements MigrationInterface {
  name = 'DataControllers1795793000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Reads every member, membership and signup once: not bound by the requests' timeout.
    await queryRunner.query(`SET LOCAL statement_timeout = 0`);

    // The controller of an organisation: its top-level ancestor (itself when it has no parent).
    await queryRunner.query(`CREATE FUNCTION organisation_root(org uuid) RETURNS uuid LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
            WITH RECURSIVE up(id, parent_id, depth) AS (
              SELECT id, parent_id, 0 FROM organisations WHERE id = org
              UNION ALL
              SELECT o.id, o.parent_id, up.depth + 1 FROM organisations o JOIN up ON o.id = up.parent_id WHERE up.depth < 64
            )
            SELECT id FROM up WHERE parent_id IS NULL
        $$`);

    // New columns and the link table, loose until the data is in place.
    await queryRunner.query(`ALTER TABLE "members" ADD "controller_id" uuid`);
    await queryRunner.query(`ALTER TABLE "event_signups" ADD "attendee_name" text`);
    await queryRunner.query(`ALTER TABLE "users" ADD "email_confirmed_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `CREATE TABLE "member_logins" ("member_id" uuid NOT NULL, "user_id" uuid NOT NULL, "controller_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_member_logins" PRIMARY KEY ("member_id"))`,
    );

    // Every organisation's controller, computed once.
    await queryRunner.query(`CREATE TEMP TABLE split_roots ON COMMIT DROP AS SELECT id, organisation_root(id) AS root FROM organisations`);
    await queryRunner.query(`ALTER TABLE split_roots ADD PRIMARY KEY (id)`);

    // Each record's controllers, ranked by the earliest membership in each.
    await queryRunner.query(`CREATE TEMP TABLE split_controllers ON COMMIT DROP AS
            SELECT member_id, controller_id, row_number() OVER (PARTITION BY member_id ORDER BY first_at, controller_id) AS rank
              FROM (SELECT ms.member_id, r.root AS controller_id, min(ms.created_at) AS first_at
                      FROM memberships ms JOIN split_roots r ON r.id = ms.organisation_id
                     GROUP BY ms.member_id, r.root) per_controller`);
    // No membership: the controller of the earliest consent given to an organisation.
    await queryRunner.query(`INSERT INTO split_controllers (member_id, controller_id, rank)
            SELECT DISTINCT ON (c.member_id) c.member_id, r.root, 1
              FROM member_consents c JOIN split_roots r ON r.id = c.organisation_id
             WHERE NOT EXISTS (SELECT 1 FROM split_controllers s WHERE s.member_id = c.member_id)
             ORDER BY c.member_id, c.recorded_at, c.id`);
    await queryRunner.query(`UPDATE members m SET controller_id = s.controller_id FROM split_controllers s WHERE s.member_id = m.id AND s.rank = 1`);
    // Reachable by no organisation: nothing of it can be shown to anyone but a platform admin.
    const orphans = (await queryRunner.query(`WITH gone AS (
              DELETE FROM members m WHERE m.controller_id IS NULL
                AND NOT EXISTS (SELECT 1 FROM event_signups s WHERE s.member_id = m.id)
              RETURNING 1)
            SELECT count(*)::int AS n FROM gone`)) as { n: number }[];
    if (orphans[0].n > 0) await queryRunner.query(`DO $$ BEGIN RAISE NOTICE 'DataControllers: removed % member records with no membership and no consent', ${Number(orphans[0].n)}; END $$`);
    // A record with signups but no organisation at all cannot be placed: stop rather than guess.
    const unplaced = (await queryRunner.query(`SELECT count(*)::int AS n FROM members WHERE controller_id IS NULL`)) as { n: number }[];
    if (unplaced[0].n > 0)
      throw new Error(`DataControllers: ${unplaced[0].n} member records have event signups but no membership or consent in any organisation; give each a membership, then migrate again.`);

    // One copy per further controller: the address is unique per controller from here on.
    await queryRunner.query(`ALTER TABLE "members" DROP CONSTRAINT "uq_members_email"`);
    await queryRunner.query(`CREATE TEMP TABLE split_copies ON COMMIT DROP AS
            SELECT member_id AS old_id, controller_id, gen_random_uuid() AS new_id FROM split_controllers WHERE rank > 1`);
    await queryRunner.query(`INSERT INTO members (id, controller_id, given_name, family_name, email, phone, region, locality, languages, preferred_language, email_verified_at, erased_at, created_at, updated_at)
            SELECT c.new_id, c.controller_id, m.given_name, m.family_name, m.email, m.phone, m.region, m.locality, m.languages, m.preferred_language, m.email_verified_at, m.erased_at, m.created_at, m.updated_at
              FROM split_copies c JOIN members m ON m.id = c.old_id
             ORDER BY m.family_name, m.given_name, c.new_id`);
    // What was given inside a controller follows its copy.
    await queryRunner.query(`UPDATE memberships ms SET member_id = c.new_id
              FROM split_copies c, split_roots r
             WHERE ms.member_id = c.old_id AND r.id = ms.organisation_id AND r.root = c.controller_id`);
    await queryRunner.query(`UPDATE member_consents mc SET member_id = c.new_id
              FROM split_copies c, split_roots r
             WHERE mc.member_id = c.old_id AND r.id = mc.organisation_id AND r.root = c.controller_id`);
    await queryRunner.query(`UPDATE event_signups s SET member_id = c.new_id
              FROM split_copies c, events e, split_roots r
             WHERE s.member_id = c.old_id AND e.id = s.event_id AND r.id = e.host_organisation_id AND r.root = c.controller_id`);
    // The name each member signed up with, for the managers of events hosted by another controller.
    await queryRunner.query(`UPDATE event_signups s SET attendee_name = m.given_name || ' ' || m.family_name
              FROM members m WHERE m.id = s.member_id AND m.erased_at IS NULL`);
    await queryRunner.query(`INSERT INTO audit_log (actor_user_id, action, entity, entity_id, organisation_id, coalition_id, changes, request_id)
            SELECT NULL, 'member.split', 'member', c.new_id::text, c.controller_id, NULL,
                   jsonb_build_object('splitFrom', jsonb_build_object('from', c.old_id, 'to', c.new_id)), 'migration:DataControllers'
              FROM split_copies c ORDER BY c.controller_id, c.new_id`);

    // Login links: the shared record's login is linked to every copy of it.
    await queryRunner.query(`INSERT INTO member_logins (member_id, user_id, controller_id, created_at)
            SELECT m.id, u.id, m.controller_id, u.created_at FROM users u JOIN members m ON m.id = u.member_id
            UNION ALL
            -- After the original: the login's first record stays the one it had (signups to coalition events follow it).
            SELECT c.new_id, u.id, c.controller_id, u.created_at + interval '1 millisecond' FROM users u JOIN split_copies c ON c.old_id = u.member_id`);
    // E-mailed links issued for a shared record, not yet followed: which controller asked is unknown, so none is honoured (ask again).
    await queryRunner.query(`DELETE FROM account_tokens t USING (SELECT DISTINCT old_id FROM split_copies) c WHERE t.member_id = c.old_id AND t.used_at IS NULL`);
    await queryRunner.query(`UPDATE users u SET email_confirmed_at = u.created_at
             WHERE u.member_id IS NOT NULL OR u.is_platform_admin
                OR EXISTS (SELECT 1 FROM audit_log a WHERE a.entity = 'user' AND a.entity_id = u.id::text AND a.action = 'user.password_reset')`);
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "fk_users_member_id"`);
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "uq_users_member_id"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "member_id"`);

    // The rules, now that the data keeps them.
    await queryRunner.query(`ALTER TABLE "members" ALTER COLUMN "controller_id" SET NOT NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_members_controller_email" ON "members"  ("controller_id", "email") `);
    await queryRunner.query(`ALTER TABLE "members" ADD CONSTRAINT "fk_members_controller_id" FOREIGN KEY ("controller_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_member_logins_user_controller" ON "member_logins"  ("user_id", "controller_id") `);
    await queryRunner.query(`ALTER TABLE "member_logins" ADD CONSTRAINT "fk_member_logins_member_id" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "member_logins" ADD CONSTRAINT "fk_member_logins_user_id" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(
      `ALTER TABLE "member_logins" ADD CONSTRAINT "fk_member_logins_controller_id" FOREIGN KEY ("controller_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "account_tokens" DROP CONSTRAINT "ck_account_tokens_purpose"`);
    await queryRunner.query(
      `ALTER TABLE "account_tokens" ADD CONSTRAINT "ck_account_tokens_purpose" CHECK ("purpose" IN ('password_reset','invitation','registration','email_verification','member_link'))`,
    );

    // A membership is always inside its record's controller: one check per statement (imports stay set-based).
    await queryRunner.query(`CREATE FUNCTION memberships_in_controller() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (
            WITH orgs AS (SELECT o, organisation_root(o) AS root FROM (SELECT DISTINCT organisation_id AS o FROM new_rows) d)
            SELECT 1 FROM new_rows n JOIN orgs ON orgs.o = n.organisation_id JOIN members m ON m.id = n.member_id
             WHERE m.controller_id IS DISTINCT FROM orgs.root
          ) THEN
            RAISE EXCEPTION 'A membership must be in an organisation of its member record''s data controller.' USING ERRCODE = 'check_violation';
          END IF;
          RETURN NULL;
        END $$`);
    await queryRunner.query(
      `CREATE TRIGGER memberships_in_controller_insert AFTER INSERT ON memberships REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION memberships_in_controller()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER memberships_in_controller_update AFTER UPDATE ON memberships REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION memberships_in_controller()`,
    );
    // A record never changes controller.
    await queryRunner.query(`CREATE FUNCTION members_controller_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'A member record never changes data controller.' USING ERRCODE = 'check_violation';
        END $$`);
    await queryRunner.query(
      `CREATE TRIGGER members_controller_fixed BEFORE UPDATE OF controller_id ON members FOR EACH ROW WHEN (OLD.controller_id IS DISTINCT FROM NEW.controller_id) EXECUTE FUNCTION members_controller_fixed()`,
    );
  }

  public down(): Promise<void> {
    return Promise.reject(
      new Error('DataControllers cannot be reverted: records split per data controller cannot be merged back without choosing whose data wins. Restore a backup taken before the upgrade instead.'),
    );
  }
}
