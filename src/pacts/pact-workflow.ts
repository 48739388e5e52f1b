import type { ConditionStatus } from './pact-condition.entity';
import type { PactStatus } from './pact.entity';

/** draft → negotiating → agreed | rejected; an agreed pact is then fulfilled or broken. */
export const PACT_TRANSITIONS: Record<PactStatus, readonly PactStatus[]> = {
  draft: ['negotiating'],
  negotiating: ['agreed', 'rejected'],
  agreed: ['fulfilled', 'broken'],
  rejected: [],
  fulfilled: [],
  broken: [],
};

export function pactTransitionError(from: PactStatus, to: PactStatus): string | null {
  if (from === to || PACT_TRANSITIONS[from].includes(to)) return null;
  const allowed = PACT_TRANSITIONS[from];
  return `A pact cannot go from ${from} to ${to}` + (allowed.length ? `; from ${from} it can become ${allowed.join(' or ')}.` : `: ${from} is final.`);
}

const NEGOTIATION: readonly ConditionStatus[] = ['pending', 'accepted', 'rejected'];
const OPEN_PACT: readonly PactStatus[] = ['draft', 'negotiating'];
const CLOSED_PACT: readonly PactStatus[] = ['rejected', 'fulfilled', 'broken'];

/**
 * What may happen to one condition, given the pact's status. While the pact
 * is drafted or negotiated, conditions are added and move freely between
 * pending, accepted and rejected. Once it is agreed, the set is fixed and an
 * accepted condition is kept (fulfilled) or breached; both are final. A
 * closed pact (rejected, fulfilled, broken) is frozen.
 * `from` is null for a new condition. Returns an error code and message, or null.
 */
export function conditionChangeError(pact: PactStatus, from: ConditionStatus | null, to: ConditionStatus): { code: string; detail: string } | null {
  if (CLOSED_PACT.includes(pact)) return { code: 'pact-closed', detail: `The pact is ${pact}: its conditions can no longer change.` };
  if (from === null && !OPEN_PACT.includes(pact)) return { code: 'pact-agreed', detail: `The pact is ${pact}: conditions can be added only while it is draft or negotiating.` };
  if (from === to) return null;
  if (from === 'fulfilled' || from === 'breached') return { code: 'invalid-transition', detail: `This condition is ${from}: that is final.` };
  if (NEGOTIATION.includes(to)) {
    if (!OPEN_PACT.includes(pact)) return { code: 'invalid-transition', detail: `The pact is ${pact}: its accepted conditions can now only be fulfilled or breached.` };
    return null;
  }
  // to is fulfilled or breached
  if (pact !== 'agreed') return { code: 'invalid-transition', detail: `A condition is ${to} only once the pact is agreed (it is ${pact}).` };
  if (from !== 'accepted') return { code: 'invalid-transition', detail: `Only an accepted condition can be ${to} (this one is ${from ?? 'new'}).` };
  return null;
}
