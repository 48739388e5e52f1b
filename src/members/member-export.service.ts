import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import { AuditService } from '../audit/audit.service';
import { csvCell, csvLine } from '../common/csv';
import { forbidden } from '../common/problem';
import { OrganisationsService } from '../organisations/organisations.service';
import { EXPORT_COLUMNS } from './member-csv';

/** Members fetched per keyset query while streaming an export. */
export const EXPORT_BATCH = 5000;

interface ExportMember {
  id: string;
  given_name: string;
  family_name: string;
  email: string | null;
  phone: string | null;
  region: string | null;
  locality: string | null;
  languages: string[];
  preferred_language: string;
}
interface ExportMembership {
  member_id: string;
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
 * format (an export can be imported again). Streamed in keyset batches: at
 * most one batch is in memory, and no database connection is held while the
 * client reads (each batch is its own query, so a very long download may see
 * changes made while it runs).
 */
@Injectable()
export class MemberExportService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly organisations: OrganisationsService,
  ) {}

  async open(caller: Caller, orgIdOrSlug: string): Promise<{ filename: string; stream: Readable }> {
    const org = await this.organisations.get(orgIdOrSlug);
    if (!(await this.access.canOnOrganisation(caller, 'member.export', org.id))) throw forbidden('Exporting member lists is for the organisation’s admins.');
    const organisationIds = await this.access.descendants([org.id]);
    // Who downloaded which list is worth knowing: an export is audited like a change.
    await this.audit.record(this.db.manager, caller, { action: 'member.export_list', entity: 'organisation', entityId: org.id, organisationId: org.id, changes: null });
    return { filename: `members-${org.slug}-${new Date().toISOString().slice(0, 10)}.csv`, stream: Readable.from(this.lines(organisationIds)) };
  }

  async *lines(organisationIds: string[]): AsyncGenerator<string> {
    yield csvLine([...EXPORT_COLUMNS]);
    let after: [string, string, string] | null = null;
    for (;;) {
      const params: unknown[] = [organisationIds, EXPORT_BATCH];
      if (after) params.push(...after);
      const members: ExportMember[] = await this.db.query<ExportMember[]>(
        `SELECT m.id, m.given_name, m.family_name, m.email, m.phone, m.region, m.locality, m.languages, m.preferred_language
           FROM members m
          WHERE EXISTS (SELECT 1 FROM memberships ms WHERE ms.member_id = m.id AND ms.organisation_id = ANY($1::uuid[]))
            ${after ? 'AND (m.family_name, m.given_name, m.id) > ($3, $4, $5::uuid)' : ''}
          ORDER BY m.family_name, m.given_name, m.id
          LIMIT $2`,
        params,
      );
      if (members.length === 0) return;
      const memberships = await this.db.query<ExportMembership[]>(
        `SELECT ms.member_id, o.slug, ms.status, ms.title, ms.joined_on::text, ms.ended_on::text, ms.dues_paid_until::text
           FROM memberships ms JOIN organisations o ON o.id = ms.organisation_id
          WHERE ms.member_id = ANY($1::uuid[]) AND ms.organisation_id = ANY($2::uuid[])
          ORDER BY ms.member_id, o.slug`,
        [members.map((m) => m.id), organisationIds],
      );
      const byMember = new Map<string, ExportMembership[]>();
      for (const ms of memberships) {
        const list = byMember.get(ms.member_id) ?? [];
        list.push(ms);
        byMember.set(ms.member_id, list);
      }
      let chunk = '';
      for (const m of members) {
        for (const ms of byMember.get(m.id) ?? []) {
          chunk += csvLine([
            csvCell(m.given_name),
            csvCell(m.family_name),
            csvCell(m.email, true),
            csvCell(m.phone, true),
            csvCell(m.region),
            csvCell(m.locality),
            csvCell(m.languages.join(' '), true),
            csvCell(m.preferred_language, true),
            csvCell(ms.status, true),
            csvCell(ms.title),
            csvCell(ms.joined_on, true),
            csvCell(ms.dues_paid_until, true),
            csvCell(ms.slug, true),
            csvCell(m.id, true),
            csvCell(ms.ended_on, true),
          ]);
        }
      }
      yield chunk;
      if (members.length < EXPORT_BATCH) return;
      const last: ExportMember = members[members.length - 1];
      after = [last.family_name, last.given_name, last.id];
    }
  }
}
