import { datesOnStatus, ENDED_STATUSES, KEPT_BY_ERASURE, transitionError, TRANSITIONS } from './membership-workflow';
import { MEMBERSHIP_STATUSES, type MembershipStatus } from './membership.entity';

describe('membership workflow', () => {
  it('reaches every status from an application', () => {
    const reached = new Set<MembershipStatus>(['applied']);
    // A Set's iteration also visits what is added during it: a breadth-first walk.
    for (const from of reached) for (const to of TRANSITIONS[from]) reached.add(to);
    expect([...reached].sort()).toEqual([...MEMBERSHIP_STATUSES].sort());
  });

  it('keeps resigned and expelled final, and only those', () => {
    expect(MEMBERSHIP_STATUSES.filter((s) => TRANSITIONS[s].length === 0)).toEqual(['resigned', 'expelled']);
    expect(KEPT_BY_ERASURE).toEqual(['resigned', 'expelled']);
    expect(transitionError('resigned', 'active')).toBe('A membership cannot go from resigned to active (resigned is final).');
  });

  it('says what is possible instead', () => {
    expect(transitionError('applied', 'suspended')).toBe('A membership cannot go from applied to suspended (allowed: active, resigned).');
    expect(transitionError('applied', 'active')).toBeNull();
    expect(transitionError('lapsed', 'lapsed')).toBeNull();
  });

  it('ends memberships that lapse, resign or are expelled, and reopens those that become active', () => {
    expect([...ENDED_STATUSES].sort()).toEqual(['expelled', 'lapsed', 'resigned']);
    for (const to of ENDED_STATUSES) expect(datesOnStatus(to, { joinedOn: '2025-01-01', endedOn: null }, '2026-02-03')).toEqual({ joinedOn: '2025-01-01', endedOn: '2026-02-03' });
    expect(datesOnStatus('active', { joinedOn: null, endedOn: '2025-05-05' }, '2026-02-03')).toEqual({ joinedOn: '2026-02-03', endedOn: null });
    expect(datesOnStatus('active', { joinedOn: '2024-01-01', endedOn: '2025-05-05' }, '2026-02-03')).toEqual({ joinedOn: '2024-01-01', endedOn: null });
    expect(datesOnStatus('suspended', { joinedOn: '2024-01-01', endedOn: null }, '2026-02-03')).toEqual({ joinedOn: '2024-01-01', endedOn: null });
  });
});
