import { Injectable } from '@nestjs/common';

import type { OrganisationScope } from '../access/access.service';
import { returningRows } from '../common/sql';
import type { Tx } from '../database/transactions';
import { MemberConsent, type ConsentSource } from './member-consent.entity';
import { ERASED_NAME, Member, type PreferredLanguage } from './member.entity';

/** The person-level fields of a new record. */
export interface NewPerson {
  givenName: string;
  familyName: string;
  email: string | null;
  phone: string | null;
  region: string | null;
  locality: string | null;
  languages: string[];
  preferredLanguage: PreferredLanguage;
}

/** A consent to record. */
export interface NewConsent {
  memberId: string;
  organisationId: string | null;
  noticeVersion: string;
  dataProcessing: boolean;
  contactByEmail: boolean;
  contactBySms: boolean;
  contactByWhatsapp: boolean;
  source: ConsentSource;
}

/** The tables `members` and `member_consents`. */
@Injectable()
export class MembersRepository {
  /** With `lock`, the row is locked (FOR UPDATE) until the transaction ends. */
  findById(tx: Tx, id: string, lock = false): Promise<Member | null> {
    return tx.findOne(Member, { where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  /** Whether another record of this data controller holds the address (any case). */
  async emailTaken(tx: Tx, controllerId: string, email: string, exceptId: string): Promise<boolean> {
    const [taken] = await tx.query<{ id: string }[]>('SELECT id FROM members WHERE controller_id = $1 AND email = $2::citext AND id <> $3', [controllerId, email, exceptId]);
    return !!taken;
  }

  /** The record of this controller with this address (any case), locked. */
  async lockByEmail(tx: Tx, controllerId: string, email: string): Promise<Member | null> {
    const [row] = await tx.query<{ id: string }[]>('SELECT id FROM members WHERE controller_id = $1 AND email = $2::citext FOR UPDATE', [controllerId, email]);
    return row ? tx.findOneOrFail(Member, { where: { id: row.id } }) : null;
  }

  /** A new record in `controllerId`; null when one with the address was created meanwhile. */
  async insert(tx: Tx, controllerId: string, p: NewPerson): Promise<Member | null> {
    const [inserted] = await tx.query<{ id: string }[]>(
      `INSERT INTO members (controller_id, given_name, family_name, email, phone, region, locality, languages, preferred_language)
       VALUES ($9, $1, $2, $3, $4, $5, $6, $7::text[], $8)
       ON CONFLICT (controller_id, email) DO NOTHING RETURNING id`,
      [p.givenName, p.familyName, p.email, p.phone, p.region, p.locality, p.languages, p.preferredLanguage, controllerId],
    );
    return inserted ? tx.findOneOrFail(Member, { where: { id: inserted.id } }) : null;
  }

  save(tx: Tx, member: Member): Promise<Member> {
    return tx.save(Member, member);
  }

  /** The data controller of an organisation: its top-level ancestor (itself at the top). */
  async controllerOf(tx: Tx, organisationId: string): Promise<string> {
    const [row] = await tx.query<{ root: string }[]>('SELECT organisation_root($1) AS root', [organisationId]);
    return row.root;
  }

  /** Marks the address verified (a followed confirmation link). */
  async markEmailVerified(tx: Tx, id: string): Promise<void> {
    await tx.update(Member, { id }, { emailVerifiedAt: new Date() });
  }

  /** The oldest verified, unlinked, not erased record held with the address (any controller), for a registration link. */
  async firstRegistrable(tx: Tx, email: string): Promise<{ id: string; email: string; preferred_language: PreferredLanguage } | null> {
    const [record] = await tx.query<{ id: string; email: string; preferred_language: PreferredLanguage }[]>(
      `SELECT m.id, m.email, m.preferred_language FROM members m
        WHERE m.email = $1::citext AND m.email_verified_at IS NOT NULL AND m.erased_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM member_logins l WHERE l.member_id = m.id)
        ORDER BY m.created_at, m.id LIMIT 1`,
      [email],
    );
    return record ?? null;
  }

  /** Erasure: names become ERASED_NAME, contact data and languages go; the time of the erasure. */
  async erase(tx: Tx, id: string): Promise<Date> {
    const [erased] = await returningRows<{ erased_at: Date }>(
      tx,
      `UPDATE members SET given_name = $2, family_name = $2, email = NULL, phone = NULL, locality = NULL, languages = '{}',
              email_verified_at = NULL, erased_at = now(), updated_at = now()
        WHERE id = $1 RETURNING erased_at`,
      [id, ERASED_NAME],
    );
    return erased.erased_at;
  }

  // -------------------------------------------------------------- consents

  /** Consents given to organisations of `scope` (or all), newest first. */
  consents(tx: Tx, memberId: string, scope: OrganisationScope, limit?: number): Promise<MemberConsent[]> {
    const qb = tx.getRepository(MemberConsent).createQueryBuilder('c').where('c.member_id = :id', { id: memberId }).orderBy('c.recorded_at', 'DESC').addOrderBy('c.id', 'DESC');
    if (!scope.all) qb.andWhere('c.organisation_id = ANY(:orgs)', { orgs: scope.ids });
    if (limit) qb.take(limit);
    return qb.getMany();
  }

  /** Ids of the consents given to organisations of `scope` (or all). */
  async consentIds(tx: Tx, memberId: string, scope: OrganisationScope): Promise<string[]> {
    const rows = await tx.query<{ id: string }[]>(
      `SELECT id FROM member_consents WHERE member_id = $1 ${scope.all ? '' : 'AND organisation_id = ANY($2::uuid[])'}`,
      scope.all ? [memberId] : [memberId, scope.ids],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Opt-out (issue 24): per member record holding the number (any
   * controller; not erased) and per organisation its consents were given to,
   * the latest consent — only those that still allow the channel.
   */
  textConsentsToWithdraw(tx: Tx, phone: string, column: 'contact_by_sms' | 'contact_by_whatsapp'): Promise<(MemberConsent & { controllerId: string })[]> {
    return tx.query(
      `SELECT * FROM (
         SELECT DISTINCT ON (c.member_id, c.organisation_id)
                c.id, c.member_id AS "memberId", c.organisation_id AS "organisationId", c.notice_version AS "noticeVersion", c.data_processing AS "dataProcessing",
                c.contact_by_email AS "contactByEmail", c.contact_by_sms AS "contactBySms", c.contact_by_whatsapp AS "contactByWhatsapp", m.controller_id AS "controllerId"
           FROM members m JOIN member_consents c ON c.member_id = m.id
          WHERE m.phone = $1 AND m.erased_at IS NULL
          ORDER BY c.member_id, c.organisation_id, c.recorded_at DESC, c.id DESC) latest
        WHERE ${column === 'contact_by_sms' ? '"contactBySms"' : '"contactByWhatsapp"'}`,
      [phone],
    );
  }

  insertConsent(tx: Tx, consent: NewConsent): Promise<MemberConsent> {
    return tx.save(MemberConsent, tx.create(MemberConsent, consent));
  }
}
