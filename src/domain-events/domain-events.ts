import { Injectable } from '@nestjs/common';

import type { Caller } from '../access/caller';
import type { Tx } from '../database/transactions';
import type { DomainEvent, DomainEventSubscriber, StatementContext } from './domain-event';

interface Subscription {
  subscriber: DomainEventSubscriber;
  accepts: (event: DomainEvent) => boolean;
}

/**
 * The one seam for side effects. A module announces each change it makes
 * (`publish`, inside the change's transaction); subscribers — the audit log,
 * event notices, and whatever comes next (a webhook, an SMS) — register once
 * at start-up (`subscribe`, in their `onModuleInit`) and react in the same
 * transaction, in the order they registered. The announcing module never
 * knows who listens.
 */
@Injectable()
export class DomainEvents {
  private readonly subscriptions: Subscription[] = [];

  /** `accepts` narrows what the subscriber is called for (by default: every change). */
  subscribe(subscriber: DomainEventSubscriber, accepts: (event: DomainEvent) => boolean = () => true): void {
    this.subscriptions.push({ subscriber, accepts });
  }

  /**
   * Announces changes made in `tx`: each subscriber, in the order they
   * registered, reacts to those it accepts (in the order given; at once
   * through `handleAll` when it has one), in `tx`, before this returns.
   */
  async publish(tx: Tx, actor: Caller, ...events: DomainEvent[]): Promise<void> {
    for (const s of this.subscriptions) {
      const accepted = events.filter(s.accepts);
      if (!accepted.length) continue;
      if (s.subscriber.handleAll) await s.subscriber.handleAll(tx, actor, accepted);
      else for (const event of accepted) await s.subscriber.handle(tx, actor, event);
    }
  }

  /**
   * For a change written as one statement: the subscribers' parts of it
   * (data-modifying CTEs over `statement.relation`). A subscriber accepting
   * the event without a statement part is a programming error: refused
   * loudly, not skipped silently.
   */
  inStatement(actor: Caller, event: DomainEvent, statement: StatementContext): string[] {
    const parts: string[] = [];
    for (const s of this.subscriptions) {
      if (!s.accepts(event)) continue;
      if (!s.subscriber.inStatement) throw new Error(`${s.subscriber.constructor.name} cannot take part in the one-statement change ${event.action}`);
      const part = s.subscriber.inStatement(actor, event, statement);
      if (part) parts.push(part);
    }
    return parts;
  }
}
