import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import { returningRows } from '../common/sql';
import type { Tx } from '../database/transactions';

export interface DoorLinkRow {
  id: string;
  event_id: string;
  label: string;
  created_by: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

const COLUMNS = 'id, event_id, label, created_by, created_at, revoked_at';

/** The event_door_links table. The secret is never here: only its sha256. */
@Injectable()
export class DoorLinksRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async create(tx: Tx, link: { eventId: string; label: string; secretHash: string; createdBy: string | null }): Promise<DoorLinkRow> {
    const [row] = await tx.query<DoorLinkRow[]>(`INSERT INTO event_door_links (event_id, label, secret_hash, created_by) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`, [
      link.eventId,
      link.label,
      link.secretHash,
      link.createdBy,
    ]);
    return row;
  }

  /** The event's links, newest first. */
  list(tx: Tx, eventId: string): Promise<DoorLinkRow[]> {
    return tx.query<DoorLinkRow[]>(`SELECT ${COLUMNS} FROM event_door_links WHERE event_id = $1 ORDER BY created_at DESC, id`, [eventId]);
  }

  /** Revokes a link of the event (a second time changes nothing); null when the event has no such link. */
  async revoke(tx: Tx, eventId: string, linkId: string, by: string | null): Promise<{ row: DoorLinkRow; changed: boolean } | null> {
    const [changed] = await returningRows<DoorLinkRow>(
      tx,
      `UPDATE event_door_links SET revoked_at = now(), revoked_by = $3 WHERE id = $1 AND event_id = $2 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
      [linkId, eventId, by],
    );
    if (changed) return { row: changed, changed: true };
    const [row] = await tx.query<DoorLinkRow[]>(`SELECT ${COLUMNS} FROM event_door_links WHERE id = $1 AND event_id = $2`, [linkId, eventId]);
    return row ? { row, changed: false } : null;
  }

  /** The live (not revoked) link behind a secret's hash: read on every request made with it, so a revocation holds at once. */
  async live(secretHash: string): Promise<DoorLinkRow | null> {
    const [row] = await this.db.query<DoorLinkRow[]>(`SELECT ${COLUMNS} FROM event_door_links WHERE secret_hash = $1 AND revoked_at IS NULL`, [secretHash]);
    return row ?? null;
  }
}
