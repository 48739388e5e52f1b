import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import type { Tx } from '../database/transactions';

/** How long an export waits for a client that has stopped reading. */
export const EXPORT_IDLE_LIMIT = '60s';

/** One membership line of the export, with its member's fields. */
export interface ExportRow {
  id: string;
  given_name: string;
  family_name: string;
  email: string | null;
  phone: string | null;
  region: string | null;
  locality: string | null;
  languages: string[];
  preferred_language: string;
  slug: string;
  status: string;
  title: string | null;
  joined_on: string | null;
  ended_on: string | null;
  dues_paid_until: string | null;
}

/**
 * The member list export: one server-side cursor in a read-only REPEATABLE
 * READ transaction of its own connection, so the file is one consistent
 * snapshot, PostgreSQL plans the whole join once (as `COPY` would:
 * cursor_tuple_fraction = 1), and at most one batch of rows is in memory.
 * A client that stops reading for longer than EXPORT_IDLE_LIMIT has its
 * export ended (idle_in_transaction_session_timeout) rather than holding the
 * connection and the snapshot.
 */
@Injectable()
export class MemberExportRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** How many memberships `organisationIds` hold: the lines of their export. */
  async count(tx: Tx, organisationIds: string[]): Promise<number> {
    const [{ total }] = await tx.query<{ total: number }[]>('SELECT count(*)::int AS total FROM memberships WHERE organisation_id = ANY($1::uuid[])', [organisationIds]);
    return total;
  }

  /** Every membership of `organisationIds` with its member, in directory order, `batch` rows at a time. */
  async *batches(organisationIds: string[], batch: number): AsyncGenerator<ExportRow[]> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    let committed = false;
    try {
      await runner.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await runner.query(`SET LOCAL cursor_tuple_fraction = 1.0`);
      await runner.query(`SET LOCAL idle_in_transaction_session_timeout = '${EXPORT_IDLE_LIMIT}'`);
      await runner.query(
        `DECLARE member_export NO SCROLL CURSOR FOR
         SELECT m.id, m.given_name, m.family_name, m.email, m.phone, m.region, m.locality, m.languages, m.preferred_language,
                o.slug, ms.status, ms.title, ms.joined_on::text, ms.ended_on::text, ms.dues_paid_until::text
           FROM memberships ms
           JOIN members m ON m.id = ms.member_id
           JOIN organisations o ON o.id = ms.organisation_id
          WHERE ms.organisation_id = ANY($1::uuid[])
          ORDER BY m.family_name, m.given_name, m.id, o.slug`,
        [organisationIds],
      );
      for (;;) {
        const rows = (await runner.query(`FETCH ${batch} FROM member_export`)) as ExportRow[];
        if (rows.length === 0) break;
        yield rows;
        if (rows.length < batch) break;
      }
      await runner.query('COMMIT');
      committed = true;
    } finally {
      // Ended early (the client went away) or failed: close the transaction before the connection goes back.
      if (!committed) await runner.query('ROLLBACK').catch(() => undefined);
      await runner.release();
    }
  }
}
