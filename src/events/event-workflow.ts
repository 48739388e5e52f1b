import type { EventStatus } from './event.entity';

/**
 * draft → published (publish) → completed (complete, once it has started);
 * a draft or a published event may be cancelled. Cancelled and completed
 * are final: such an event takes no edits, shifts or signups.
 */
export const EVENT_TRANSITIONS: Record<EventStatus, readonly EventStatus[]> = {
  draft: ['published', 'cancelled'],
  published: ['completed', 'cancelled'],
  cancelled: [],
  completed: [],
};

/** Final statuses: the event can no longer be edited (event-closed). */
export function isClosed(status: EventStatus): boolean {
  return EVENT_TRANSITIONS[status].length === 0;
}

/** May an event in `from` become `to`? */
export function canBecome(from: EventStatus, to: EventStatus): boolean {
  return EVENT_TRANSITIONS[from].includes(to);
}

/** Statuses in which those who run the event mark attendance (check-in, attended, no-show). */
export const ATTENDANCE_STATUSES: readonly EventStatus[] = ['published', 'completed'];
