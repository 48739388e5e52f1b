import { PARTNER_STATUSES, type PartnerStatus } from './coalition-partner.entity';
import { PARTNER_TRANSITIONS, partnerMayAnswer, partnerTransitionError } from './partner-workflow';

describe('coalition partner workflow', () => {
  it('reaches every status from invited, and keeps withdrawn final', () => {
    const reached = new Set<PartnerStatus>(['invited']);
    // A Set's iteration also visits what is added during it: a breadth-first walk.
    for (const from of reached) for (const to of PARTNER_TRANSITIONS[from]) reached.add(to);
    expect([...reached].sort()).toEqual([...PARTNER_STATUSES].sort());
    expect(PARTNER_TRANSITIONS.withdrawn).toEqual([]);
    expect(PARTNER_STATUSES.filter((s) => PARTNER_TRANSITIONS[s].includes('invited'))).toEqual([]);
  });

  it('refuses other moves, and allows standing still', () => {
    expect(partnerTransitionError('withdrawn', 'active')).toBe('A partner cannot go from withdrawn to active.');
    expect(partnerTransitionError('invited', 'suspended')).toBe('A partner cannot go from invited to suspended.');
    expect(partnerTransitionError('suspended', 'active')).toBeNull();
    expect(partnerTransitionError('active', 'active')).toBeNull();
  });

  it('lets the partner itself only accept an invitation or withdraw', () => {
    const answers = PARTNER_STATUSES.flatMap((from) => PARTNER_STATUSES.filter((to) => partnerMayAnswer(from, to)).map((to) => `${from}→${to}`));
    expect(answers.sort()).toEqual(['active→withdrawn', 'invited→active', 'invited→withdrawn', 'suspended→withdrawn', 'withdrawn→withdrawn']);
  });
});
