import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';

import { returningRows } from '../common/sql';
import type { Tx } from '../database/transactions';
import type { ImportRow } from './member-csv';
import { MemberImport, type ImportRowError } from './member-import.entity';

/** What a run needs of the import it claimed. */
export interface ClaimedImport {
  organisation_id: string;
  processed_line: number;
  stored_errors: number;
}

/** An import's counters once completed. */
export interface CompletedCounts {
  rows_read: number;
  rows_created: number;
  rows_updated: number;
  rows_failed: number;
}

/** The tables `imports` and `import_chunks` (the stored file), and the batch upsert into members and memberships. */
@Injectable()
export class MemberImportsRepository {
  findById(tx: Tx, id: string): Promise<MemberImport | null> {
    return tx.getRepository(MemberImport).findOne({ where: { id } });
  }

  /** Imports running in a process that stopped beating for `staleSeconds` (and not in `mine`) go back to the queue. */
  async requeueStale(tx: Tx, staleSeconds: number, mine: string[]): Promise<void> {
    await tx.query(
      `UPDATE imports SET state = 'queued', run_token = NULL, updated_at = now()
        WHERE state = 'running' AND heartbeat_at < now() - make_interval(secs => $1) AND NOT (id = ANY($2::uuid[]))`,
      [staleSeconds, mine],
    );
  }

  async queuedIds(tx: Tx): Promise<string[]> {
    const queued = await tx.query<{ id: string }[]>(`SELECT id FROM imports WHERE state = 'queued' ORDER BY created_at`);
    return queued.map((q) => q.id);
  }

  async insert(tx: Tx, row: { id: string; organisationId: string; createdBy: string | null; filename: string | null; bytes: number; rowsTotal: number }): Promise<void> {
    await tx.query(`INSERT INTO imports (id, organisation_id, created_by, state, filename, bytes, rows_total) VALUES ($1, $2, $3, 'queued', $4, $5, $6)`, [
      row.id,
      row.organisationId,
      row.createdBy,
      row.filename,
      row.bytes,
      row.rowsTotal,
    ]);
  }

  async insertChunk(tx: Tx, importId: string, seq: number, data: Buffer): Promise<void> {
    await tx.query('INSERT INTO import_chunks (import_id, seq, data) VALUES ($1, $2, $3)', [importId, seq, data]);
  }

  /** One piece of the stored file, or null past its end. */
  async chunk(tx: Tx, importId: string, seq: number): Promise<Buffer | null> {
    const [row] = await tx.query<{ data: Buffer }[]>('SELECT data FROM import_chunks WHERE import_id = $1 AND seq = $2', [importId, seq]);
    return row?.data ?? null;
  }

  /** Back to the queue when it failed, or when its runner died; only while its file is stored. False when it may not be retried. */
  async requeueForRetry(tx: Tx, id: string, staleSeconds: number): Promise<boolean> {
    const [row] = await returningRows<{ id: string }>(
      tx,
      `UPDATE imports SET state = 'queued', run_token = NULL, failure = NULL, updated_at = now()
        WHERE id = $1 AND (state = 'failed' OR (state = 'running' AND heartbeat_at < now() - make_interval(secs => $2)))
          AND EXISTS (SELECT 1 FROM import_chunks WHERE import_id = $1)
        RETURNING id`,
      [id, staleSeconds],
    );
    return !!row;
  }

  /** Claiming is one conditional update: of several processes, one wins (null for the others). */
  async claim(tx: Tx, id: string, token: string): Promise<ClaimedImport | null> {
    const [job] = await returningRows<ClaimedImport>(
      tx,
      `UPDATE imports SET state = 'running', run_token = $2, heartbeat_at = now(), started_at = coalesce(started_at, now()),
              attempts = attempts + 1, failure = NULL, updated_at = now()
        WHERE id = $1 AND state = 'queued'
        RETURNING organisation_id, processed_line, jsonb_array_length(errors) AS stored_errors`,
      [id, token],
    );
    return job ?? null;
  }

  /** Beats the run's heartbeat; the line processed so far, or null when another run owns the import. */
  async heartbeat(tx: Tx, id: string, token: string): Promise<number | null> {
    const [owned] = await returningRows<{ processed_line: number }>(tx, `UPDATE imports SET heartbeat_at = now() WHERE id = $1 AND run_token = $2 AND state = 'running' RETURNING processed_line`, [
      id,
      token,
    ]);
    return owned ? owned.processed_line : null;
  }

  /** One batch's counters, rejected rows and resume point. */
  async advance(tx: Tx, id: string, token: string, b: { read: number; created: number; updated: number; failed: number; errors: ImportRowError[]; lastLine: number }): Promise<void> {
    await tx.query(
      `UPDATE imports SET rows_read = rows_read + $3, rows_created = rows_created + $4, rows_updated = rows_updated + $5,
              rows_failed = rows_failed + $6, errors = errors || $7::jsonb, processed_line = $8, updated_at = now()
        WHERE id = $1 AND run_token = $2`,
      [id, token, b.read, b.created, b.updated, b.failed, JSON.stringify(b.errors), b.lastLine],
    );
  }

  /** The run completes the import; null when another run owns it. */
  async complete(tx: Tx, id: string, token: string): Promise<CompletedCounts | null> {
    const [done] = await returningRows<CompletedCounts>(
      tx,
      `UPDATE imports SET state = 'completed', run_token = NULL, finished_at = now(), updated_at = now()
        WHERE id = $1 AND run_token = $2 RETURNING rows_read, rows_created, rows_updated, rows_failed`,
      [id, token],
    );
    return done ?? null;
  }

  /** The run fails the import; false when another run owns it. */
  async fail(tx: Tx, id: string, token: string, failure: string): Promise<boolean> {
    const [failed] = await returningRows<{ id: string }>(
      tx,
      `UPDATE imports SET state = 'failed', failure = $3, run_token = NULL, finished_at = now(), updated_at = now() WHERE id = $1 AND run_token = $2 RETURNING id`,
      [id, token, failure],
    );
    return !!failed;
  }

  /** The run hands the import back (shutdown): queued again. */
  async handBack(tx: Tx, id: string, token: string): Promise<void> {
    await tx.query(`UPDATE imports SET state = 'queued', run_token = NULL, updated_at = now() WHERE id = $1 AND run_token = $2`, [id, token]);
  }

  async deleteChunks(tx: Tx, importId: string): Promise<void> {
    await tx.query('DELETE FROM import_chunks WHERE import_id = $1', [importId]);
  }

  async rowsCreated(tx: Tx, id: string): Promise<number> {
    const [row] = await tx.query<{ n: number }[]>('SELECT rows_created AS n FROM imports WHERE id = $1', [id]);
    return row?.n ?? 0;
  }

  /** Fresh planner statistics after a bulk load. */
  async analyze(tx: Tx): Promise<void> {
    await tx.query('ANALYZE members, memberships');
  }

  /**
   * Erasure: the stored files of failed imports (which may contain the
   * person) are discarded — those of imports into organisations of the data
   * controller `controllerId`, or of every import when it is null (the
   * person erasing themselves everywhere). Another controller's files are
   * none of this erasure's business.
   */
  async discardFailedFiles(tx: Tx, controllerId: string | null): Promise<void> {
    await tx.query(
      `WITH failed AS (SELECT id FROM imports WHERE state = 'failed' AND EXISTS (SELECT 1 FROM import_chunks c WHERE c.import_id = imports.id)
                         AND ($1::uuid IS NULL OR organisation_root(imports.organisation_id) = $1::uuid))
       , gone AS (DELETE FROM import_chunks WHERE import_id IN (SELECT id FROM failed) RETURNING import_id)
       UPDATE imports SET failure = coalesce(failure || ' ', '') || 'Its stored file was discarded by an erasure: upload the file again.', updated_at = now()
        WHERE id IN (SELECT id FROM failed)`,
      [controllerId],
    );
  }

  /**
   * The set-based upsert of one batch, in one statement:
   * 1. people with an e-mail are inserted, or matched case-insensitively to the
   *    record with that e-mail in the organisation's data controller (whose
   *    empty fields are completed; nothing is overwritten, a sibling
   *    organisation may rely on it) — records of other controllers are never
   *    matched; people without an e-mail are always new;
   * 2. their memberships in the organisation are inserted (`created`) or, when
   *    present, refreshed (`updated`: title, joinedOn, duesPaidUntil when given;
   *    the status of an existing membership only changes through its workflow).
   * Rows are sorted by e-mail so that concurrent imports lock people in the
   * same order.
   */
  async upsertBatch(tx: Tx, organisationId: string, rows: ImportRow[]): Promise<{ created: number; updated: number }> {
    const sorted = [...rows].sort((a, b) => (a.email ?? '\uffff').toLowerCase().localeCompare((b.email ?? '\uffff').toLowerCase()));
    const col = <T>(pick: (r: ImportRow) => T) => sorted.map(pick);
    const result = await tx.query<{ inserted: boolean }[]>(
      `WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::date[], $13::date[])
           AS t(candidate_id, email, given_name, family_name, phone, region, locality, languages, preferred_language, status, title, joined_on, dues_paid_until)
       ),
       people AS (
         INSERT INTO members AS m (id, controller_id, given_name, family_name, email, phone, region, locality, languages, preferred_language)
         SELECT candidate_id, c.root, given_name, family_name, email::citext, phone, region, locality,
                coalesce(string_to_array(languages, ','), '{}'), coalesce(preferred_language, 'es')
           FROM input CROSS JOIN (SELECT organisation_root($14::uuid) AS root) c
         ON CONFLICT (controller_id, email) DO UPDATE SET
                phone = coalesce(m.phone, excluded.phone),
                region = coalesce(m.region, excluded.region),
                locality = coalesce(m.locality, excluded.locality),
                languages = CASE WHEN cardinality(m.languages) = 0 THEN excluded.languages ELSE m.languages END,
                updated_at = CASE WHEN (m.phone IS NULL AND excluded.phone IS NOT NULL) OR (m.region IS NULL AND excluded.region IS NOT NULL)
                                    OR (m.locality IS NULL AND excluded.locality IS NOT NULL) OR (cardinality(m.languages) = 0 AND cardinality(excluded.languages) > 0)
                                  THEN now() ELSE m.updated_at END
         RETURNING m.id, m.email
       ),
       resolved AS (
         SELECT p.id AS member_id, i.status, i.title, i.joined_on, i.dues_paid_until FROM input i JOIN people p ON p.email = i.email::citext
         UNION ALL
         SELECT i.candidate_id, i.status, i.title, i.joined_on, i.dues_paid_until FROM input i WHERE i.email IS NULL
       )
       INSERT INTO memberships AS ms (member_id, organisation_id, status, title, joined_on, dues_paid_until, source)
       SELECT member_id, $14, status, title, joined_on, dues_paid_until, 'import' FROM resolved
       ON CONFLICT (member_id, organisation_id) DO UPDATE SET
              title = coalesce(excluded.title, ms.title),
              joined_on = CASE WHEN excluded.joined_on IS NULL OR (ms.ended_on IS NOT NULL AND excluded.joined_on > ms.ended_on) THEN ms.joined_on ELSE excluded.joined_on END,
              dues_paid_until = coalesce(excluded.dues_paid_until, ms.dues_paid_until),
              updated_at = now()
       RETURNING (xmax = 0) AS inserted`,
      [
        sorted.map(() => randomUUID()),
        col((r) => r.email),
        col((r) => r.givenName),
        col((r) => r.familyName),
        col((r) => r.phone),
        col((r) => r.region),
        col((r) => r.locality),
        col((r) => r.languages),
        col((r) => r.preferredLanguage),
        col((r) => r.status),
        col((r) => r.title),
        col((r) => r.joinedOn),
        col((r) => r.duesPaidUntil),
        organisationId,
      ],
    );
    const created = result.filter((r) => r.inserted).length;
    return { created, updated: result.length - created };
  }
}
