import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The search words carry their member's data controller, which leads the
 * directory index: (controller, word, family name, given name, member) INCLUDE
 * (words). A search walks one controller's range of a word; a caller whose
 * member.read role sits on a top-level organisation (its whole controller)
 * is then checked by that range alone plus one probe for "has a membership",
 * instead of a check of each entry's memberships against every organisation
 * of the scope (hundreds of ids sent, parsed and hashed on every search; see
 * src/members/member-search.repository.ts and bench/REPORT.md). Another
 * controller's members are never walked at all.
 *
 * A member's controller never changes (trigger members_controller_fixed),
 * so the words keep it without an update path. The table is rebuilt from
 * `members` (member_search_rebuild, about 20 s per million members), as
 * MemberSearchWords built it.
 */
const syncFunction = (withController: boolean): string => {
  const column = withController ? 'controller_id, ' : '';
  const value = withController ? 'n.controller_id, ' : '';
  return `CREATE OR REPLACE FUNCTION member_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN
            INSERT INTO member_search_words (${column}word, family_name, given_name, member_id, words)
              SELECT ${value}w, n.family_name, n.given_name, n.id, ws
                FROM new_rows n CROSS JOIN LATERAL member_search_words(n.given_name, n.family_name, n.email::text) AS ws CROSS JOIN LATERAL unnest(ws) AS w
               ORDER BY 1, 2, 3, 4${withController ? ', 5' : ''};
            -- In word order, so that concurrent writers take the terms' locks in the same order.
            INSERT INTO member_search_terms (word)
              SELECT DISTINCT w FROM new_rows n CROSS JOIN LATERAL unnest(member_search_words(n.given_name, n.family_name, n.email::text)) AS w
               ORDER BY w
            ON CONFLICT DO NOTHING;
          ELSIF TG_OP = 'UPDATE' THEN
            -- Only members whose names or e-mail changed.
            DELETE FROM member_search_words s
             USING old_rows o JOIN new_rows n ON n.id = o.id
             WHERE s.member_id = o.id AND (n.given_name, n.family_name, n.email) IS DISTINCT FROM (o.given_name, o.family_name, o.email);
            INSERT INTO member_search_words (${column}word, family_name, given_name, member_id, words)
              SELECT ${value}w, n.family_name, n.given_name, n.id, ws
                FROM new_rows n JOIN old_rows o ON o.id = n.id
                     CROSS JOIN LATERAL member_search_words(n.given_name, n.family_name, n.email::text) AS ws CROSS JOIN LATERAL unnest(ws) AS w
               WHERE (n.given_name, n.family_name, n.email) IS DISTINCT FROM (o.given_name, o.family_name, o.email)
               ORDER BY 1, 2, 3, 4${withController ? ', 5' : ''};
            INSERT INTO member_search_terms (word)
              SELECT DISTINCT w
                FROM new_rows n JOIN old_rows o ON o.id = n.id
                     CROSS JOIN LATERAL unnest(member_search_words(n.given_name, n.family_name, n.email::text)) AS w
               WHERE (n.given_name, n.family_name, n.email) IS DISTINCT FROM (o.given_name, o.family_name, o.email)
               ORDER BY w
            ON CONFLICT DO NOTHING;
            -- A word no member uses any more leaves the dictionary (e.g. an erased person's e-mail).
            DELETE FROM member_search_terms t
             WHERE t.word IN (SELECT unnest(member_search_words(o.given_name, o.family_name, o.email::text))
                                FROM old_rows o JOIN new_rows n ON n.id = o.id
                               WHERE (n.given_name, n.family_name, n.email) IS DISTINCT FROM (o.given_name, o.family_name, o.email))
               AND NOT EXISTS (SELECT 1 FROM member_search_words s WHERE s.word = t.word);
          ELSE
            DELETE FROM member_search_words s USING old_rows o WHERE s.member_id = o.id;
            DELETE FROM member_search_terms t
             WHERE t.word IN (SELECT unnest(member_search_words(o.given_name, o.family_name, o.email::text)) FROM old_rows o)
               AND NOT EXISTS (SELECT 1 FROM member_search_words s WHERE s.word = t.word);
          END IF;
          RETURN NULL;
        END
        $$`;
};

const rebuildFunction = (withController: boolean): string => `CREATE OR REPLACE FUNCTION member_search_rebuild() RETURNS void LANGUAGE sql AS $$
            TRUNCATE member_search_words, member_search_terms;
            INSERT INTO member_search_words (${withController ? 'controller_id, ' : ''}word, family_name, given_name, member_id, words)
              SELECT ${withController ? 'm.controller_id, ' : ''}w, m.family_name, m.given_name, m.id, ws
                FROM members m CROSS JOIN LATERAL member_search_words(m.given_name, m.family_name, m.email::text) AS ws CROSS JOIN LATERAL unnest(ws) AS w;
            INSERT INTO member_search_terms (word) SELECT DISTINCT word FROM member_search_words;
        $$`;

export class MemberSearchByController1795799000000 implements MigrationInterface {
  name = 'MemberSearchByController1795799000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // The rebuild reads every member once: not bound by the requests' timeout.
    await queryRunner.query(`SET LOCAL statement_timeout = 0`);
    await queryRunner.query(`DROP INDEX "ix_member_search_words_directory"`);
    await queryRunner.query(`ALTER TABLE "member_search_words" ADD "controller_id" uuid`);
    await queryRunner.query(syncFunction(true));
    await queryRunner.query(rebuildFunction(true));
    await queryRunner.query(`SELECT member_search_rebuild()`);
    await queryRunner.query(`ALTER TABLE "member_search_words" ALTER COLUMN "controller_id" SET NOT NULL`);
    await queryRunner.query(`CREATE INDEX "ix_member_search_words_directory" ON "member_search_words" ("controller_id", "word", "family_name", "given_name", "member_id") INCLUDE ("words")`);
    await queryRunner.query(`ANALYZE "member_search_words"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_member_search_words_directory"`);
    await queryRunner.query(syncFunction(false));
    await queryRunner.query(rebuildFunction(false));
    await queryRunner.query(`ALTER TABLE "member_search_words" DROP COLUMN "controller_id"`);
    await queryRunner.query(`CREATE INDEX "ix_member_search_words_directory" ON "member_search_words" ("word", "family_name", "given_name", "member_id") INCLUDE ("words")`);
  }
}
