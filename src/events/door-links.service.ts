import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';

import type { Caller } from '../access/caller';
import type { DoorLinkCredential } from '../access/door-link';
import { sha256Hex } from '../common/hash';
import { notFound, unauthorized } from '../common/problem';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Transactions } from '../database/transactions';
import { DomainEvents } from '../domain-events/domain-events';
import { assertDoorOpen, checkInClosesAt } from './check-ins.service';
import type { DoorLinkCreated, DoorLinkView } from './check-ins.views';
import { DoorLinksRepository, type DoorLinkRow } from './door-links.repository';
import { EventAccess } from './event.access';
import type { Event } from './event.entity';

/**
 * Door links (issue 21): made, listed and revoked by the event's managers;
 * used by volunteers with no account to read the manifest and post
 * check-ins of that one event (DoorLinkGuard), until the event's end plus
 * CHECKIN_MANIFEST_HOURS or until revoked — checked on every request, so a
 * revocation holds at once.
 */
@Injectable()
export class DoorLinksService {
  constructor(
    private readonly repo: DoorLinksRepository,
    private readonly transactions: Transactions,
    private readonly eventAccess: EventAccess,
    private readonly changes: DomainEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private managed(caller: Caller, eventId: string): Promise<Event> {
    return this.eventAccess.require(this.transactions.auto, caller, eventId, 'manage', 'Only the organisers of this event may manage its door links.');
  }

  private view(event: Event, row: DoorLinkRow): DoorLinkView {
    return {
      id: row.id,
      label: row.label,
      expiresAt: checkInClosesAt(event, this.config.checkinManifestHours).toISOString(),
      createdBy: row.created_by,
      createdAt: row.created_at,
      revokedAt: row.revoked_at,
    };
  }

  /** A new link; its secret is in this answer and nowhere else (only its hash is kept). */
  async create(caller: Caller, eventId: string, label: string): Promise<DoorLinkCreated> {
    const event = await this.managed(caller, eventId);
    assertDoorOpen(event, this.config.checkinManifestHours);
    const secret = randomBytes(32).toString('base64url');
    return this.transactions.run(async (tx) => {
      const row = await this.repo.create(tx, { eventId, label: label.trim(), secretHash: sha256Hex(secret), createdBy: caller.user?.id ?? null });
      await this.changes.publish(tx, caller, {
        action: 'door_link.create',
        entity: 'event_door_link',
        entityId: row.id,
        organisationId: event.hostOrganisationId,
        coalitionId: event.coalitionId,
        changes: { eventId: { from: null, to: eventId }, label: { from: null, to: row.label } },
      });
      return { ...this.view(event, row), secret, url: `${this.config.publicUrl}/checkin/${eventId}#door=${secret}` };
    });
  }

  async list(caller: Caller, eventId: string): Promise<DoorLinkView[]> {
    const event = await this.managed(caller, eventId);
    return (await this.repo.list(this.transactions.auto, eventId)).map((row) => this.view(event, row));
  }

  /** Revokes a link at once (idempotent); 404 for a link of another event. */
  async revoke(caller: Caller, eventId: string, linkId: string): Promise<void> {
    const event = await this.managed(caller, eventId);
    await this.transactions.run(async (tx) => {
      const done = await this.repo.revoke(tx, eventId, linkId, caller.user?.id ?? null);
      if (!done) throw notFound('door link');
      if (!done.changed) return;
      await this.changes.publish(tx, caller, {
        action: 'door_link.revoke',
        entity: 'event_door_link',
        entityId: linkId,
        organisationId: event.hostOrganisationId,
        coalitionId: event.coalitionId,
        changes: { revokedAt: { from: null, to: done.row.revoked_at } },
      });
    });
  }

  /** The live link behind a secret, as the credential of a request; null when unknown or revoked. */
  async authenticate(secret: string): Promise<DoorLinkCredential | null> {
    if (!/^[A-Za-z0-9_-]{20,200}$/.test(secret)) return null;
    const row = await this.repo.live(sha256Hex(secret));
    return row ? { id: row.id, eventId: row.event_id, label: row.label } : null;
  }

  /** The live link behind a secret presented for `eventId`: 401 when unknown or revoked, 404 when it is another event's. */
  async authenticateFor(secret: string, eventId: string): Promise<DoorLinkCredential> {
    const link = await this.authenticate(secret);
    if (!link) throw unauthorized('This door link is unknown or was revoked.');
    if (link.eventId !== eventId) throw notFound('event');
    return link;
  }
}
