import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';

import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import { csvCell, csvLine } from '../common/csv';
import { forbidden } from '../common/problem';
import { Transactions } from '../database/transactions';
import { DomainEvents } from '../domain-events/domain-events';
import type { Organisation } from '../organisations/organisation.entity';
import { OrganisationsService } from '../organisations/organisations.service';
import { EXPORT_COLUMNS } from './member-csv';
import { MemberExportRepository, type ExportRow } from './member-export.repository';

/** Rows fetched from the cursor at a time while streaming an export; one batch (plus one queued) is in memory. */
export const EXPORT_BATCH = 5000;

/**
 * GET /organisations/:id/members.csv: one line per membership of the
 * organisation and its sub-organisations, in directory order, in the import
 * format (an export can be imported again).
 *
 * Streamed from one server-side cursor (MemberExportRepository: one
 * consistent snapshot, at most one batch of rows in memory). The export
 * holds one connection while the client downloads; a client that stops
 * reading for longer than its EXPORT_IDLE_LIMIT has its export ended rather
 * than holding the connection and the snapshot.
 */
@Injectable()
export class MemberExportService {
  constructor(
    private readonly transactions: Transactions,
    private readonly access: AccessService,
    private readonly exports: MemberExportRepository,
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
    await this.changes.publish(this.transactions.auto, caller, { action: 'member.export_list', entity: 'organisation', entityId: org.id, organisationId: org.id, changes: null });
    return { filename: `members-${org.slug}-${new Date().toISOString().slice(0, 10)}.csv`, stream: Readable.from(this.lines(organisationIds), { highWaterMark: 1 }) };
  }

  /** How many memberships `organisationIds` hold: the lines of their export (an operator's progress bar). */
  count(organisationIds: string[]): Promise<number> {
    return this.exports.count(this.transactions.auto, organisationIds);
  }

  async *lines(organisationIds: string[]): AsyncGenerator<string> {
    yield csvLine([...EXPORT_COLUMNS]);
    for await (const rows of this.exports.batches(organisationIds, EXPORT_BATCH)) {
      let chunk = '';
      for (const r of rows) chunk += exportLine(r);
      yield chunk;
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
