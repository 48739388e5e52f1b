import { ATTENDANCE_STATUSES, canBecome, EVENT_TRANSITIONS, isClosed } from './event-workflow';
import { EVENT_STATUSES, type EventStatus } from './event.entity';

describe('event workflow', () => {
  it('reaches every status from draft', () => {
    const reached = new Set<EventStatus>(['draft']);
    for (const from of reached) for (const to of EVENT_TRANSITIONS[from]) reached.add(to);
    expect([...reached].sort()).toEqual([...EVENT_STATUSES].sort());
  });

  it('publishes drafts only, completes published events only, and cancels either', () => {
    expect(EVENT_STATUSES.filter((s) => canBecome(s, 'published'))).toEqual(['draft']);
    expect(EVENT_STATUSES.filter((s) => canBecome(s, 'completed'))).toEqual(['published']);
    expect(EVENT_STATUSES.filter((s) => canBecome(s, 'cancelled')).sort()).toEqual(['draft', 'published']);
  });

  it('keeps cancelled and completed final', () => {
    expect(EVENT_STATUSES.filter(isClosed).sort()).toEqual(['cancelled', 'completed']);
    expect(EVENT_TRANSITIONS.cancelled).toEqual([]);
    expect(EVENT_TRANSITIONS.completed).toEqual([]);
  });

  it('takes attendance of published and completed events only', () => {
    expect([...ATTENDANCE_STATUSES].sort()).toEqual(['completed', 'published']);
  });
});
