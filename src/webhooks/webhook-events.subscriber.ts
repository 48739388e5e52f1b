import { Injectable, type OnModuleInit } from '@nestjs/common';

import type { Caller } from '../access/caller';
import type { Tx } from '../database/transactions';
import type { DomainEvent, DomainEventSubscriber, StatementContext } from '../domain-events/domain-event';
import { DomainEvents } from '../domain-events/domain-events';
import { SignupCreated } from '../events/signup-events';
import { isWebhookSource, signupCreatedData, toWebhookEvent, webhookBody, type WebhookEvent } from './webhook-events';
import { WebhooksRepository } from './webhooks.repository';

/**
 * Writes the webhook deliveries a change owes, in the change's own
 * transaction (a subscriber of DomainEvents): a rolled-back change leaves
 * none. Which endpoints an event reaches is decided in the same SQL
 * statement that writes their rows (WebhooksRepository.enqueue), so a change
 * costs one statement here, and nothing when no endpoint listens. A new
 * signup is written as one statement: its deliveries are a part of it
 * (`inStatement`), as its confirmation e-mail and its audit entry are.
 */
@Injectable()
export class WebhookEventsSubscriber implements DomainEventSubscriber, OnModuleInit {
  constructor(
    private readonly repo: WebhooksRepository,
    private readonly changes: DomainEvents,
  ) {}

  onModuleInit(): void {
    this.changes.subscribe(this, isWebhookSource);
  }

  handle(tx: Tx, actor: Caller, event: DomainEvent): Promise<void> {
    return this.handleAll(tx, actor, [event]);
  }

  /** Changes announced together (a batch of check-ins, the signups one freed seat promoted): one read, one insert. */
  async handleAll(tx: Tx, _actor: Caller, events: DomainEvent[]): Promise<void> {
    const mapped = events.map(toWebhookEvent).filter((e): e is WebhookEvent => e !== null);
    if (!mapped.length) return;
    const signups = mapped.flatMap((e) => (e.signupOf ? [e.signupOf] : []));
    const eventOf = signups.length ? await this.repo.eventsOfSignups(tx, signups) : new Map<string, string>();
    const at = new Date();
    await this.repo.enqueue(
      tx,
      mapped.map((e) => {
        const eventId = e.signupOf ? (eventOf.get(e.signupOf) ?? null) : e.eventId;
        const data = e.signupOf ? { ...e.data, eventId } : e.data;
        return { type: e.type, payload: webhookBody(e.type, at, data), organisationId: e.organisationId, coalitionId: e.coalitionId, eventId };
      }),
    );
  }

  inStatement(_actor: Caller, event: DomainEvent, statement: StatementContext): string | null {
    if (!(event instanceof SignupCreated)) return null;
    return this.repo.signupCreatedPart(statement, {
      type: 'signup.created',
      timestamp: new Date().toISOString(),
      data: signupCreatedData(event),
      organisationId: event.organisationId,
      coalitionId: event.coalitionId,
      eventId: event.event.id,
    });
  }
}
