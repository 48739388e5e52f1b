import { Injectable } from '@nestjs/common';

import { preparedQuery, SqlParams } from '../common/sql';
import type { Tx } from '../database/transactions';
import type { MembershipStatus } from './membership.entity';

/**
 * The member directory and its search (MemberSearchRepository; the
 * benchmark's baseline runs the same statements through it).
 *
 * Search is by words: each word of `q` (two characters or more, at most
 * five, folded to lower case without accents, split like the stored words)
 * must match a word of the member's names or e-mail. A word of letters
 * matches the stored words similar to it (pg_trgm word similarity ≥ 0.6,
 * so "Atencia" finds "Atencio" and "Quis" finds "Quispe"); a word with
 * digits (an e-mail or a code) matches the stored words it begins. Words are
 * expanded first against the distinct words (`member_search_terms`, small,
 * trigram-indexed); then the members having one of the expansions are read
 * from `member_search_words`, whose index is (word, family name, given
 * name, id): directory order, so a page of a common name costs one page of
 * index, whatever the name's rank in the alphabet. See migration
 * MemberSearchWords for how the words are kept.
 */

/** Query words matched at most (each one is a condition). */
export const MAX_QUERY_WORDS = 5;
/** Up to this many expansions of the leading word, their index ranges are merged in order; beyond, the planner decides. */
export const MERGED_EXPANSIONS = 32;

/**
 * Above this share of all memberships a scope is broad: walking the directory
 * finds a page after about limit / share members; below it, reading the
 * scope's own members first is cheaper (see `directorySql`).
 */
export const BROAD_SCOPE_SHARE = 0.02;

/** How long a scope's estimate is reused: it only picks a query shape (both give the same rows), and statistics move slowly. */
const SCOPE_ESTIMATE_TTL_MS = 60_000;
const SCOPE_ESTIMATES_KEPT = 1_000;
const scopeEstimates = new Map<string, { broad: boolean; at: number }>();

/**
 * Whether a scope holds a broad share of the directory, from the planner's
 * statistics (one EXPLAIN, no scan), reused for a minute: an organiser's
 * searches come in series, and the EXPLAIN of a party-wide list of
 * organisations (hundreds of ids) costs as much as the search itself. A list
 * of organisations is measured in memberships, whole data controllers in
 * member records.
 */
async function isBroadScope(db: Tx, scope: { organisations: string[] } | { controllers: string[] }): Promise<boolean> {
  const [kind, ids] = 'organisations' in scope ? (['o', scope.organisations] as const) : (['c', scope.controllers] as const);
  const key = `${kind}:${[...ids].sort().join(',')}`;
  const known = scopeEstimates.get(key);
  if (known && performance.now() - known.at < SCOPE_ESTIMATE_TTL_MS) return known.broad;
  const sql =
    kind === 'o'
      ? `EXPLAIN (FORMAT JSON) SELECT 1 FROM memberships WHERE organisation_id = ANY($1::uuid[]) UNION ALL SELECT 1 FROM memberships`
      : `EXPLAIN (FORMAT JSON) SELECT 1 FROM members WHERE controller_id = ANY($1::uuid[]) UNION ALL SELECT 1 FROM members`;
  const [{ 'QUERY PLAN': plan }] = await db.query<{ 'QUERY PLAN': [{ Plan: { Plans: { 'Plan Rows': number }[] } }] }[]>(sql, [ids]);
  const [inScope, all] = plan[0].Plan.Plans.map((p) => p['Plan Rows']);
  const broad = inScope / Math.max(1, all) > BROAD_SCOPE_SHARE;
  if (scopeEstimates.size >= SCOPE_ESTIMATES_KEPT) scopeEstimates.clear();
  scopeEstimates.set(key, { broad, at: performance.now() });
  return broad;
}

/**
 * A membership `ms`'s organisation is one of those bound at `param` (a
 * uuid[] placeholder), written so that it is checked after the member's few
 * memberships are found by member_id, against a hash of the ids built once
 * per query: as an index condition, a party-wide list (hundreds of ids)
 * would be sorted again on every probe, more than half of a search's time.
 */
const inOrganisationsSql = (param: string): string => `ms.organisation_id::text = ANY(${param}::uuid[]::text[])`;

/**
 * The `EXISTS` that keeps a member (id expression `memberId`) inside the
 * organisations bound at `param` (a uuid[] placeholder), with optional
 * further conditions on `ms`, checked one member at a time: `OFFSET 0` keeps
 * it one probe of the (member_id, organisation_id) index per member, where
 * the planner would otherwise hash-join every membership of a broad scope
 * into each page (≈ 270 ms per page at 1M members). Narrow scopes do not use
 * it: `directorySql` reads their members first.
 */
function membershipScopeSql(memberId: string, param: string, extra: string[] = []): string {
  const conditions = [`ms.member_id = ${memberId}`, inOrganisationsSql(param), ...extra];
  return `EXISTS (SELECT 1 FROM memberships ms WHERE ${conditions.join(' AND ')} OFFSET 0)`;
}

/** For each word of `q` (in order), the stored words it matches; [] when `q` has no word to search by. */
async function expandSearch(db: Tx, q: string): Promise<string[][]> {
  // Prepared (common/sql.ts): one text for every search, whose plan no value changes.
  const rows = await preparedQuery<{ i: number; term: string }>(
    db,
    `SELECT q.i::int AS i, x.term
       FROM unnest((member_search_words($1, NULL, NULL))[1:${MAX_QUERY_WORDS}]) WITH ORDINALITY AS q(w, i)
      CROSS JOIN LATERAL (
            SELECT q.w AS term
            UNION
            SELECT t.word FROM member_search_terms t
             WHERE q.w ~ '[0-9]' AND t.word >= (q.w COLLATE "C") AND t.word < ((q.w || chr(1114111)) COLLATE "C")
            UNION
            SELECT t.word FROM member_search_terms t WHERE q.w !~ '[0-9]' AND t.word %> q.w) x
      ORDER BY 1, 2`,
    [q],
  );
  const out: string[][] = [];
  for (const r of rows) (out[r.i - 1] ??= []).push(r.term);
  return out.filter(Boolean);
}

/** How long the common words' shares are reused (they come from ANALYZE, which runs far less often). */
const COMMON_WORDS_TTL_MS = 10 * 60_000;
let commonWordsRead: { at: number; words: Promise<Map<string, number>> } | null = null;

/**
 * The most common search words and the share of all stored words each one
 * is, from the planner's statistics (pg_stats of member_search_words.word);
 * a word not listed is rarer than any listed. Read once every ten minutes.
 */
function commonWords(db: Tx): Promise<Map<string, number>> {
  if (!commonWordsRead || performance.now() - commonWordsRead.at > COMMON_WORDS_TTL_MS) {
    const words = db
      .query<{ words: string[] | null; shares: number[] | null }[]>(
        `SELECT most_common_vals::text::text[] AS words, most_common_freqs::float8[] AS shares
           FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'member_search_words' AND attname = 'word'`,
      )
      .then(([row]) => new Map((row?.words ?? []).map((w, i) => [w, row.shares![i]] as const)))
      .catch(() => {
        // Only a choice of plan depends on it: search on without, and read again next time.
        commonWordsRead = null;
        return new Map<string, number>();
      });
    commonWordsRead = { at: performance.now(), words };
  }
  return commonWordsRead.words;
}

/**
 * Whose members a directory page lists, and which of their memberships it
 * shows.
 * - `controllers`: the data controllers whose records are walked (the words
 *   index leads with the controller); null: every record (the platform's
 *   administrators, and only without words).
 * - `listed`: `'everyone'`, every record of those controllers (the
 *   platform's administrators); `'members'`, records with a membership of any
 *   organisation (a scope of whole controllers: every membership of a record
 *   is in its controller); or the organisations one of which the record must
 *   have a membership in.
 * - `broad`: whether the scope holds a broad share of the directory
 *   (`isBroadScope`); a narrow one is read first, then sorted.
 * - `shown`: the memberships a row carries: all, or those in these
 *   organisations (the caller's member.read scope).
 */
export interface DirectoryScope {
  controllers: string[] | null;
  listed: 'everyone' | 'members' | string[];
  broad: boolean;
  shown: 'all' | string[];
}

export interface DirectoryFilter {
  scope: DirectoryScope;
  status?: string;
  region?: string;
  /** Keyset: the (family name, given name, id) of the previous page's last member. */
  after: [string, string, string] | null;
  /** Rows to fetch (a page and one more, to know whether there is a next). */
  rows: number;
  /** From `expandSearch`; [] without a search. */
  words: string[][];
  /** From `commonWords`: which of several words to walk. */
  commonWords?: Map<string, number>;
}

const DIRECTORY_COLUMNS = 'm.id, m.given_name, m.family_name, m.email, m.phone, m.region, m.locality, m.erased_at';

/**
 * The directory page query for `f`, in name order, with each row's shown
 * memberships (one statement). Four shapes, each with a cost bounded by the
 * page rather than by the table:
 * - a narrow list of organisations (a chapter): its members first
 *   (materialized, small), then names, words and the keyset on those;
 * - no words: the directory index walked in order, each member checked with
 *   one membership probe;
 * - words with few expansions: each expansion's range of the words index
 *   (per controller), already in directory order, merged; other words are
 *   read from the same index entry, the scope is one probe;
 * - a vague word (more expansions than can be merged): the members having
 *   one, sorted.
 */
function directorySql(f: DirectoryFilter): { text: string; values: unknown[] } {
  const p = new SqlParams();
  const s = f.scope;
  const organisations = Array.isArray(s.listed) ? p.add(s.listed) : null;
  const status = f.status ? `ms.status = ${p.add(f.status)}` : null;
  const region = f.region ? p.add(f.region) : null;
  const after = f.after ? [p.add(f.after[0]), p.add(f.after[1]), `${p.add(f.after[2])}::uuid`] : null;
  const limit = p.add(f.rows);
  const keyset = (family: string, given: string, id: string) => (after ? [`(${family}, ${given}, ${id}) > (${after.join(', ')})`] : []);
  /** Member `id` has one of the words bound at `set` (a text[] placeholder); OFFSET 0: a probe, checked before the scope's. */
  const hasWord = (id: string, set: string) => `EXISTS (SELECT 1 FROM member_search_words o WHERE o.member_id = ${id} AND o.word = ANY(${set}::text[]) OFFSET 0)`;
  const inScope = (id: string): string[] => {
    if (organisations) return [membershipScopeSql(id, organisations, status ? [status] : [])];
    if (s.listed === 'members' || status) return [`EXISTS (SELECT 1 FROM memberships ms WHERE ms.member_id = ${id}${status ? ` AND ${status}` : ''} OFFSET 0)`];
    return [];
  };
  // A scope of whole controllers lists their records only (a list of organisations implies it, the platform has none).
  // Bound when first used (an unused placeholder has no type).
  let bound: string | undefined;
  const controllers = () => (bound ??= p.add(s.controllers));
  const ofControllers = (column: string) => (s.listed === 'members' && s.controllers ? [`${column} = ANY(${controllers()}::uuid[])`] : []);
  const shown = s.shown === 'all' ? '' : ` AND ms.organisation_id = ANY(${p.add(s.shown)}::uuid[])`;
  /** The page `inner` (rows with DIRECTORY_COLUMNS, at most `limit`), each with its shown memberships, in directory order. */
  const withMemberships = (inner: string) => ({
    text: `SELECT k.*,
                  (SELECT coalesce(json_agg(json_build_object('id', ms.id, 'organisationId', ms.organisation_id, 'status', ms.status, 'title', ms.title) ORDER BY ms.created_at, ms.id), '[]')
                     FROM memberships ms WHERE ms.member_id = k.id${shown}) AS memberships
             FROM (${inner}) k
            ORDER BY k.family_name, k.given_name, k.id`,
    values: p.values,
  });
  const page = (from: string, where: string[]) =>
    withMemberships(`SELECT ${DIRECTORY_COLUMNS} FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY m.family_name, m.given_name, m.id LIMIT ${limit}`);
  const regionOf = region ? [`m.region = ${region}`] : [];

  if (f.words.length && !s.controllers) throw new Error('a search walks the words of known data controllers: pass them');
  const walked = s.controllers ?? [];
  // A vague word (more expansions than can be merged, e.g. the start of an e-mail address): the members
  // having one of its expansions, then sorted; the other words are probes. The set is an array (= ANY on the
  // primary key), not a join: the planner cannot size a join's input here and may walk the whole directory.
  const vague = f.words.reduce((most, terms, i) => (terms.length > f.words[most].length ? i : most), 0);
  if (f.words.length && f.words[vague].length * walked.length > MERGED_EXPANSIONS) {
    const others = f.words.filter((_, i) => i !== vague).map((terms) => p.add(terms));
    const where = [...others.map((set) => hasWord('m.id', set)), ...inScope('m.id'), ...ofControllers('m.controller_id'), ...regionOf, ...keyset('m.family_name', 'm.given_name', 'm.id')];
    const set = `SELECT member_id FROM member_search_words WHERE controller_id = ANY(${p.add(walked)}::uuid[]) AND word = ANY(${p.add(f.words[vague])}::text[])`;
    return page('members m', [`m.id = ANY(ARRAY(${set}))`, ...where]);
  }
  if (s.listed === 'members' && s.controllers && !s.broad) {
    const where = [...inScope('m.id'), ...regionOf, ...f.words.map((terms) => hasWord('m.id', p.add(terms))), ...keyset('m.family_name', 'm.given_name', 'm.id')];
    return page('members m', [`m.id = ANY(ARRAY(SELECT c.id FROM members c WHERE c.controller_id = ANY(${controllers()}::uuid[])))`, ...where]);
  }
  if (organisations && !s.broad) {
    const where = [...regionOf, ...f.words.map((terms) => hasWord('m.id', p.add(terms))), ...keyset('m.family_name', 'm.given_name', 'm.id')];
    return page('members m', [`m.id = ANY(ARRAY(SELECT ms.member_id FROM memberships ms WHERE ms.organisation_id = ANY(${organisations}::uuid[])${status ? ` AND ${status}` : ''}))`, ...where]);
  }
  if (!f.words.length) return page('members m', [...inScope('m.id'), ...ofControllers('m.controller_id'), ...regionOf, ...keyset('m.family_name', 'm.given_name', 'm.id')]);

  // The rarest word leads (its range is walked, the others are checked on each entry: the more common they
  // are, the sooner a page is full); without statistics, or on a tie, the word with the fewest expansions.
  const share = (terms: string[]) => terms.reduce((sum, term) => sum + (f.commonWords?.get(term) ?? 0), 0);
  const lead = f.words.reduce((best, terms, i) => {
    const [a, b] = [share(terms), share(f.words[best])];
    return a < b || (a === b && terms.length < f.words[best].length) ? i : best;
  }, 0);
  const others = f.words.filter((_, i) => i !== lead).map((terms) => p.add(terms));
  const branches = walked.flatMap((controller) => {
    const c = `${p.add(controller)}::uuid`;
    return f.words[lead].map((term) => {
      const where = [
        `w.controller_id = ${c}`,
        `w.word = ${p.add(term)}`,
        ...keyset('w.family_name', 'w.given_name', 'w.member_id'),
        // The member's words come with the index entry: the other words cost no probe.
        ...others.map((set) => `w.words && ${set}::text[]`),
        ...inScope('w.member_id'),
        ...(region ? [`EXISTS (SELECT 1 FROM members r WHERE r.id = w.member_id AND r.region = ${region})`] : []),
      ];
      return `(SELECT w.family_name, w.given_name, w.member_id FROM member_search_words w
                WHERE ${where.join(' AND ')} ORDER BY w.family_name, w.given_name, w.member_id LIMIT ${limit})`;
    });
  });
  return withMemberships(`SELECT ${DIRECTORY_COLUMNS}
             FROM (SELECT DISTINCT ON (u.family_name, u.given_name, u.member_id) u.family_name, u.given_name, u.member_id
                     FROM (${branches.join(' UNION ALL ')}) u
                    ORDER BY u.family_name, u.given_name, u.member_id LIMIT ${limit}) d
             JOIN members m ON m.id = d.member_id`);
}

/** A directory row: the member's own columns (DIRECTORY_COLUMNS) and the memberships shown with it. */
export interface DirectoryRow {
  id: string;
  given_name: string;
  family_name: string;
  email: string | null;
  phone: string | null;
  region: string | null;
  locality: string | null;
  erased_at: Date | null;
  memberships: { id: string; organisationId: string; status: MembershipStatus; title: string | null }[];
}

/**
 * The directory walk and the search behind it: the statements above, run
 * on `tx` (a transaction, the pool, or — for the benchmark's baseline — a
 * bare pg client behind the same `query`).
 */
@Injectable()
export class MemberSearchRepository {
  /** See `isBroadScope` above: the estimate only picks a query shape. */
  isBroadScope(tx: Tx, scope: { organisations: string[] } | { controllers: string[] }): Promise<boolean> {
    return isBroadScope(tx, scope);
  }

  /** For each word of `q` (in order), the stored words it matches; [] when `q` has no word to search by. */
  expandSearch(tx: Tx, q: string): Promise<string[][]> {
    return expandSearch(tx, q);
  }

  /** The most common search words and their shares (reused for ten minutes). */
  commonWords(tx: Tx): Promise<Map<string, number>> {
    return commonWords(tx);
  }

  /** One directory page for `f` (`f.rows` rows at most), in name order. */
  directoryPage(tx: Tx, f: DirectoryFilter): Promise<DirectoryRow[]> {
    const sql = directorySql(f);
    return tx.query<DirectoryRow[]>(sql.text, sql.values);
  }
}
