import { DEMAND_TRANSITIONS, STATUS_PERMISSION, transitionError } from './demand-workflow';
import { DEMAND_STATUSES, type DemandStatus } from './demand.entity';

describe('demand workflow', () => {
  it('reaches every status from draft, and only adopted demands become achieved', () => {
    const reached = new Set<DemandStatus>(['draft']);
    // A Set's iteration also visits what is added during it: a breadth-first walk.
    for (const from of reached) for (const to of DEMAND_TRANSITIONS[from]) reached.add(to);
    expect([...reached].sort()).toEqual([...DEMAND_STATUSES].sort());
    expect(DEMAND_STATUSES.filter((s) => DEMAND_TRANSITIONS[s].includes('achieved'))).toEqual(['adopted']);
    expect(DEMAND_STATUSES.filter((s) => DEMAND_TRANSITIONS[s].includes('adopted'))).toEqual(['proposed']);
  });

  it('keeps withdrawn and achieved final', () => {
    expect(DEMAND_TRANSITIONS.withdrawn).toEqual([]);
    expect(DEMAND_TRANSITIONS.achieved).toEqual([]);
    expect(transitionError('achieved', 'adopted')).toBe('A demand cannot go from achieved to adopted: achieved is final.');
  });

  it('says what is possible instead', () => {
    expect(transitionError('draft', 'achieved')).toBe('A demand cannot go from draft to achieved; from draft it can become proposed or withdrawn.');
    expect(transitionError('draft', 'proposed')).toBeNull();
    expect(transitionError('adopted', 'adopted')).toBeNull();
  });

  it('leaves decisions (adopt, withdraw, achieve) to org_admins and coordinators', () => {
    expect(DEMAND_STATUSES.filter((s) => STATUS_PERMISSION[s] === 'demand.draft').sort()).toEqual(['draft', 'proposed']);
  });
});
