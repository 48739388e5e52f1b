import { Inject, Injectable, Logger } from '@nestjs/common';

import type { Caller } from '../access/caller';
import { WorkerJob } from '../common/periodic-task';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Transactions, type Tx } from '../database/transactions';
import { DomainEvents } from '../domain-events/domain-events';
import { OutboxService } from '../outbox/outbox.service';
import { postWebhook, type AttemptOutcome } from './webhook-client';
import { GIVE_UP_SECONDS, webhookRetryDelayMs } from './webhook-retries';
import { signedHeaders } from './webhook-signature';
import { WebhooksRepository, type ClaimedDelivery, type EndpointRow } from './webhooks.repository';

/** Deliveries sent at once by one process. Each is its own transaction. */
const CONCURRENCY = 4;

const SYSTEM: Caller = { user: null, requestId: 'webhook-worker', ip: '' };

/**
 * Sends due webhook deliveries, as the outbox worker sends e-mail: each
 * delivery is claimed with FOR UPDATE SKIP LOCKED in its own transaction,
 * sent (signed, with the delivery's id as webhook-id), and settled before
 * commit, so any number of processes (API processes, `npm run worker`) send
 * each delivery once at a time. If a process dies between the receiver's
 * answer and the commit, that delivery is sent again on restart, with the
 * same webhook-id: receivers drop the copy (the at-least-once edge, at most
 * CONCURRENCY per dead process). A failure is retried with exponential
 * backoff; a delivery is failed a day after it was queued; an endpoint that
 * has failed every attempt for a day is disabled and its admins are mailed.
 * Runs where the outbox worker runs (OUTBOX_WORKER).
 */
@Injectable()
export class WebhookWorker extends WorkerJob {
  constructor(
    private readonly repo: WebhooksRepository,
    private readonly transactions: Transactions,
    private readonly changes: DomainEvents,
    private readonly outbox: OutboxService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super(new Logger('Webhooks'), config.outboxWorker, config.outboxPollMs);
  }

  protected round(): Promise<number> {
    return this.deliverDue();
  }

  /** Attempts every due delivery once; returns how many were attempted. */
  async deliverDue(): Promise<number> {
    if (!(await this.repo.anyDue())) return 0;
    const tried: string[] = [];
    return this.task.inLanes(CONCURRENCY, () => this.deliverOne(tried));
  }

  /** Claims, sends and settles one due delivery not yet tried in this round. False when none is left. */
  private deliverOne(tried: string[]): Promise<boolean> {
    return this.transactions.run(async (tx) => {
      const d = await this.repo.claimNextDue(tx, tried);
      if (!d) return false;
      tried.push(d.id);
      const attempts = d.attempts + 1;
      const outcome = await this.send(d);
      if (outcome.ok) {
        await this.repo.markDelivered(tx, d.id, attempts, outcome.status);
        await this.repo.endpointSucceeded(tx, d.endpoint_id);
        return true;
      }
      const endpoint = await this.repo.endpointFailed(tx, d.endpoint_id, GIVE_UP_SECONDS);
      const disabled = endpoint.enabled && endpoint.overdue ? await this.disable(tx, d.endpoint_id, outcome.error) : null;
      const state = await this.repo.markAttemptFailed(tx, d.id, {
        attempts,
        status: outcome.status,
        error: outcome.error,
        retryInSeconds: webhookRetryDelayMs(attempts, this.config.webhookRetryBaseMs) / 1000,
        giveUpSeconds: GIVE_UP_SECONDS,
        // Disabled for failing (here, or by another lane while this one was sending): its pending deliveries fail with it.
        fail: disabled !== null || (!endpoint.enabled && endpoint.disabled_reason === 'failing'),
      });
      this.logger.warn(
        { deliveryId: d.id, endpointId: d.endpoint_id, attempts, state, status: outcome.status },
        state === 'failed' ? 'webhook delivery failed for good' : 'webhook delivery will be retried',
      );
      return true;
    });
  }

  private send(d: ClaimedDelivery): Promise<AttemptOutcome> {
    const body = JSON.stringify(d.payload);
    const secrets = [d.secret, ...(d.previous_secret ? [d.previous_secret] : [])];
    const headers = signedHeaders(secrets, d.id, Math.floor(Date.now() / 1000), body);
    return postWebhook(d.url, headers, body, { timeoutMs: this.config.webhookTimeoutMs, allowPrivateHosts: this.config.webhookAllowPrivateHosts, production: this.config.env === 'production' });
  }

  /** A day of failures: the endpoint is disabled, audited, and its organisation's admins (a coalition's coordinators) are mailed. */
  private async disable(tx: Tx, endpointId: string, lastError: string): Promise<EndpointRow | null> {
    const row = await this.repo.disableFailing(tx, endpointId);
    if (!row) return null;
    await this.changes.publish(tx, SYSTEM, {
      action: 'webhook.disable',
      entity: 'webhook_endpoint',
      entityId: row.id,
      organisationId: row.organisation_id,
      coalitionId: row.coalition_id,
      changes: { enabled: { from: true, to: false }, disabledReason: { from: null, to: 'failing' }, failingSince: { from: null, to: row.failing_since } },
    });
    const { owner, recipients } = await this.repo.disabledNoticeRecipients(tx, row);
    const url = new URL(row.url);
    await this.outbox.enqueueMany(
      tx,
      recipients.map((r) => ({
        template: 'webhook.disabled',
        recipient: r.email,
        locale: r.locale,
        // Without the query: it may carry the receiver's own token.
        payload: { owner, url: `${url.origin}${url.pathname}`, since: row.failing_since?.toISOString() ?? '', lastError },
        dedupeKey: `webhook_disabled:${row.id}:${row.disabled_at?.getTime() ?? 0}:${r.email.toLowerCase()}`,
      })),
    );
    this.logger.warn({ endpointId: row.id }, 'webhook endpoint disabled after a day of failures');
    return row;
  }
}
