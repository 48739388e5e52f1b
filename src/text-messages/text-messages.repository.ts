import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import type { Tx } from '../database/transactions';
import type { TextChannel } from '../outbox/outbox-message.entity';

/** The last question asked of a number on a channel, with what a reply needs of its signup and event. */
export interface QuestionRow {
  signup_id: string;
  locale: string;
  asked_at: Date;
  status: string;
  event_id: string;
  title: string;
  starts_at: Date;
  host_organisation_id: string | null;
}

/** The month a segment is counted in: the calendar month in UTC, as its first day. */
const MONTH = `date_trunc('month', now() AT TIME ZONE 'UTC')::date`;

/** The tables text_opt_outs, text_questions and text_segment_usage (issue 24). Numbers only as their sha256 (`phoneHash`). */
@Injectable()
export class TextMessagesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async isOptedOut(tx: Tx, phoneHash: string, channel: TextChannel): Promise<boolean> {
    const rows = await tx.query<unknown[]>('SELECT 1 FROM text_opt_outs WHERE phone_hash = $1 AND channel = $2', [phoneHash, channel]);
    return rows.length > 0;
  }

  /** Records an opt-out; false when the number had already opted out on the channel. */
  async optOut(tx: Tx, phoneHash: string, channel: TextChannel): Promise<{ at: Date } | null> {
    const [row] = await tx.query<{ created_at: Date }[]>(`INSERT INTO text_opt_outs (phone_hash, channel) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING created_at`, [phoneHash, channel]);
    if (!row) return null;
    await tx.query('DELETE FROM text_questions WHERE phone_hash = $1 AND channel = $2', [phoneHash, channel]);
    return { at: row.created_at };
  }

  /** The question just sent to the number on the channel: a reply acts on this signup and no other. */
  async recordQuestion(tx: Tx, q: { phoneHash: string; channel: TextChannel; signupId: string; locale: string }): Promise<void> {
    await tx.query(
      `INSERT INTO text_questions (phone_hash, channel, signup_id, locale, asked_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (phone_hash, channel) DO UPDATE SET signup_id = excluded.signup_id, locale = excluded.locale, asked_at = excluded.asked_at`,
      [q.phoneHash, q.channel, q.signupId, q.locale],
    );
  }

  /** The last question asked of the number on the channel, its signup locked (FOR UPDATE) until `tx` ends; null when there is none. */
  async question(tx: Tx, phoneHash: string, channel: TextChannel): Promise<QuestionRow | null> {
    const [row] = await tx.query<QuestionRow[]>(
      `SELECT q.signup_id, q.locale, q.asked_at, s.status, e.id AS event_id, e.title, e.starts_at, e.host_organisation_id
         FROM text_questions q JOIN event_signups s ON s.id = q.signup_id JOIN events e ON e.id = s.event_id
        WHERE q.phone_hash = $1 AND q.channel = $2`,
      [phoneHash, channel],
    );
    return row ?? null;
  }

  /** The language of the last question to the number on any channel (replies answer in it); Spanish without one. */
  async localeOf(tx: Tx, phoneHash: string): Promise<string> {
    const [row] = await tx.query<{ locale: string }[]>('SELECT locale FROM text_questions WHERE phone_hash = $1 ORDER BY asked_at DESC LIMIT 1', [phoneHash]);
    return row?.locale ?? 'es';
  }

  /**
   * Takes `segments` of the organisation's budget for this month, or
   * nothing when they would go past it: one conditional upsert, committed at
   * once (not in the sender's transaction: the row is not held locked while
   * the provider answers), so any number of workers never spend past the
   * budget. Returns the month taken from (for `release`), or null.
   */
  async reserve(organisationId: string, segments: number, defaultBudget: number): Promise<string | null> {
    const budget = `(SELECT coalesce(o.text_monthly_segments, $3) FROM organisations o WHERE o.id = $1)`;
    const [row] = await this.db.query<{ month: string }[]>(
      `INSERT INTO text_segment_usage AS u (organisation_id, month, segments)
       SELECT $1, ${MONTH}, $2 WHERE $2 <= ${budget}
       ON CONFLICT (organisation_id, month) DO UPDATE SET segments = u.segments + excluded.segments
        WHERE u.segments + excluded.segments <= ${budget}
       RETURNING month::text`,
      [organisationId, segments, defaultBudget],
    );
    return row?.month ?? null;
  }

  /** Gives back segments taken for a text the provider did not accept. */
  async release(organisationId: string, month: string, segments: number): Promise<void> {
    await this.db.query('UPDATE text_segment_usage SET segments = greatest(segments - $3, 0) WHERE organisation_id = $1 AND month = $2::date', [organisationId, month, segments]);
  }

  /** Segments used this month and the budget, for the organisation. */
  async usage(organisationId: string, defaultBudget: number): Promise<{ used: number; budget: number; month: string }> {
    const [row] = await this.db.query<{ used: number; budget: number; month: string }[]>(
      `SELECT coalesce((SELECT segments FROM text_segment_usage WHERE organisation_id = o.id AND month = ${MONTH}), 0)::int AS used,
              coalesce(o.text_monthly_segments, $2)::int AS budget, to_char(${MONTH}, 'YYYY-MM') AS month
         FROM organisations o WHERE o.id = $1`,
      [organisationId, defaultBudget],
    );
    return row;
  }
}
