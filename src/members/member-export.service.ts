import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import { DomainEvents } from '../domain-events/domain-events';
import { csvCell, csvLine } from '../common/csv';
import { forbidden } from '../common/problem';
import type { Organisation } from '../organisations/organisation.entity';
import { OrganisationsService } from '../organisations/organisations.service';
import { EXPORT_COLUMNS } from './member-csv';

/** Rows fetched from the cursor at a time while streaming an export; one batch (plus one queued) is in memory. */
export const EXPORT_BATCH = 5000;
/** How long an export waits for a client that has stopped reading. */
export const EXPORT_IDLE_LIMIT = '60s';

/** One membership line of the export, with its member's fields. */
interface ExportRow {
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
 * GET /organisations/:id/members.csv: one line per membership of the
 * organisation and its sub-organisations, in directory order, in the import
 * format (an export can be imported again).
 *
 * Streamed from one server-side cursor in a read-only REPEATABLE READ
 * transaction: the file is one consistent snapshot, PostgreSQL plans the
 * whole join once (as `COPY` would: cursor_tuple_fraction = 1), and at most
 * one batch of rows is in memory. The export holds one connection while the
 * client downloads; a client that stops reading for longer than
 * EXPORT_IDLE_LIMIT has its export ended (idle_in_transaction_session_timeout)
 * rather than holding the connection and the snapshot.
 */
@Injectable()
export class MemberExportService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly changes: DomainEvents,
    private readonly organisations: OrganisationsService,
  ) {}

  async open(caller: Caller, orgIdOrSlug: string): Promise<{ filename: string; stream: Readable }> {
    const org = await this.organisations.get(orgIdOrSlug);
    if (!(await this.access.canOnOrganisation(caller, 'member.export', org.id))) throw forbidden('Exporting member lists is for the organisation’s admins.');
    return this.openFor(caller, org);
  }

  /** The export of `org` (with its sub-organisations), for a caller already allowed to take it (the route, or an operator at the command line). */
  async openFor(caller: Caller, org: Organisation): Promise<{ filename: string; stream: Readable }> {
    const organisationIds = await this.access.descendants([org.id]);
    // Who downloaded which list is worth knowing: an export is audited like a change.
    await this.changes.publish(this.db.manager, caller, { action: 'member.export_list', entity: 'organisation', entityId: org.id, organisationId: org.id, changes: null });
    return { filename: `members-${org.slug}-${new Date().toISOString().slice(0, 10)}.csv`, stream: Readable.from(this.lines(organisationIds), { highWaterMark: 1 }) };
  }

  async *lines(organisationIds: string[]): AsyncGenerator<string> {
    yield csvLine([...EXPORT_COLUMNS]);
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
        const rows = (await runner.query(`FETCH ${EXPORT_BATCH} FROM member_export`)) as ExportRow[];
        if (rows.length === 0) break;
        let chunk = '';
        for (const r of rows) chunk += exportLine(r);
        yield chunk;
        if (rows.length < EXPORT_BATCH) break;
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

function exportLine(r: ExportRow): string {
  return csvLine([
    csvCell(r.given_name),
    csvCell(r.family_name),
    csvCell(r.email),
    csvCell(r.phone),
    csvCell(r.region),
    csvCell(r.locality),
    csvCell(r.languages.join(' ')),
    csvCell(r.preferred_language),
    csvCell(r.status),
    csvCell(r.title),
    csvCell(r.joined_on),
    csvCell(r.dues_paid_until),
    csvCell(r.slug),
    csvCell(r.id),
    csvCell(r.ended_on),
  ]);
}
