import type { DemandStatus } from './demand.entity';

/**
 * draft → proposed → adopted → achieved | withdrawn; a draft or a proposal
 * may also be withdrawn, and a proposal sent back to draft for rework.
 * Withdrawn and achieved are final.
 */
export const DEMAND_TRANSITIONS: Record<DemandStatus, readonly DemandStatus[]> = {
  draft: ['proposed', 'withdrawn'],
  proposed: ['adopted', 'draft', 'withdrawn'],
  adopted: ['achieved', 'withdrawn'],
  withdrawn: [],
  achieved: [],
};

/**
 * The permission (on the owner) that moving a demand INTO a status needs:
 * organisers draft and propose; org_admins and coordinators decide.
 */
export const STATUS_PERMISSION: Record<DemandStatus, 'demand.draft' | 'demand.adopt'> = {
  draft: 'demand.draft',
  proposed: 'demand.draft',
  adopted: 'demand.adopt',
  withdrawn: 'demand.adopt',
  achieved: 'demand.adopt',
};

/**
 * The permission editing the text needs in each status: drafts and
 * proposals are work in progress; an adopted demand is the owner's public
 * commitment (edits are kept as revisions); closed demands are frozen (null).
 */
export const TEXT_PERMISSION: Record<DemandStatus, 'demand.draft' | 'demand.adopt' | null> = {
  draft: 'demand.draft',
  proposed: 'demand.draft',
  adopted: 'demand.adopt',
  withdrawn: null,
  achieved: null,
};

/** Endorsing makes sense for a proposal (to back it) or the adopted platform. */
export const ENDORSABLE: readonly DemandStatus[] = ['proposed', 'adopted'];

export function transitionError(from: DemandStatus, to: DemandStatus): string | null {
  if (from === to || DEMAND_TRANSITIONS[from].includes(to)) return null;
  const allowed = DEMAND_TRANSITIONS[from];
  return `A demand cannot go from ${from} to ${to}` + (allowed.length ? `; from ${from} it can become ${allowed.join(' or ')}.` : `: ${from} is final.`);
}

/** The statuses, for other modules' views (without reaching into the entity). */
export { DEMAND_STATUSES, type DemandStatus } from './demand.entity';
