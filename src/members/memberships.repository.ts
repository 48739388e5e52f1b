import { Injectable } from '@nestjs/common';

import { returningRows, SqlParams } from '../common/sql';
import type { Tx } from '../database/transactions';
import { Membership, type MembershipSource, type MembershipStatus } from './membership.entity';

/** One line of an organisation's membership list: the membership and its member's directory fields. */
export interface OrganisationMembershipRow {
  id: string;
  member_id: string;
  organisation_id: string;
  status: MembershipStatus;
  title: string | null;
  joined_on: string | null;
  ended_on: string | null;
  source: MembershipSource;
  dues_paid_until: string | null;
  created_at: Date;
  updated_at: Date;
  given_name: string;
  family_name: string;
  region: string | null;
  email: string | null;
  phone: string | null;
  erased_at: Date | null;
}

export interface NewMembership {
  status: MembershipStatus;
  title: string | null;
  joinedOn: string | null;
  duesPaidUntil: string | null;
  source: MembershipSource;
}

/** A membership an erasure ended (or left ended), with its status before. */
export interface ErasedMembershipRow {
  id: string;
  organisation_id: string;
  before: MembershipStatus;
  status: MembershipStatus;
  ended_on: string;
}

/** The table `memberships`. */
@Injectable()
export class MembershipsRepository {
  /** Every membership of the person, oldest first. */
  ofMember(tx: Tx, memberId: string): Promise<Membership[]> {
    return tx.find(Membership, { where: { memberId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** For each existing member of `memberIds`: the organisations of their memberships, oldest first. */
  async organisationsOf(tx: Tx, memberIds: readonly string[]): Promise<{ id: string; organisation_ids: string[] }[]> {
    return tx.query<{ id: string; organisation_ids: string[] }[]>(
      `SELECT m.id, coalesce(array_agg(ms.organisation_id ORDER BY ms.created_at, ms.id) FILTER (WHERE ms.id IS NOT NULL), '{}') AS organisation_ids
         FROM members m LEFT JOIN memberships ms ON ms.member_id = m.id
        WHERE m.id = ANY($1::uuid[])
        GROUP BY m.id`,
      [memberIds],
    );
  }

  /** One organisation's memberships (not its sub-organisations'), in directory order, after the keyset `after`. */
  ofOrganisation(tx: Tx, organisationId: string, f: { status?: MembershipStatus; after: [string, string, string] | null; rows: number }): Promise<OrganisationMembershipRow[]> {
    const p = new SqlParams();
    const where = [`ms.organisation_id = ${p.add(organisationId)}`];
    if (f.status) where.push(`ms.status = ${p.add(f.status)}`);
    if (f.after) where.push(`(m.family_name, m.given_name, m.id) > (${p.add(f.after[0])}, ${p.add(f.after[1])}, ${p.add(f.after[2])}::uuid)`);
    return tx.query<OrganisationMembershipRow[]>(
      `SELECT ms.id, ms.member_id, ms.organisation_id, ms.status, ms.title, ms.joined_on::text, ms.ended_on::text, ms.source, ms.dues_paid_until::text, ms.created_at, ms.updated_at,
              m.given_name, m.family_name, m.region, m.email, m.phone, m.erased_at
         FROM memberships ms JOIN members m ON m.id = ms.member_id
        WHERE ${where.join(' AND ')}
        ORDER BY m.family_name, m.given_name, m.id
        LIMIT ${p.add(f.rows)}`,
      p.values,
    );
  }

  /** A new membership; null when the person already has one in that organisation. */
  async insert(tx: Tx, memberId: string, organisationId: string, m: NewMembership): Promise<Membership | null> {
    const [row] = await tx.query<{ id: string }[]>(
      `INSERT INTO memberships (member_id, organisation_id, status, title, joined_on, dues_paid_until, source)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (member_id, organisation_id) DO NOTHING RETURNING id`,
      [memberId, organisationId, m.status, m.title, m.joinedOn, m.duesPaidUntil, m.source],
    );
    return row ? tx.findOneOrFail(Membership, { where: { id: row.id } }) : null;
  }

  /** With `lock`, the row is locked (FOR UPDATE) until the transaction ends. */
  findById(tx: Tx, id: string, lock = false): Promise<Membership | null> {
    return tx.findOne(Membership, { where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  save(tx: Tx, membership: Membership): Promise<Membership> {
    return tx.save(Membership, membership);
  }

  /**
   * Erasure: every membership of the person ends (as `resigned`, unless its
   * status is one of `kept`), on `today` or when it began, and loses its
   * title. The rows stay: counts and statistics still include the person.
   */
  endForErasure(tx: Tx, memberId: string, kept: readonly MembershipStatus[], today: string): Promise<ErasedMembershipRow[]> {
    return returningRows<ErasedMembershipRow>(
      tx,
      `UPDATE memberships ms SET
          status = CASE WHEN ms.status = ANY($2::text[]) THEN ms.status ELSE 'resigned' END,
          ended_on = coalesce(ms.ended_on, greatest($3::date, ms.joined_on)),
          title = NULL,
          updated_at = now()
        FROM memberships old
       WHERE old.id = ms.id AND ms.member_id = $1
       RETURNING ms.id, ms.organisation_id, old.status AS before, ms.status, ms.ended_on::text`,
      [memberId, kept, today],
    );
  }
}
