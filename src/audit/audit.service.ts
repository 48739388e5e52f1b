import { Injectable, type OnModuleInit } from '@nestjs/common';

import type { Caller } from '../access/caller';
import type { Page } from '../common/pagination';
import type { Tx } from '../database/transactions';
import type { DomainEvent, DomainEventSubscriber, StatementContext } from '../domain-events/domain-event';
import { DomainEvents } from '../domain-events/domain-events';
import type { AuditEntry } from './audit-entry.entity';
import { AuditRepository, type AuditQuery } from './audit.repository';

/**
 * The audit log: a subscriber to every change (DomainEvents), writing one
 * entry in the change's own transaction, so it commits or rolls back with it.
 */
@Injectable()
export class AuditService implements DomainEventSubscriber, OnModuleInit {
  constructor(
    private readonly entries: AuditRepository,
    private readonly changes: DomainEvents,
  ) {}

  onModuleInit(): void {
    this.changes.subscribe(this);
  }

  handle(tx: Tx, actor: Caller, event: DomainEvent): Promise<void> {
    return this.entries.insert(tx, actor, event);
  }

  inStatement(actor: Caller, event: DomainEvent, statement: StatementContext): string {
    return this.entries.insertInStatement(actor, event, statement);
  }

  list(query: AuditQuery): Promise<Page<AuditEntry>> {
    return this.entries.list(query);
  }
}
