import { Injectable } from '@nestjs/common';

import type { OrganisationScope } from '../access/access.service';
import type { Tx } from '../database/transactions';

/** An audit entry as a person's data export shows it: the names of the fields that changed, never their values. */
export interface AuditSummaryRow {
  at: Date;
  action: string;
  entity: string;
  entity_id: string | null;
  organisation_id: string | null;
  fields: string[] | null;
}

/**
 * Reads for people's data exports: the audit entries about a person (a read
 * of the audit module's `audit_log`, one query for one purpose).
 */
@Injectable()
export class MemberRightsRepository {
  /** Entries about the record, its memberships and consents; in `scope`'s organisations unless it is all. */
  auditAbout(tx: Tx, memberId: string, membershipIds: string[], consentIds: string[], scope: OrganisationScope): Promise<AuditSummaryRow[]> {
    return tx.query<AuditSummaryRow[]>(
      `SELECT at, action, entity, entity_id, organisation_id, (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(coalesce(changes, '{}'::jsonb)) k) AS fields
         FROM audit_log
        WHERE ((entity = 'member' AND entity_id = $1)
            OR (entity = 'membership' AND entity_id = ANY($2::text[]))
            OR (entity = 'member_consent' AND entity_id = ANY($3::text[])))
          ${scope.all ? '' : 'AND organisation_id = ANY($4::uuid[])'}
        ORDER BY id`,
      scope.all ? [memberId, membershipIds, consentIds] : [memberId, membershipIds, consentIds, scope.ids],
    );
  }

  /** Entries about a login. */
  auditAboutLogin(tx: Tx, userId: string): Promise<AuditSummaryRow[]> {
    return tx.query<AuditSummaryRow[]>(
      `SELECT at, action, entity, entity_id, organisation_id, (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(coalesce(changes, '{}'::jsonb)) k) AS fields
         FROM audit_log WHERE entity = 'user' AND entity_id = $1 ORDER BY id`,
      [userId],
    );
  }
}
