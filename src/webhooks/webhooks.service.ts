import { Inject, Injectable } from '@nestjs/common';

import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import { requireAccess } from '../access/resource-access';
import { decodeCursorAs, toPage, type Page } from '../common/pagination';
import { badRequest, conflict, forbidden, notFound } from '../common/problem';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Transactions, type Tx } from '../database/transactions';
import { DomainEvents } from '../domain-events/domain-events';
import type { CreateWebhookDto, DeliveryListQuery, UpdateWebhookDto, WebhookListQuery } from './dto/webhook.dto';
import { ORGANISATION_ONLY_TYPES, type WebhookEventType } from './webhook-events';
import { ROTATION_OVERLAP_SECONDS } from './webhook-retries';
import { newSecret } from './webhook-signature';
import { checkAddress, parseWebhookUrl, UnsafeWebhookUrl } from './webhook-url';
import { WebhookAccess } from './webhook.access';
import { WebhooksRepository, type EndpointRow } from './webhooks.repository';
import { deliveryView, endpointView, type WebhookDeliveryView, type WebhookEndpointCreated, type WebhookEndpointView, type WebhookSecretRotated } from './webhooks.views';

const KIND = 'webhook endpoint';

/**
 * Webhook endpoints: registered, listed, changed and removed by those who
 * hold webhook.manage over their organisation or coalition (WebhookAccess);
 * secrets rotated with a day's overlap; the delivery log read and a
 * delivery replayed. Every change is audited. Deliveries themselves are
 * written by WebhookEventsSubscriber and sent by WebhookWorker.
 */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly repo: WebhooksRepository,
    private readonly webhookAccess: WebhookAccess,
    private readonly access: AccessService,
    private readonly transactions: Transactions,
    private readonly changes: DomainEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The URL as an endpoint may hold it, its host resolved and checked (400 otherwise). */
  private async checkedUrl(raw: string): Promise<string> {
    try {
      const url = parseWebhookUrl(raw.trim(), this.config.env === 'production');
      await checkAddress(url, this.config.webhookAllowPrivateHosts);
      return url.toString();
    } catch (err) {
      if (err instanceof UnsafeWebhookUrl) throw badRequest(err.code, err.message, [{ field: 'url', message: err.message }]);
      throw err;
    }
  }

  private checkEvents(events: WebhookEventType[], coalition: boolean): void {
    const orgOnly = coalition ? events.filter((e) => ORGANISATION_ONLY_TYPES.includes(e)) : [];
    if (orgOnly.length) {
      throw badRequest('organisation-only-events', `A coalition holds no member records: ${orgOnly.join(', ')} reach organisations’ endpoints only.`, [
        { field: 'events', message: `${orgOnly.join(', ')} are for organisations` },
      ]);
    }
  }

  /**
   * 404 unless the caller may manage the endpoint. Access is checked before
   * any transaction opens (its queries take connections of their own: a
   * request never holds one while waiting for another).
   */
  private async requireManaged(caller: Caller, id: string): Promise<void> {
    await requireAccess(this.webhookAccess, caller, id, 'manage', KIND);
  }

  private async row(tx: Tx, id: string, lock = false): Promise<EndpointRow> {
    const row = await this.repo.endpoint(tx, id, lock);
    if (!row) throw notFound(KIND); // removed meanwhile
    return row;
  }

  private audit(tx: Tx, caller: Caller, action: string, row: EndpointRow, changes: Record<string, unknown>): Promise<void> {
    return this.changes.publish(tx, caller, { action, entity: 'webhook_endpoint', entityId: row.id, organisationId: row.organisation_id, coalitionId: row.coalition_id, changes });
  }

  async create(caller: Caller, dto: CreateWebhookDto): Promise<WebhookEndpointCreated> {
    if (!dto.organisationId === !dto.coalitionId) {
      throw badRequest('invalid-owner', 'An endpoint belongs to an organisation or to a coalition: give exactly one of organisationId and coalitionId.', [
        { field: 'organisationId', message: 'give organisationId or coalitionId' },
      ]);
    }
    const owner = { organisationId: dto.organisationId, coalitionId: dto.coalitionId };
    if (!(await this.repo.ownerExists(owner))) throw notFound(dto.organisationId ? 'organisation' : 'coalition');
    if (!(await this.webhookAccess.mayManageOwner(caller, owner))) throw forbidden('You may register webhooks only for organisations or coalitions you administer.');
    this.checkEvents(dto.events, !!dto.coalitionId);
    const url = await this.checkedUrl(dto.url);
    const secret = newSecret();
    return this.transactions.run(async (tx) => {
      const row = await this.repo.insertEndpoint(tx, {
        organisationId: dto.organisationId ?? null,
        coalitionId: dto.coalitionId ?? null,
        url,
        description: dto.description?.trim() || null,
        events: dto.events,
        secret,
        createdBy: caller.user?.id ?? null,
      });
      // The host only: a URL's path or query may carry the receiver's own token.
      await this.audit(tx, caller, 'webhook.create', row, { host: { from: null, to: new URL(url).host }, events: { from: null, to: row.events } });
      return { ...endpointView(row), secret };
    });
  }

  async list(caller: Caller, q: WebhookListQuery): Promise<WebhookEndpointView[]> {
    const scope = await this.webhookAccess.scope(caller);
    // The filter narrows the caller's scope, never widens it (the scope predicate stays).
    const rows = await this.repo.list(scope, {
      ...(q.organisation ? { organisationIds: await this.access.descendants([q.organisation]) } : {}),
      ...(q.coalition ? { coalitionId: q.coalition } : {}),
    });
    return rows.map(endpointView);
  }

  async get(caller: Caller, id: string): Promise<WebhookEndpointView> {
    await this.requireManaged(caller, id);
    return endpointView(await this.row(this.transactions.auto, id));
  }

  async update(caller: Caller, id: string, dto: UpdateWebhookDto): Promise<WebhookEndpointView> {
    await this.requireManaged(caller, id);
    const current = await this.row(this.transactions.auto, id);
    if (dto.events) this.checkEvents(dto.events, !!current.coalition_id);
    // A new URL is checked; so is the current one when the endpoint is enabled again (its name may resolve elsewhere now).
    const url = dto.url !== undefined ? await this.checkedUrl(dto.url) : dto.enabled === true && !current.enabled ? await this.checkedUrl(current.url) : undefined;
    return this.transactions.run(async (tx) => {
      const before = await this.row(tx, id, true);
      const patch = {
        ...(dto.url !== undefined ? { url } : {}),
        ...(dto.description !== undefined ? { description: dto.description?.trim() || null } : {}),
        ...(dto.events !== undefined ? { events: dto.events } : {}),
        ...(dto.enabled !== undefined && dto.enabled !== before.enabled ? { enabled: dto.enabled, disabledReason: 'manual' } : {}),
      };
      const after = await this.repo.updateEndpoint(tx, id, patch);
      const changes: Record<string, unknown> = {};
      if (before.url !== after.url) changes.host = { from: new URL(before.url).host, to: new URL(after.url).host };
      if (JSON.stringify(before.events) !== JSON.stringify(after.events)) changes.events = { from: before.events, to: after.events };
      if (before.description !== after.description) changes.description = { from: before.description, to: after.description };
      if (before.enabled !== after.enabled) changes.enabled = { from: before.enabled, to: after.enabled };
      if (Object.keys(changes).length) await this.audit(tx, caller, 'webhook.update', after, changes);
      return endpointView(after);
    });
  }

  async remove(caller: Caller, id: string): Promise<void> {
    await this.requireManaged(caller, id);
    await this.transactions.run(async (tx) => {
      const row = await this.row(tx, id, true);
      await this.repo.deleteEndpoint(tx, id);
      await this.audit(tx, caller, 'webhook.delete', row, { host: { from: new URL(row.url).host, to: null } });
    });
  }

  /** A new secret, shown once; the current one keeps signing beside it for a day (one older than that stops now). */
  async rotateSecret(caller: Caller, id: string): Promise<WebhookSecretRotated> {
    await this.requireManaged(caller, id);
    const secret = newSecret();
    return this.transactions.run(async (tx) => {
      const row = await this.row(tx, id, true);
      const previousSecretExpiresAt = await this.repo.rotateSecret(tx, id, secret, ROTATION_OVERLAP_SECONDS);
      await this.audit(tx, caller, 'webhook.rotate_secret', row, { secret: { from: '[secret]', to: '[secret]' }, previousSecretExpiresAt: { from: null, to: previousSecretExpiresAt } });
      return { id, secret, previousSecretExpiresAt: previousSecretExpiresAt.toISOString() };
    });
  }

  async deliveries(caller: Caller, id: string, q: DeliveryListQuery): Promise<Page<WebhookDeliveryView>> {
    await this.requireManaged(caller, id);
    const after = decodeCursorAs<[string]>(q.cursor, 'integer');
    const rows = await this.repo.deliveries(id, { state: q.state, limit: q.limit, afterSeq: after ? String(after[0]) : null });
    return toPage(rows, q.limit, (d) => [d.seq], deliveryView);
  }

  /** Sends a delivered or failed delivery again, as it was (same webhook-id, same body), with a new day of retries. */
  async replay(caller: Caller, id: string, deliveryId: string): Promise<WebhookDeliveryView> {
    await this.requireManaged(caller, id);
    return this.transactions.run(async (tx) => {
      const endpoint = await this.row(tx, id);
      const delivery = await this.repo.delivery(tx, id, deliveryId, true);
      if (!delivery) throw notFound('delivery');
      if (delivery.state === 'pending') throw conflict('delivery-pending', 'This delivery is still pending: it will be tried again anyway.');
      if (!endpoint.enabled) throw conflict('endpoint-disabled', 'The endpoint is disabled: enable it (PATCH enabled: true) before replaying.');
      const row = await this.repo.requeue(tx, deliveryId);
      await this.changes.publish(tx, caller, {
        action: 'webhook_delivery.replay',
        entity: 'webhook_delivery',
        entityId: deliveryId,
        organisationId: endpoint.organisation_id,
        coalitionId: endpoint.coalition_id,
        changes: { state: { from: delivery.state, to: 'pending' } },
      });
      return deliveryView(row);
    });
  }
}
