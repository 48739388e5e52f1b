import { SIGNUP_STATUSES } from './event-signup.entity';
import { CANCELLABLE, CHECK_IN_FROM, ORGANISER_TRANSITIONS, organiserMayMove } from './signup-workflow';

describe('signup workflow', () => {
  it('lets organisers mark attendance of those holding a seat, and move between attended and no-show', () => {
    expect(SIGNUP_STATUSES.filter((s) => organiserMayMove(s, 'attended')).sort()).toEqual(['attended', 'going', 'no_show']);
    expect(SIGNUP_STATUSES.filter((s) => organiserMayMove(s, 'no_show')).sort()).toEqual(['attended', 'going', 'no_show']);
  });

  it('never marks the waiting list or a cancelled signup as attended', () => {
    expect(organiserMayMove('waitlisted', 'attended')).toBe(false);
    expect(organiserMayMove('cancelled', 'attended')).toBe(false);
    expect(organiserMayMove('cancelled', 'no_show')).toBe(false);
  });

  it('cancels live signups only; cancelling twice changes nothing', () => {
    expect([...ORGANISER_TRANSITIONS.cancelled].sort()).toEqual(['cancelled', 'going', 'waitlisted']);
    expect([...CANCELLABLE].sort()).toEqual(['going', 'waitlisted']);
    expect(organiserMayMove('attended', 'cancelled')).toBe(false);
  });

  it('checks in only those holding a seat', () => {
    expect(SIGNUP_STATUSES.filter((s) => !CHECK_IN_FROM.includes(s)).sort()).toEqual(['cancelled', 'waitlisted']);
  });
});
