import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Member search by words (see src/members/member-search.ts). Every member's
 * names and e-mail are split into folded words (lower case, accents off) kept
 * in `member_search_words` with the member's directory key and all their
 * words, so the members having a word are read in directory order straight
 * from one index, which also answers whether each has the query's other
 * words (INCLUDE "words": no probe per member); the
 * distinct words (`member_search_terms`) carry the trigram index that makes
 * the search typo-tolerant ("Atencia" → "atencio"). Both tables are kept by
 * statement-level triggers on `members` (one set-based statement per
 * INSERT/UPDATE/DELETE statement, so bulk imports stay set-based). A word
 * no member uses any more leaves `member_search_terms` (erasure).
 *
 * Replaces the trigram index over whole names (`ix_members_search_trgm`):
 * filtering 1M members by trigram similarity and then sorting them by name
 * had no fast plan for common names (bench/REPORT.md).
 */
export class MemberSearchWords1795791000000 implements MigrationInterface {
  name = 'MemberSearchWords1795791000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // The backfill reads every member once (about 20 s per million): not bound by the requests' timeout.
    await queryRunner.query(`SET LOCAL statement_timeout = 0`);
    await queryRunner.query(`CREATE FUNCTION search_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
            SELECT translate(lower(t), 'áàâäãåéèêëíìîïóòôöõúùûüýÿñç', 'aaaaaaeeeeiiiiooooouuuuyync')
        $$`);
    await queryRunner.query(`CREATE FUNCTION member_search_words(given text, family text, email text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
            SELECT coalesce(array_agg(DISTINCT w ORDER BY w), '{}'::text[])
              FROM regexp_split_to_table(search_fold(concat_ws(' ', given, family, email)), '[[:space:][:punct:]’‘´]+') AS w
             WHERE length(w) >= 2
        $$`);
    await queryRunner.query(
      `CREATE TABLE "member_search_words" ("word" text COLLATE "C" NOT NULL, "family_name" text NOT NULL, "given_name" text NOT NULL, "member_id" uuid NOT NULL, "words" text array NOT NULL, CONSTRAINT "pk_member_search_words" PRIMARY KEY ("member_id", "word"), CONSTRAINT "fk_member_search_words_member_id" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE)`,
    );
    await queryRunner.query(`CREATE INDEX "ix_member_search_words_directory" ON "member_search_words" ("word", "family_name", "given_name", "member_id") INCLUDE ("words")`);
    await queryRunner.query(`CREATE TABLE "member_search_terms" ("word" text COLLATE "C" NOT NULL, CONSTRAINT "pk_member_search_terms" PRIMARY KEY ("word"))`);
    await queryRunner.query(`CREATE INDEX "ix_member_search_terms_trgm" ON "member_search_terms" USING gin ("word" gin_trgm_ops)`);

    await queryRunner.query(`CREATE FUNCTION member_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN
            INSERT INTO member_search_words (word, family_name, given_name, member_id, words)
              SELECT w, n.family_name, n.given_name, n.id, ws
                FROM new_rows n CROSS JOIN LATERAL member_search_words(n.given_name, n.family_name, n.email::text) AS ws CROSS JOIN LATERAL unnest(ws) AS w;
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
            INSERT INTO member_search_words (word, family_name, given_name, member_id, words)
              SELECT w, n.family_name, n.given_name, n.id, ws
                FROM new_rows n JOIN old_rows o ON o.id = n.id
                     CROSS JOIN LATERAL member_search_words(n.given_name, n.family_name, n.email::text) AS ws CROSS JOIN LATERAL unnest(ws) AS w
               WHERE (n.given_name, n.family_name, n.email) IS DISTINCT FROM (o.given_name, o.family_name, o.email);
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
        $$`);
    await queryRunner.query(`CREATE TRIGGER "tr_members_search_insert" AFTER INSERT ON "members" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION member_search_sync()`);
    await queryRunner.query(
      `CREATE TRIGGER "tr_members_search_update" AFTER UPDATE ON "members" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION member_search_sync()`,
    );
    await queryRunner.query(`CREATE TRIGGER "tr_members_search_delete" AFTER DELETE ON "members" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION member_search_sync()`);

    // Rebuilds both tables from `members` (here, and after a bulk load with the triggers disabled).
    await queryRunner.query(`CREATE FUNCTION member_search_rebuild() RETURNS void LANGUAGE sql AS $$
            TRUNCATE member_search_words, member_search_terms;
            INSERT INTO member_search_words (word, family_name, given_name, member_id, words)
              SELECT w, m.family_name, m.given_name, m.id, ws
                FROM members m CROSS JOIN LATERAL member_search_words(m.given_name, m.family_name, m.email::text) AS ws CROSS JOIN LATERAL unnest(ws) AS w;
            INSERT INTO member_search_terms (word) SELECT DISTINCT word FROM member_search_words;
        $$`);
    await queryRunner.query(`SELECT member_search_rebuild()`);
    await queryRunner.query(`DROP INDEX "public"."ix_members_search_trgm"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "ix_members_search_trgm" ON "members" USING gin (("given_name" || ' ' || "family_name" || ' ' || coalesce("email"::text, '')) gin_trgm_ops)`);
    await queryRunner.query(`DROP FUNCTION member_search_rebuild()`);
    await queryRunner.query(`DROP TRIGGER "tr_members_search_delete" ON "members"`);
    await queryRunner.query(`DROP TRIGGER "tr_members_search_update" ON "members"`);
    await queryRunner.query(`DROP TRIGGER "tr_members_search_insert" ON "members"`);
    await queryRunner.query(`DROP FUNCTION member_search_sync()`);
    await queryRunner.query(`DROP TABLE "member_search_terms"`);
    await queryRunner.query(`DROP TABLE "member_search_words"`);
    await queryRunner.query(`DROP FUNCTION member_search_words(text, text, text)`);
    await queryRunner.query(`DROP FUNCTION search_fold(text)`);
  }
}
