import type { Caller } from '../access/caller';
import type { SqlParams } from '../common/sql';
import type { Tx } from '../database/transactions';

/**
 * A change, announced by the module that made it inside the transaction that
 * makes it (`DomainEvents.publish`). Every change is audited: `action`,
 * `entity`, `entityId`, the scope and `changes` are the audit entry
 * (`changes` with personal values already masked — the audit log is kept
 * forever). A module that needs more for its subscribers (a signup's event,
 * for its notices) declares a class implementing this interface with those
 * fields (events/signup-events.ts).
 */
export interface DomainEvent {
  /** What happened, `<entity>.<verb>` (`event_signup.promote`). */
  readonly action: string;
  readonly entity: string;
  readonly entityId: string | null;
  readonly organisationId?: string | null;
  readonly coalitionId?: string | null;
  readonly changes?: Record<string, unknown> | null;
}

/**
 * A change written as one SQL statement (a signup: seat, row, confirmation
 * and audit entry at once) does not run subscribers after the fact: it asks
 * them for their part of the statement. `relation` names the statement's
 * relation of the changed rows, with at least the columns `id` and `status`
 * (what only the statement knows: the new id, going or waitlisted); values go
 * into `params`, never into the text.
 */
export interface StatementContext {
  params: SqlParams;
  relation: string;
}

/** Reacts to changes, inside their transaction: what it writes commits or rolls back with them. */
export interface DomainEventSubscriber {
  handle(tx: Tx, actor: Caller, event: DomainEvent): Promise<void>;
  /**
   * Several changes announced together (one `publish` of several events:
   * the signups a freed seat promoted), for a subscriber that does better
   * with them at once (one read of their recipients, one insert). Without
   * it, `handle` is called for each.
   */
  handleAll?(tx: Tx, actor: Caller, events: DomainEvent[]): Promise<void>;
  /**
   * Its part of a one-statement change (a data-modifying CTE, or null for
   * nothing). A subscriber that handles such an event must implement it: the
   * statement calls no `handle`.
   */
  inStatement?(actor: Caller, event: DomainEvent, statement: StatementContext): string | null;
}
