import { Injectable } from '@nestjs/common';

import type { Caller } from '../access/caller';
import { notFound } from '../common/problem';
import type { Tx } from '../database/transactions';
import { DomainEvents } from '../domain-events/domain-events';
import type { EventShift } from './event-shift.entity';
import type { Event } from './event.entity';
import { SignupPromoted } from './signup-events';
import { SignupsRepository, type SeatPool } from './signups.repository';

/**
 * Changes to who holds a seat, under the capacity invariant and its lock
 * order (event, shift, signup — see SignupsRepository, which holds it).
 */
@Injectable()
export class SeatsService {
  constructor(
    private readonly seats: SignupsRepository,
    private readonly changes: DomainEvents,
  ) {}

  /** Locks the event row until `tx` ends and returns it as it is now; 404 when there is none. */
  async lockEvent(tx: Tx, eventId: string): Promise<Event> {
    const event = await this.seats.lockEvent(tx, eventId);
    if (!event) throw notFound('event');
    return event;
  }

  /** Locks a shift of a locked event. Null if the event has no such shift. */
  lockShift(tx: Tx, eventId: string, shiftId: string): Promise<EventShift | null> {
    return this.seats.lockShift(tx, eventId, shiftId);
  }

  /** Gives one seat back (a seat-holding signup was cancelled). */
  release(tx: Tx, pool: SeatPool): Promise<void> {
    return this.seats.release(tx, pool);
  }

  /**
   * Hands every free seat of the pool to the waiting list, first come first
   * served, and announces each promotion (its notice, its audit entry) — in
   * `tx`, which holds the event (and shift) lock. Returns the promoted signup ids.
   */
  async promote(tx: Tx, caller: Caller, event: Event, shiftId: string | null): Promise<string[]> {
    // A cancelled, completed or finished event hands out no seats.
    if (event.status !== 'published' || event.endsAt.getTime() <= Date.now()) return [];
    const ids = await this.seats.promoteWaiting(tx, event, shiftId);
    await this.changes.publish(tx, caller, ...ids.map((id) => new SignupPromoted(event, id)));
    return ids;
  }
}
